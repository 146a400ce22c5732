"""boto3's own sso-oidc and sso clients against the local Identity Center
(tests/py/identity_center.py): the device flow, the refresh token, every
page of the accounts and roles, role credentials, and the errors as boto3
parses them. Prints what it saw as JSON; an exception fails it.

Usage: sso_boto3.py ENDPOINT
       sso_boto3.py ENDPOINT --cache FILE START_URL
The second form logs in with boto3's client and writes the token the way
the AWS CLI caches it (~/.aws/sso/cache/*.json, botocore's keys), for
`awscreds-rs import --sso` to move.
"""
import json
import sys
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
print(json.dumps(seen))
