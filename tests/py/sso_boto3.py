"""boto3's own sso-oidc and sso clients against the local Identity Center
(tests/py/identity_center.py): the device flow, the authorization code with
PKCE (a wrong verifier and a used code refused), the refresh token, every
page of the accounts and roles, role credentials, and the errors as boto3
parses them. Prints what it saw as JSON; an exception fails it.

Usage: sso_boto3.py ENDPOINT
       sso_boto3.py ENDPOINT --cache FILE START_URL
The second form logs in with boto3's client and writes the token the way
the AWS CLI caches it (~/.aws/sso/cache/*.json, botocore's keys), for
`awscreds-rs import --sso` to move.
"""
import base64
import hashlib
import json
import secrets as pysecrets
import sys
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions

endpoint = sys.argv[1]
oidc = boto3.client("sso-oidc", region_name="eu-west-1", endpoint_url=endpoint)
portal = boto3.client("sso", region_name="eu-west-1", endpoint_url=endpoint)
seen = {}


def control(path, body):
    request = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()


if len(sys.argv) > 2 and sys.argv[2] == "--cache":
    import datetime
    client = oidc.register_client(clientName="botocore-client-corp", clientType="public",
                                  scopes=["sso:account:access"])
    device = oidc.start_device_authorization(clientId=client["clientId"],
                                             clientSecret=client["clientSecret"],
                                             startUrl=sys.argv[4])
    control("/test/approve", {"userCode": device["userCode"]})
    token = oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                              grantType="urn:ietf:params:oauth:grant-type:device_code",
                              deviceCode=device["deviceCode"])
    def iso(seconds):
        at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(sys.argv[3], "w") as f:
        json.dump({"startUrl": sys.argv[4], "region": "eu-west-1",
                   "accessToken": token["accessToken"], "expiresAt": iso(token["expiresIn"]),
                   "clientId": client["clientId"], "clientSecret": client["clientSecret"],
                   "registrationExpiresAt": iso(90 * 86400),
                   "refreshToken": token["refreshToken"]}, f)
    sys.exit(0)

client = oidc.register_client(clientName="probe", clientType="public",
                              scopes=["sso:account:access"])
device = oidc.start_device_authorization(clientId=client["clientId"],
                                         clientSecret=client["clientSecret"],
                                         startUrl="https://example.awsapps.com/start")
grant = "urn:ietf:params:oauth:grant-type:device_code"
args = dict(clientId=client["clientId"], clientSecret=client["clientSecret"],
            grantType=grant, deviceCode=device["deviceCode"])
try:
    oidc.create_token(**args)
    raise SystemExit("CreateToken before approval succeeded")
except oidc.exceptions.AuthorizationPendingException as e:
    seen["pending"] = e.response["error"]
try:
    oidc.create_token(**args)
    raise SystemExit("a poll at once was not told to slow down")
except oidc.exceptions.SlowDownException as e:
    seen["slow_down"] = e.response["error"]
control("/test/approve", {"userCode": device["userCode"]})
token = oidc.create_token(**args)
seen["refresh_token"] = "refreshToken" in token
again = oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                          grantType="refresh_token", refreshToken=token["refreshToken"])
access = again["accessToken"]

accounts = []
for page in portal.get_paginator("list_accounts").paginate(accessToken=access):
    accounts += [a["accountId"] for a in page["accountList"]]
seen["accounts"] = accounts
roles = []
for page in portal.get_paginator("list_account_roles").paginate(accessToken=access,
                                                                 accountId=accounts[0]):
    roles += [r["roleName"] for r in page["roleList"]]
seen["roles"] = roles
creds = portal.get_role_credentials(roleName=roles[0], accountId=accounts[0],
                                    accessToken=access)["roleCredentials"]
seen["role_key"] = creds["accessKeyId"][:4]
seen["expiration_ms"] = creds["expiration"] > 10**12
try:
    portal.get_role_credentials(roleName=roles[0], accountId=accounts[0], accessToken="nope")
    raise SystemExit("a bad access token was accepted")
except portal.exceptions.UnauthorizedException as e:
    seen["unauthorized"] = e.response["Error"]["Code"]
portal.logout(accessToken=access)

# The authorization code with PKCE, as the AWS CLI (2.22 and later) signs
# in: botocore's own request shapes for the registration and the grant.
client = oidc.register_client(clientName="probe-pkce", clientType="public",
                              scopes=["sso:account:access"],
                              grantTypes=["authorization_code", "refresh_token"],
                              redirectUris=["http://127.0.0.1/oauth/callback"],
                              issuerUrl="https://example.awsapps.com/start")
verifier = pysecrets.token_urlsafe(48)
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
redirect = "http://127.0.0.1:9/oauth/callback"


class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def authorize():
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": client["clientId"], "redirect_uri": redirect,
        "state": "st", "code_challenge_method": "S256", "scopes": "sso:account:access",
        "code_challenge": challenge})
    try:
        urllib.request.build_opener(Stay).open(endpoint + "/authorize?" + query)
    except urllib.error.HTTPError as e:
        back = urllib.parse.urlsplit(e.headers["Location"])
        assert back.netloc == "127.0.0.1:9", back
        return dict(urllib.parse.parse_qsl(back.query))
    raise SystemExit("/authorize did not send the browser back")


back = authorize()
seen["state_back"] = back["state"]
code_args = dict(clientId=client["clientId"], clientSecret=client["clientSecret"],
                 grantType="authorization_code", redirectUri=redirect, code=back["code"])
try:
    oidc.create_token(codeVerifier="x" * 64, **code_args)
    raise SystemExit("a wrong verifier was accepted")
except oidc.exceptions.InvalidGrantException as e:
    seen["wrong_verifier"] = e.response["error"]
back = authorize()
code_args["code"] = back["code"]
token = oidc.create_token(codeVerifier=verifier, **code_args)
seen["code_refresh_token"] = "refreshToken" in token
try:
    oidc.create_token(codeVerifier=verifier, **code_args)
    raise SystemExit("a code was accepted twice")
except oidc.exceptions.InvalidGrantException as e:
    seen["code_reused"] = e.response["error"]
print(json.dumps(seen))
