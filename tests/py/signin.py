"""A local AWS sign-in service for the tests (what `aws login` talks to):
the authorize page of the same-device flow (it signs the browser in at once
and sends it back to the loopback redirect with a code bound to the PKCE
challenge), the cross-device confirmation page, and the token endpoint
(CreateOAuth2Token: the authorization_code and refresh_token grants), spoken
as AWS speaks it (restJson1, the token input as the body, errors with
`x-amzn-ErrorType` and the OAuth2 `error` code), on 127.0.0.1.

Every token request must carry a DPoP proof (RFC 9449): a JWT with header
{"typ": "dpop+jwt", "alg": "ES256", "jwk": P-256 key}, claims htm POST, htu
the token URL, iat within a minute, a jti never seen before, signed with
that key (raw r||s). A refresh token is bound to the key of the sign-in
that issued it, is rotated on every use (the old one is refused), and the
session ends (TOKEN_EXPIRED) after LIFETIME seconds, 12 hours unless the
test says otherwise. boto3 (botocore's LoginCredentialFetcher) and
aws-config's login provider are the check that it speaks what AWS speaks
(tests/signin.rs).

Usage: signin.py PORTFILE
Writes the port it listens on to PORTFILE, then serves until killed.
Imported, it serves nothing: `check_dpop` checks a proof on its own.

The test's controls, beside the API:
  POST /test/lifetime {"seconds": N}   sessions signed in from now on end
                                       after N seconds
  POST /test/credentials-changed       every session's next refresh gets
                                       USER_CREDENTIALS_CHANGED
  POST /test/expires-in {"seconds": N} credentials issued from now on say
                                       they last N seconds (900 unless set)
  GET  /test/calls                     [operation, ...] in order
                                       (Token:GRANT for the token endpoint)
  GET  /test/secrets                   every token, code and key issued
"""
import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from aws_fake import AwsHandler, serve

SAME_DEVICE = "arn:aws:signin:::devtools/same-device"
CROSS_DEVICE = "arn:aws:signin:::devtools/cross-device"
ACCOUNT = "123456789012"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/helen"

LOCK = threading.Lock()
CODES = {}        # code -> {clientId, redirectUri, challenge, expires}
REFRESH = {}      # refreshToken -> {session, clientId, thumbprint}
SESSIONS = {}     # one per sign-in -> {ends, changed}
JTIS = set()
CALLS = []
SECRETS = []
LIFETIME = [12 * 3600]
EXPIRES_IN = [900]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def thumbprint(jwk):
    """RFC 7638: the SHA-256 of the key's required members, in order."""
    members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    return b64url(hashlib.sha256(json.dumps(members, separators=(",", ":"),
                                            sort_keys=True).encode()).digest())


def check_dpop(proof, url):
    """The proof's key thumbprint, or raises ValueError with why not."""
    try:
        head_b64, claims_b64, sig_b64 = proof.split(".")
        head = json.loads(unb64url(head_b64))
        claims = json.loads(unb64url(claims_b64))
        signature = unb64url(sig_b64)
    except Exception as e:
        raise ValueError(f"not a JWT: {e}")
    if head.get("typ") != "dpop+jwt" or head.get("alg") != "ES256":
        raise ValueError(f"header {head}")
    jwk = head.get("jwk") or {}
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
        raise ValueError(f"jwk {jwk}")
    x, y = (int.from_bytes(unb64url(jwk[k]), "big") for k in ("x", "y"))
    key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    if len(signature) != 64:
        raise ValueError("the signature is not r||s of P-256")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                               int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("the signature does not verify with the jwk")
    if claims.get("htm") != "POST":
        raise ValueError(f"htm {claims.get('htm')}")
    if claims.get("htu") != url:
        raise ValueError(f"htu {claims.get('htu')} is not {url}")
    if abs(time.time() - float(claims.get("iat", 0))) > 60:
        raise ValueError("iat is not within a minute")
    jti = claims.get("jti")
    if not jti or jti in JTIS:
        raise ValueError("jti missing or used before")
    JTIS.add(jti)
    return thumbprint(jwk)


def id_token(session):
    head = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    claims = b64url(json.dumps({"sub": session, "iat": int(time.time())}).encode())
    return f"{head}.{claims}."


# What the test controls read back (GET), each kept as the fake runs.
RECORDS = {"/test/calls": CALLS, "/test/secrets": SECRETS}


class Handler(AwsHandler):

    def refuse(self, kind, code, message):
        status = {"AccessDeniedException": 400, "ValidationException": 400}[kind]
        self.answer(status, {"error": code, "message": message}, kind)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        with LOCK:
            if url.path in RECORDS:
                return self.answer(200, RECORDS[url.path])
            if url.path == "/v1/authorize":
                return self.authorize(query)
            if url.path == "/v1/sessions/confirmation":
                # The cross-device page: what the user copies back.
                pasted = base64.b64encode(urllib.parse.urlencode(
                    {"state": query.get("state", ""), "code": query.get("code", "")}
                ).encode()).decode()
                return self.answer(200, f"<p>Paste this code: <code>{pasted}</code></p>".encode(),
                                   content_type="text/html")
        self.answer(404, {"message": f"nothing at {url.path}"})

    def authorize(self, query):
        CALLS.append("Authorize")
        client = query.get("client_id")
        redirect = query.get("redirect_uri", "")
        base = f"http://{self.headers.get('Host')}"
        problems = [
            client not in (SAME_DEVICE, CROSS_DEVICE) and f"client_id {client}",
            query.get("response_type") != "code" and "response_type is not code",
            query.get("code_challenge_method") != "SHA-256" and "code_challenge_method is not SHA-256",
            len(query.get("code_challenge", "")) != 43 and "no SHA-256 code_challenge",
            query.get("scope") != "openid" and "scope is not openid",
            not query.get("state") and "no state",
            client == SAME_DEVICE and not (redirect.startswith("http://127.0.0.1:")
                                          and redirect.endswith("/oauth/callback"))
            and f"redirect_uri {redirect}",
            client == CROSS_DEVICE and redirect != base + "/v1/sessions/confirmation"
            and f"redirect_uri {redirect}",
        ]
        problems = [p for p in problems if p]
        if problems:
            return self.answer(400, {"error": "invalid_request", "message": "; ".join(problems)})
        code = "code-" + secrets.token_hex(16)
        CODES[code] = {"clientId": client, "redirectUri": redirect,
                       "challenge": query["code_challenge"], "expires": time.time() + 300}
        SECRETS.append(code)
        back = urllib.parse.urlencode({"code": code, "state": query["state"]})
        self.send_response(302)
        self.send_header("Location", f"{redirect}?{back}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        with LOCK:
            if url.path == "/test/lifetime":
                LIFETIME[0] = int(body["seconds"])
                return self.answer(200, {})
            if url.path == "/test/expires-in":
                EXPIRES_IN[0] = int(body["seconds"])
                return self.answer(200, {})
            if url.path == "/test/credentials-changed":
                for session in SESSIONS.values():
                    session["changed"] = True
                return self.answer(200, {})
            if url.path == "/v1/token" and not url.query:
                return self.token(body)
        self.answer(404, {"message": f"nothing at {url.path}"})

    def token(self, body):
        grant = body.get("grantType")
        CALLS.append(f"Token:{grant}")
        try:
            key = check_dpop(self.headers.get("DPoP", ""),
                             f"http://{self.headers.get('Host')}/v1/token")
        except ValueError as e:
            return self.refuse("ValidationException", "invalid_dpop_proof", str(e))
        client = body.get("clientId")
        if grant == "authorization_code":
            issued = CODES.pop(body.get("code"), None)
            verifier = body.get("codeVerifier") or ""
            challenge = b64url(hashlib.sha256(verifier.encode()).digest())
            if issued is None or time.time() > issued["expires"]:
                return self.refuse("AccessDeniedException", "AUTHCODE_EXPIRED",
                                   "the authorization code expired or was used")
            if (issued["clientId"] != client or issued["redirectUri"] != body.get("redirectUri")
                    or issued["challenge"] != challenge):
                return self.refuse("ValidationException", "invalid_request",
                                   "the code's client, redirect or verifier does not match")
            # One sign-in of the user: its own lifetime; the idToken's
            # sub is the login session's ARN, the principal's.
            session = secrets.token_hex(6)
            SESSIONS[session] = {"ends": time.time() + LIFETIME[0], "changed": False}
            extra = {"idToken": id_token(PRINCIPAL)}
        elif grant == "refresh_token":
            held = REFRESH.pop(body.get("refreshToken"), None)
            if held is None:
                return self.refuse("AccessDeniedException", "TOKEN_EXPIRED",
                                   "the refresh token is not valid (used, or never issued)")
            if held["thumbprint"] != key or held["clientId"] != client:
                return self.refuse("ValidationException", "invalid_dpop_proof",
                                   "the proof's key is not the one this token is bound to")
            session = held["session"]
            state = SESSIONS[session]
            if state["changed"]:
                return self.refuse("AccessDeniedException", "USER_CREDENTIALS_CHANGED",
                                   "the user's credentials changed; sign in again")
            if time.time() > state["ends"]:
                return self.refuse("AccessDeniedException", "TOKEN_EXPIRED",
                                   "the login session has ended; sign in again")
            extra = {}
        else:
            return self.refuse("ValidationException", "unsupported_grant_type", str(grant))
        refresh = "refresh-" + secrets.token_hex(16)
        REFRESH[refresh] = {"session": session, "clientId": client, "thumbprint": key}
        access = {"accessKeyId": "ASIA" + secrets.token_hex(8).upper(),
                  "secretAccessKey": secrets.token_urlsafe(30),
                  "sessionToken": secrets.token_urlsafe(60)}
        SECRETS.extend([refresh, access["secretAccessKey"], access["sessionToken"]])
        self.answer(200, {"accessToken": access, "tokenType": "aws_sigv4", "expiresIn": EXPIRES_IN[0],
                          "refreshToken": refresh, **extra})


if __name__ == "__main__":
    serve(Handler)
