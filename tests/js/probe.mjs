// Resolves a profile's credentials with the AWS SDK for JavaScript v3 and
// prints them as JSON. Usage: node probe.mjs ini|process|chain PROFILE
// (chain: the default chain of Node.js, with PROFILE "" for none, so that
// a container endpoint in the environment is read).
import { fromIni, fromNodeProviderChain, fromProcess } from "@aws-sdk/credential-providers";

const [, , kind, profile] = process.argv;
const providers = {
  ini: () => fromIni({ profile }),
  process: () => fromProcess({ profile }),
  chain: () => fromNodeProviderChain(profile ? { profile } : {}),
};
const provider = providers[kind]();
try {
  const c = await provider();
  console.log(JSON.stringify({
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken ?? null,
    Expiration: c.expiration ? c.expiration.toISOString().replace(/\.\d{3}Z$/, "Z") : null,
  }));
} catch (error) {
  console.error(`${error.name}: ${error.message}`);
  process.exit(1);
}
