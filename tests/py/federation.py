"""A local STS and AWS console federation endpoint for the tests of
`awscreds-rs console`, in one process so that the federation endpoint knows
where each set of credentials came from, as AWS does.

STS (the Query protocol, XML answers as AWS writes them, on POST /):
AssumeRole, GetFederationToken, GetSessionToken, GetCallerIdentity. The
caller's key id is read from the SigV4 Authorization header (the signature
itself is not checked). Long-term keys are those the test registers.

The federation endpoint, as the IAM User Guide describes it:
  GET /federation?Action=getSigninToken&Session=<URL-encoded JSON
      {"sessionId","sessionKey","sessionToken"}>[&SessionDuration=S]
      -> {"SigninToken": ...}, only for credentials this STS issued through
      AssumeRole or GetFederationToken (not GetSessionToken's, not a
      long-term key); SessionDuration 900 to 43200, and only for
      AssumeRole's.
  GET /federation?Action=login&Issuer=...&Destination=...&SigninToken=...
      -> 302 to Destination, once per token, within 15 minutes.

The test's controls:
  POST /test/key {"id", "secret"}      a long-term key (an IAM user's)
  POST /test/issued {"id", "secret", "token", "via"}
                                       credentials issued elsewhere (an
                                       Identity Center role: via AssumeRole)
  GET  /test/calls                     [operation, ...] in order
  GET  /test/secrets                   every signin token issued
  GET  /test/logins                    [{destination, issuer}, ...]
  GET  /test/federation-tokens         [{name, policy, duration}, ...]

Usage: federation.py PORTFILE
"""
import datetime
import json
import re
import secrets
import threading
import time
import urllib.parse

from aws_fake import AwsHandler, serve

ACCOUNT = "123456789012"
ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
NS = "https://sts.amazonaws.com/doc/2011-06-15/"

LOCK = threading.Lock()
KEYS = {}        # long-term key id -> secret
ISSUED = {}      # temporary key id -> {secret, token, via}
TOKENS = {}      # signin token -> expires (time)
CALLS = []
SECRETS = []
LOGINS = []
FEDERATION_TOKENS = []


def expiration(seconds):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(via, seconds):
    key = "ASIA" + secrets.token_hex(8).upper()
    creds = {"secret": secrets.token_urlsafe(30), "token": secrets.token_urlsafe(60), "via": via}
    ISSUED[key] = creds
    return (f"<Credentials><AccessKeyId>{key}</AccessKeyId>"
            f"<SecretAccessKey>{creds['secret']}</SecretAccessKey>"
            f"<SessionToken>{creds['token']}</SessionToken>"
            f"<Expiration>{expiration(seconds)}</Expiration></Credentials>")


# What the test controls read back (GET), each kept as the fake runs.
RECORDS = {"/test/calls": CALLS, "/test/secrets": SECRETS, "/test/logins": LOGINS,
           "/test/federation-tokens": FEDERATION_TOKENS}


class Handler(AwsHandler):

    def xml(self, action, result):
        body = (f'<{action}Response xmlns="{NS}"><{action}Result>{result}</{action}Result>'
                f"<ResponseMetadata><RequestId>{secrets.token_hex(8)}</RequestId>"
                f"</ResponseMetadata></{action}Response>")
        self.answer(200, body.encode(), content_type="text/xml")

    def sts_error(self, status, code, message):
        body = (f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
                f"<Message>{message}</Message></Error><RequestId>1</RequestId></ErrorResponse>")
        self.answer(status, body.encode(), content_type="text/xml")

    def caller(self):
        found = re.search(r"Credential=([A-Z0-9]+)/", self.headers.get("Authorization", ""))
        return found.group(1) if found else None

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        with LOCK:
            if url.path.startswith("/test/"):
                return self.control(url.path, json.loads(raw or b"{}"))
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            return self.sts(form)

    def control(self, path, body):
        if path == "/test/key":
            KEYS[body["id"]] = body["secret"]
        elif path == "/test/issued":
            ISSUED[body["id"]] = {"secret": body["secret"], "token": body["token"],
                                  "via": body["via"]}
        else:
            return self.answer(404, {"message": path})
        self.answer(200, {})

    def sts(self, form):
        action = form.get("Action")
        CALLS.append(action)
        caller = self.caller()
        long_term = caller in KEYS
        if caller not in KEYS and caller not in ISSUED:
            return self.sts_error(403, "InvalidClientTokenId", "The security token is not valid")
        if action == "GetCallerIdentity":
            return self.xml(action, f"<Arn>arn:aws:iam::{ACCOUNT}:user/helen</Arn>"
                                    f"<UserId>AIDA</UserId><Account>{ACCOUNT}</Account>")
        if action == "AssumeRole":
            role = form.get("RoleArn", "")
            seconds = int(form.get("DurationSeconds", 3600))
            user = (f"<AssumedRoleUser><AssumedRoleId>AROA:{form.get('RoleSessionName')}"
                    f"</AssumedRoleId><Arn>{role}</Arn></AssumedRoleUser>")
            return self.xml(action, issue("AssumeRole", seconds) + user)
        if action == "GetSessionToken":
            if not long_term:
                return self.sts_error(403, "AccessDenied", "GetSessionToken needs a long-term key")
            seconds = int(form.get("DurationSeconds", 43200))
            return self.xml(action, issue("GetSessionToken", seconds))
        if action == "GetFederationToken":
            if not long_term:
                return self.sts_error(403, "AccessDenied",
                                      "GetFederationToken needs an IAM user's long-term key")
            seconds = int(form.get("DurationSeconds", 43200))
            if not 900 <= seconds <= 129600:
                return self.sts_error(400, "ValidationError", "DurationSeconds out of range")
            name = form.get("Name", "")
            if not re.fullmatch(r"[\w+=,.@-]{2,32}", name):
                return self.sts_error(400, "ValidationError", f"Name {name!r}")
            FEDERATION_TOKENS.append({"name": name, "policy": json.loads(form.get("Policy", "null")),
                                      "duration": seconds})
            user = (f"<FederatedUser><FederatedUserId>{ACCOUNT}:{name}</FederatedUserId>"
                    f"<Arn>arn:aws:sts::{ACCOUNT}:federated-user/{name}</Arn></FederatedUser>")
            return self.xml(action, issue("GetFederationToken", seconds) + user)
        self.sts_error(400, "InvalidAction", f"{action}")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        with LOCK:
            if url.path in RECORDS:
                return self.answer(200, RECORDS[url.path])
            if url.path == "/federation":
                return self.federation(query)
        self.answer(404, {"message": url.path})

    def federation(self, query):
        action = query.get("Action")
        CALLS.append(f"federation:{action}")
        if action == "getSigninToken":
            try:
                session = json.loads(query["Session"])
                creds = ISSUED[session["sessionId"]]
            except (KeyError, ValueError):
                return self.answer(400, b"not temporary credentials this STS issued",
                                   content_type="text/plain")
            if (creds["secret"], creds["token"]) != (session.get("sessionKey"),
                                                      session.get("sessionToken")):
                return self.answer(400, b"the session key or token does not match",
                                   content_type="text/plain")
            if creds["via"] not in ("AssumeRole", "GetFederationToken"):
                return self.answer(400, f"credentials from {creds['via']} are refused".encode(),
                                   content_type="text/plain")
            duration = query.get("SessionDuration")
            if duration is not None:
                if creds["via"] != "AssumeRole":
                    return self.answer(400, b"SessionDuration is only for AssumeRole's credentials",
                                       content_type="text/plain")
                if not 900 <= int(duration) <= 43200:
                    return self.answer(400, b"SessionDuration is out of range",
                                       content_type="text/plain")
            token = secrets.token_urlsafe(48)
            TOKENS[token] = time.time() + 900
            SECRETS.append(token)
            return self.answer(200, {"SigninToken": token})
        if action == "login":
            token = query.get("SigninToken", "")
            if TOKENS.pop(token, 0) < time.time():
                return self.answer(400, b"the signin token is not valid", content_type="text/plain")
            destination = query.get("Destination", "")
            LOGINS.append({"destination": destination, "issuer": query.get("Issuer")})
            self.send_response(302)
            self.send_header("Location", destination)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.answer(400, b"unknown Action", content_type="text/plain")


if __name__ == "__main__":
    serve(Handler)
