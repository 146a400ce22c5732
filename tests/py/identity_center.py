"""A local IAM Identity Center for the tests: the OIDC service (sso-oidc:
RegisterClient, StartDeviceAuthorization, CreateToken with the device code,
the refresh token and the authorization code, and the /authorize page that
signs the browser in at once and sends it back with a code, as PKCE
demands) and the portal (sso:
GetRoleCredentials, ListAccounts, ListAccountRoles, Logout), spoken as AWS
speaks them (restJson1; errors with `x-amzn-ErrorType` and the OAuth
`error` field), on 127.0.0.1. boto3's own sso-oidc and sso clients are the
check that it does (tests/sso.rs).

Usage: identity_center.py PORTFILE
Writes the port it listens on to PORTFILE, then serves until killed.

The test's controls, beside the API:
  POST /test/approve {"userCode": C}      the user approves the device code
  POST /test/deny-next                    the next /authorize is refused
                                          (error=access_denied)
  GET  /test/registrations                every RegisterClient's request
  POST /test/expire-access-tokens         every access token expires now
  GET  /test/calls                        [operation, ...] in order
                                          (CreateToken:GRANT for CreateToken)
  GET  /test/secrets                      every token and client secret issued
"""
import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse

from aws_fake import AwsHandler, serve

LOCK = threading.Lock()
CLIENTS = {}      # clientId -> {secret, scopes}
DEVICES = {}      # deviceCode -> {userCode, clientId, approved, expires, lastPoll}
ACCESS = {}       # accessToken -> expires (epoch seconds)
REFRESH = {}      # refreshToken -> clientId
CALLS = []
CODES = {}        # code -> {clientId, redirectUri, challenge, expires}
REGISTRATIONS = []
DENY_NEXT = [False]
SECRETS = []      # every token and client secret handed out
ACCOUNTS = [
    {"accountId": f"1111111111{i:02d}", "accountName": f"account-{i}",
     "emailAddress": f"a{i}@example.com"}
    for i in range(3)
]
ROLES = ["ReadOnly", "Admin"]
PAGE = 2          # small pages, so that a client must follow nextToken
INTERVAL = 1      # seconds between polls that StartDeviceAuthorization asks


# What the test controls read back (GET), each kept as the fake runs.
RECORDS = {"/test/calls": CALLS, "/test/secrets": SECRETS, "/test/registrations": REGISTRATIONS}


class Handler(AwsHandler):

    def oauth_error(self, status, kind, code, description):
        # sso-oidc's errors carry the OAuth `error` field and the
        # exception's name in x-amzn-ErrorType, as AWS sends them.
        self.answer(status, {"error": code, "error_description": description}, kind)

    def unauthorized(self, message):
        self.answer(401, {"message": message}, "UnauthorizedException")

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw or b"{}")

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        body = self.body()
        with LOCK:
            if path == "/client/register":
                CALLS.append("RegisterClient")
                REGISTRATIONS.append(body)
                grants = body.get("grantTypes") or []
                if grants and (set(grants) - {"authorization_code", "refresh_token"}
                               or not body.get("redirectUris") or not body.get("issuerUrl")):
                    return self.oauth_error(400, "InvalidRequestException", "invalid_request",
                                            "authorization_code needs redirectUris and issuerUrl")
                client_id = "client-" + secrets.token_hex(6)
                CLIENTS[client_id] = {"secret": "secret-" + secrets.token_hex(16),
                                      "scopes": body.get("scopes") or [],
                                      "grants": grants,
                                      "redirects": body.get("redirectUris") or []}
                SECRETS.append(CLIENTS[client_id]["secret"])
                now = int(time.time())
                return self.answer(200, {
                    "clientId": client_id,
                    "clientSecret": CLIENTS[client_id]["secret"],
                    "clientIdIssuedAt": now,
                    "clientSecretExpiresAt": now + 90 * 86400,
                })
            if path == "/device_authorization":
                CALLS.append("StartDeviceAuthorization")
                if not self.client_ok(body):
                    return self.oauth_error(401, "InvalidClientException", "invalid_client",
                                            "unknown client")
                code = "device-" + secrets.token_hex(8)
                user_code = secrets.token_hex(2).upper() + "-" + secrets.token_hex(2).upper()
                DEVICES[code] = {"userCode": user_code, "clientId": body["clientId"],
                                 "approved": False, "expires": time.time() + 600,
                                 "lastPoll": 0.0}
                uri = f"http://127.0.0.1:{self.server.server_port}/start/#/device"
                return self.answer(200, {
                    "deviceCode": code, "userCode": user_code,
                    "verificationUri": uri,
                    "verificationUriComplete": f"{uri}?user_code={user_code}",
                    "expiresIn": 600, "interval": INTERVAL,
                })
            if path == "/token":
                grant = body.get("grantType", "")
                CALLS.append("CreateToken:" + ("device_code" if grant.endswith("device_code") else grant))
                return self.create_token(body)
            if path == "/logout":
                CALLS.append("Logout")
                ACCESS.pop(self.headers.get("x-amz-sso_bearer_token", ""), None)
                return self.answer(200, {})
            if path == "/test/approve":
                for device in DEVICES.values():
                    if device["userCode"] == body.get("userCode"):
                        device["approved"] = True
                        return self.answer(200, {})
                return self.answer(404, {"message": "no such user code"})
            if path == "/test/deny-next":
                DENY_NEXT[0] = True
                return self.answer(200, {})
            if path == "/test/expire-access-tokens":
                for token in ACCESS:
                    ACCESS[token] = 0
                return self.answer(200, {})
        self.answer(404, {"message": f"no operation at {path}"}, "ResourceNotFoundException")

    def client_ok(self, body):
        client = CLIENTS.get(body.get("clientId"))
        return client is not None and client["secret"] == body.get("clientSecret")

    def create_token(self, body):
        if not self.client_ok(body):
            return self.oauth_error(401, "InvalidClientException", "invalid_client", "unknown client")
        grant = body.get("grantType")
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            device = DEVICES.get(body.get("deviceCode"))
            if device is None or time.time() > device["expires"]:
                return self.oauth_error(400, "ExpiredTokenException", "expired_token",
                                        "the device code expired")
            if not device["approved"]:
                too_soon = time.time() - device["lastPoll"] < INTERVAL - 0.2
                device["lastPoll"] = time.time()
                if too_soon:
                    return self.oauth_error(400, "SlowDownException", "slow_down", "slow down")
                return self.oauth_error(400, "AuthorizationPendingException",
                                        "authorization_pending", "not approved yet")
            del DEVICES[body["deviceCode"]]
            client_id = body["clientId"]
        elif grant == "refresh_token":
            client_id = REFRESH.pop(body.get("refreshToken"), None)
            if client_id != body.get("clientId"):
                return self.oauth_error(400, "InvalidGrantException", "invalid_grant",
                                        "unknown refresh token")
        elif grant == "authorization_code":
            issued = CODES.pop(body.get("code"), None)
            verifier = body.get("codeVerifier") or ""
            challenge = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if (issued is None or time.time() > issued["expires"]
                    or issued["clientId"] != body.get("clientId")
                    or issued["redirectUri"] != body.get("redirectUri")
                    or issued["challenge"] != challenge
                    or not 43 <= len(verifier) <= 128):
                return self.oauth_error(400, "InvalidGrantException", "invalid_grant",
                                        "the code, its verifier or its redirect does not match")
            client_id = body["clientId"]
        else:
            return self.oauth_error(400, "UnsupportedGrantTypeException",
                                    "unsupported_grant_type", str(grant))
        access = "access-" + secrets.token_hex(16)
        ACCESS[access] = time.time() + 3600
        SECRETS.append(access)
        answer = {"accessToken": access, "tokenType": "Bearer", "expiresIn": 3600}
        # A refresh token only for a client registered with scopes, as
        # Identity Center issues one (sso_registration_scopes).
        if CLIENTS[client_id]["scopes"]:
            refresh = "refresh-" + secrets.token_hex(16)
            REFRESH[refresh] = client_id
            SECRETS.append(refresh)
            answer["refreshToken"] = refresh
        return self.answer(200, answer)

    def authorize(self, query):
        """The sign-in page: a browser that reaches it is signed in at once
        and sent back to the client's loopback redirect with a code bound
        to the PKCE challenge (or with error=access_denied when the test
        asked for a refusal)."""
        CALLS.append("Authorize")
        client = CLIENTS.get(query.get("client_id"))
        redirect = urllib.parse.urlsplit(query.get("redirect_uri", ""))
        registered = [urllib.parse.urlsplit(r) for r in (client or {}).get("redirects", [])]
        problems = [
            client is None and "unknown client_id",
            client and "authorization_code" not in client["grants"]
            and "the client is not registered for authorization_code",
            query.get("response_type") != "code" and "response_type is not code",
            query.get("code_challenge_method") != "S256" and "code_challenge_method is not S256",
            len(query.get("code_challenge", "")) != 43 and "no S256 code_challenge",
            not query.get("state") and "no state",
            not query.get("scopes") and "no scopes",
            not any(r.scheme == redirect.scheme and r.hostname == redirect.hostname
                    and r.path == redirect.path for r in registered)
            and "redirect_uri is not registered",
        ]
        problems = [p for p in problems if p]
        if problems:
            return self.answer(400, {"error": "invalid_request",
                                     "error_description": "; ".join(problems)})
        back = {"state": query["state"]}
        if DENY_NEXT[0]:
            DENY_NEXT[0] = False
            back.update(error="access_denied", error_description="The user said no")
        else:
            code = "code-" + secrets.token_hex(16)
            CODES[code] = {"clientId": query["client_id"], "redirectUri": query["redirect_uri"],
                           "challenge": query["code_challenge"], "expires": time.time() + 300}
            SECRETS.append(code)
            back["code"] = code
        self.send_response(302)
        self.send_header("Location", query["redirect_uri"] + "?" + urllib.parse.urlencode(back))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def token_ok(self):
        token = self.headers.get("x-amz-sso_bearer_token", "")
        return ACCESS.get(token, 0) > time.time()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        with LOCK:
            if url.path in RECORDS:
                return self.answer(200, RECORDS[url.path])
            if url.path == "/authorize":
                return self.authorize(query)
            operation = {"/federation/credentials": "GetRoleCredentials",
                         "/assignment/accounts": "ListAccounts",
                         "/assignment/roles": "ListAccountRoles"}.get(url.path)
            if operation is None:
                return self.answer(404, {"message": f"no operation at {url.path}"},
                                   "ResourceNotFoundException")
            CALLS.append(operation)
            if not self.token_ok():
                return self.unauthorized("Session token not found or invalid")
            if operation == "GetRoleCredentials":
                if query.get("role_name") not in ROLES or not any(
                        a["accountId"] == query.get("account_id") for a in ACCOUNTS):
                    return self.answer(403, {"message": "No access"}, "ForbiddenException")
                role = {
                    "accessKeyId": "ASIA" + secrets.token_hex(8).upper(),
                    "secretAccessKey": secrets.token_urlsafe(30),
                    "sessionToken": secrets.token_urlsafe(60),
                    "expiration": int((time.time() + 3600) * 1000),
                }
                SECRETS.extend([role["secretAccessKey"], role["sessionToken"]])
                return self.answer(200, {"roleCredentials": role})
            if operation == "ListAccounts":
                items = ACCOUNTS
                key = "accountList"
            else:
                items = [{"roleName": r, "accountId": query.get("account_id")} for r in ROLES]
                key = "roleList"
            start = int(query.get("next_token") or 0)
            page = {key: items[start:start + PAGE]}
            if start + PAGE < len(items):
                page["nextToken"] = str(start + PAGE)
            return self.answer(200, page)


serve(Handler)
