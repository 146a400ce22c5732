#!/usr/bin/env bash
# The container credentials endpoint beside credential_process calls, all
# against the Secret Service of one gnome-keyring daemon: the median of a
# cached answer (a new connection per request, as the SDKs make them), the
# wall time of 50 requests at once, and hyperfine's medians of a stored
# key, a cached MFA session and a cached Identity Center role. The
# endpoint serves the NAME with the cached MFA session, so no STS call is
# made.
#
# Usage: bench/endpoint.sh [REQUESTS]   (500 sequential requests; after
# scripts/test.sh has installed the packages). Writes
# bench/results/endpoint.json.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-500}
cargo build --release --quiet
mkdir -p bench/results
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work requests
export bench_bin=$PWD/target/release/awscreds-rs
dbus-run-session -- bash -s <<'INNER'
set -euo pipefail
# shellcheck source=bench/world.sh
. bench/world.sh
printf bench-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null
bin=$bench_bin
world_cached_session "$bin" benchmfa
world_key_in "$bin" secret-service bench
expires=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
printf '{"FormatVersion":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","SessionToken":"FwoGZXIvYXdzEXAMPLE","Expiration":"%s"}' "$expires" |
  secret-tool store --label=bench service awscreds-rs username '#sso-bench#111111111111-Admin'
mkdir -p "$HOME/.aws"
printf '[profile bench]\ncredential_process = %s --username benchmfa --store secret-service\n' "$bin" >"$HOME/.aws/config"
"$bin" serve --profile bench --env-file "$HOME/endpoint.env" >/dev/null 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -f "$HOME/endpoint.env" ] && break; sleep 0.1; done
python3 - "$HOME/endpoint.env" "$requests" <<'PY'
import concurrent.futures, json, socket, statistics, sys, time, urllib.parse
env = dict(line.strip().split("=", 1) for line in open(sys.argv[1]))
url = urllib.parse.urlsplit(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
request = (f"GET {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
           f"Authorization: {token}\r\nConnection: close\r\n\r\n").encode()

def get():
    with socket.create_connection((url.hostname, url.port)) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:80]

def timed(f):
    start = time.perf_counter()
    f()
    return (time.perf_counter() - start) * 1000

get()
single = [timed(get) for _ in range(int(sys.argv[2]))]
def fifty():
    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        list(pool.map(lambda _: get(), range(50)))
burst = [timed(fifty) for _ in range(20)]
json.dump({"cached_answer_median_ms": statistics.median(single),
           "fifty_at_once_median_ms": statistics.median(burst)},
          open("endpoint-http.json", "w"))
PY
hyperfine -N --warmup 5 --runs 100 --export-json process.json \
  "$bin --username bench --store secret-service" \
  "$bin --username benchmfa --store secret-service" \
  "$bin --sso-session bench --account-id 111111111111 --role-name Admin --store secret-service" >/dev/null
python3 - <<'PY'
import json
http = json.load(open("endpoint-http.json"))
key, mfa, sso = (r["median"] * 1000 for r in json.load(open("process.json"))["results"])
print(f"endpoint, a cached answer (median):         {http['cached_answer_median_ms']:.2f} ms")
print(f"endpoint, 50 requests at once (median):     {http['fifty_at_once_median_ms']:.2f} ms")
print(f"credential_process, a stored key:           {key:.2f} ms")
print(f"credential_process, a cached MFA session:   {mfa:.2f} ms")
print(f"credential_process, a cached SSO role:      {sso:.2f} ms")
json.dump({**http, "credential_process_median_ms": mfa, "stored_key_median_ms": key,
           "sso_role_median_ms": sso},
          open("bench/results/endpoint.json", "w"), indent=2)
PY
rm -f endpoint-http.json process.json
INNER
