"""boto3 against the local AWS sign-in service (tests/py/signin.py): signs in
as `aws login` does (the same-device authorize page, PKCE with SHA-256, the
code grant with a DPoP proof from a P-256 key made here), writes the AWS
CLI's login cache for that session, and lets botocore's own login provider
(a profile with `login_session`) refresh from it: the DPoP proof it signs
must pass the fake's checks. Then the fake's refusals as botocore reads
them: a refresh token used twice, and a session past its lifetime.
Prints what it saw as JSON; an exception fails it.

Usage: signin_boto3.py ENDPOINT DIR [--cache-only | --refreshed-cache]
DIR gets the config file (profile `signed-in`) and the login cache.
With --cache-only it signs in, writes them, prints {"session", "key" (the
cached, expired key), "cache", "refreshToken", "pkcs8" (the DPoP key, base64
of its PKCS#8 DER)} and stops: another client refreshes from there.
With --refreshed-cache botocore refreshes once, which rewrites the cache
file with botocore's own writer, and it prints {"session", "key" (the
refreshed key), "cache"} and stops.
"""
import base64
import datetime
import hashlib
import json
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

endpoint, work = sys.argv[1], sys.argv[2]
CLIENT = "arn:aws:signin:::devtools/same-device"
REDIRECT = "http://127.0.0.1:9/oauth/callback"
seen = {}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def dpop(key, url):
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256",
           "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
    head = b64url(json.dumps({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}).encode())
    claims = b64url(json.dumps({"jti": secrets.token_hex(16), "htm": "POST", "htu": url,
                                "iat": int(time.time())}).encode())
    r, s = decode_dss_signature(key.sign(f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256())))
    return f"{head}.{claims}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def post(path, body, proof_key=None):
    url = endpoint + path
    headers = {"Content-Type": "application/json"}
    if proof_key is not None:
        headers["DPoP"] = dpop(proof_key, url)
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    try:
        return json.load(urllib.request.urlopen(request))
    except urllib.error.HTTPError as e:
        return {"refused": json.load(e), "type": e.headers.get("x-amzn-ErrorType")}


class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def sign_in(key):
    verifier = secrets.token_urlsafe(48)
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": CLIENT, "state": "st",
        "code_challenge_method": "SHA-256", "scope": "openid", "redirect_uri": REDIRECT,
        "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest())})
    try:
        urllib.request.build_opener(Stay).open(f"{endpoint}/v1/authorize?{query}")
        raise SystemExit("/v1/authorize did not send the browser back")
    except urllib.error.HTTPError as e:
        back = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(e.headers["Location"]).query))
    token = post("/v1/token", {"clientId": CLIENT, "grantType": "authorization_code",
                               "code": back["code"], "codeVerifier": verifier,
                               "redirectUri": REDIRECT}, key)
    assert "accessToken" in token, token
    claims = token["idToken"].split(".")[1]
    session = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["sub"]
    return token, session


def cache(key, token, session):
    """The AWS CLI's cache file for the session, its credentials expired."""
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1))
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    path = os.path.join(work, "login-cache", hashlib.sha256(session.encode()).hexdigest() + ".json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"accessToken": {**token["accessToken"], "accountId": "123456789012",
                                   "expiresAt": past.strftime("%Y-%m-%dT%H:%M:%SZ")},
                   "tokenType": "aws_sigv4", "clientId": CLIENT,
                   "refreshToken": token["refreshToken"], "idToken": token["idToken"],
                   "dpopKey": pem}, f)
    return path


key = ec.generate_private_key(ec.SECP256R1())
token, session = sign_in(key)
seen["session"] = session
path = cache(key, token, session)
config = os.path.join(work, "config")
with open(config, "w") as f:
    f.write(f"[profile signed-in]\nlogin_session = {session}\nregion = us-east-1\n")
if sys.argv[3:] == ["--cache-only"]:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    print(json.dumps({"session": session, "key": token["accessToken"]["accessKeyId"],
                      "cache": path, "refreshToken": token["refreshToken"],
                      "pkcs8": base64.b64encode(der).decode()}))
    sys.exit(0)
os.environ.update(AWS_CONFIG_FILE=config, AWS_LOGIN_CACHE_DIRECTORY=os.path.join(work, "login-cache"),
                  AWS_ENDPOINT_URL_SIGNIN=endpoint, AWS_SHARED_CREDENTIALS_FILE=os.devnull)

import boto3  # noqa: E402  (after the environment it reads)
import botocore.exceptions  # noqa: E402

creds = boto3.Session(profile_name="signed-in").get_credentials().get_frozen_credentials()
seen["refreshed"] = creds.access_key != token["accessToken"]["accessKeyId"]
if sys.argv[3:] == ["--refreshed-cache"]:
    assert seen["refreshed"], "botocore did not refresh"
    print(json.dumps({"session": session, "key": creds.access_key, "cache": path}))
    sys.exit(0)
with open(path) as f:
    rotated = json.load(f)["refreshToken"]
seen["rotated"] = rotated != token["refreshToken"]
# The first refresh token is spent: the fake refuses it, as AWS does.
again = post("/v1/token", {"clientId": CLIENT, "grantType": "refresh_token",
                           "refreshToken": token["refreshToken"]}, key)
seen["reused"] = again.get("refused", {}).get("error")
# Another key than the one the token is bound to.
other = post("/v1/token", {"clientId": CLIENT, "grantType": "refresh_token",
                           "refreshToken": rotated}, ec.generate_private_key(ec.SECP256R1()))
seen["other_key"] = other.get("refused", {}).get("error")

# A session past its lifetime: botocore asks for a new sign-in.
post("/test/lifetime", {"seconds": 0})
key = ec.generate_private_key(ec.SECP256R1())
token, session = sign_in(key)
cache(key, token, session)
with open(config, "w") as f:
    f.write(f"[profile signed-in]\nlogin_session = {session}\nregion = us-east-1\n")
try:
    boto3.Session(profile_name="signed-in").get_credentials().get_frozen_credentials()
    raise SystemExit("a session past its lifetime was refreshed")
except botocore.exceptions.BotoCoreError as e:
    seen["expired"] = type(e).__name__
print(json.dumps(seen))
