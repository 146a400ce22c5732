# shellcheck shell=bash
# The keys and the project that the benches run
# awscreds-rs on, set up one way. Source it in a bash whose HOME is a
# scratch folder, before starting the keyring daemon: the XDG folders
# follow HOME from here on, so that nothing (trust, keyrings, the file
# store) lands in the user's own. The Secret Service ones need a session
# bus with an unlocked keyring on it.

export XDG_DATA_HOME=$HOME/.local/share XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache

world_key='{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}'

# world_key_in BIN STORE NAME: the key stored as NAME. The encrypted file
# store is created by its first add and left unlocked.
world_key_in() {
  printf '%s' "$world_key" | AWSCREDS_PASSPHRASE_COMMAND='echo bench-passphrase' \
    "$1" add --store "$2" --username "$3" 2>/dev/null
}

# world_cached_session BIN NAME: in the Secret Service, NAME's key with an
# MFA device and a fresh cached session, as a refresh leaves it.
world_cached_session() {
  printf '%s' "$world_key" | "$1" add --store secret-service --username "$2" \
    --mfa-serial arn:aws:iam::123456789012:mfa/bench 2>/dev/null
  local expires
  expires=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
  printf '{"FormatVersion":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","SessionToken":"FwoGZXIvYXdzEXAMPLE","Expiration":"%s"}' "$expires" |
    secret-tool store --label=bench service awscreds-rs username "$2#mfa"
}

# world_login NAME_VAR: in the Secret Service, an AWS sign-in of the
# login session in world_login_session with fresh credentials, as `login`
# leaves it (its entry named as entry.rs names it: #login- and the first
# 8 bytes of the ARN's SHA-256 in hex).
world_login_session=arn:aws:iam::123456789012:user/bench
world_login() {
  local expires now hash
  now=$(date +%s)
  expires=$((now + 7200))
  hash=$(printf '%s' "$world_login_session" | sha256sum | cut -c1-16)
  printf '{"formatVersion":1,"session":"%s","region":"us-east-1","clientId":"arn:aws:signin:::devtools/same-device","refreshToken":"bench-refresh","dpopKey":"AA==","accessKeyId":"ASIAIOSFODNN7EXAMPLE","secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","sessionToken":"FwoGZXIvYXdzEXAMPLE","expiresAt":%s,"signedInAt":%s}' \
    "$world_login_session" "$expires" "$now" |
    secret-tool store --label=bench service awscreds-rs username "#login-$hash"
}

# world_project BIN: $HOME/project, whose allowed .aws-profile names the
# profile `app` of $HOME/.aws/config; and $HOME/other, outside any project.
world_project() {
  mkdir -p "$HOME/.aws" "$HOME/project" "$HOME/other"
  printf '[profile app]\nregion = us-east-1\n' >"$HOME/.aws/config"
  echo app >"$HOME/project/.aws-profile"
  (cd "$HOME/project" && "$1" allow 2>/dev/null)
}
