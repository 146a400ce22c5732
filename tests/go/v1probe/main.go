// Resolves credentials with aws-sdk-go (v1) the way AWS Copilot loads a
// session: shared config enabled, the named profile (none: the default
// chain, which reads a container endpoint), and a 10 s deadline. Prints
// them as JSON; on failure the error on stderr and exit 1.
//
// Usage: v1probe PROFILE|""
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go/aws/session"
)

func main() {
	opts := session.Options{SharedConfigState: session.SharedConfigEnable}
	if len(os.Args) > 1 && os.Args[1] != "" {
		opts.Profile = os.Args[1]
	}
	sess, err := session.NewSessionWithOptions(opts)
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := sess.Config.Credentials.GetWithContext(ctx)
	if err != nil {
		fail(err)
	}
	out := map[string]interface{}{
		"AccessKeyId":     v.AccessKeyID,
		"SecretAccessKey": v.SecretAccessKey,
		"SessionToken":    nil,
		"Expiration":      nil,
		"Provider":        v.ProviderName,
	}
	if v.SessionToken != "" {
		out["SessionToken"] = v.SessionToken
	}
	if at, err := sess.Config.Credentials.ExpiresAt(); err == nil {
		out["Expiration"] = at.UTC().Format("2006-01-02T15:04:05Z")
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
