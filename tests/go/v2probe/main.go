// Resolves credentials with aws-sdk-go-v2 the way Terraform's AWS provider
// does: config.LoadDefaultConfig with the named profile (none: the default
// chain, which reads a container endpoint). Prints them as JSON; on
// failure the error on stderr and exit 1.
//
// Usage: v2probe PROFILE|""
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var opts []func(*config.LoadOptions) error
	if len(os.Args) > 1 && os.Args[1] != "" {
		opts = append(opts, config.WithSharedConfigProfile(os.Args[1]))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		fail(err)
	}
	v, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		fail(err)
	}
	out := map[string]interface{}{
		"AccessKeyId":     v.AccessKeyID,
		"SecretAccessKey": v.SecretAccessKey,
		"SessionToken":    nil,
		"Expiration":      nil,
		"Provider":        v.Source,
	}
	if v.SessionToken != "" {
		out["SessionToken"] = v.SessionToken
	}
	if v.CanExpire {
		out["Expiration"] = v.Expires.UTC().Format("2006-01-02T15:04:05Z")
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
