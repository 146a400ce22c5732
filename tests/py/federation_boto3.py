"""boto3 against the local STS and federation endpoint (tests/py/federation.py):
AssumeRole, GetFederationToken and GetSessionToken through botocore's own
STS client, then each session at the federation endpoint as the IAM User
Guide's sample does it: what it accepts and refuses. Prints what it saw as
JSON; an exception fails it.

Usage: federation_boto3.py ENDPOINT
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import boto3

endpoint = sys.argv[1]
KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
urllib.request.urlopen(urllib.request.Request(
    endpoint + "/test/key", data=json.dumps({"id": KEY, "secret": SECRET}).encode()))
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id=KEY, aws_secret_access_key=SECRET)
policy = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
sessions = {
    "role": sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/deploy",
                            RoleSessionName="helen")["Credentials"],
    "federated": sts.get_federation_token(Name="helen", Policy=policy,
                                          DurationSeconds=3600)["Credentials"],
    "session": sts.get_session_token()["Credentials"],
    "key": {"AccessKeyId": KEY, "SecretAccessKey": SECRET, "SessionToken": ""},
}


class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def signin_token(creds, duration=None):
    session = json.dumps({"sessionId": creds["AccessKeyId"], "sessionKey": creds["SecretAccessKey"],
                          "sessionToken": creds["SessionToken"]})
    query = {"Action": "getSigninToken", "Session": session}
    if duration:
        query["SessionDuration"] = str(duration)
    try:
        answer = urllib.request.urlopen(f"{endpoint}/federation?{urllib.parse.urlencode(query)}")
        return json.load(answer)["SigninToken"]
    except urllib.error.HTTPError as e:
        return "refused " + str(e.code)


seen = {name: signin_token(creds)[:7] for name, creds in sessions.items()}
seen["role_12h"] = signin_token(sessions["role"], 43200)[:7]
seen["role_13h"] = signin_token(sessions["role"], 46800)
seen["federated_duration"] = signin_token(sessions["federated"], 3600)
token = signin_token(sessions["role"])
login = urllib.parse.urlencode({"Action": "login", "Issuer": "test", "SigninToken": token,
                                "Destination": "https://console.aws.amazon.com/"})
try:
    urllib.request.build_opener(Stay).open(f"{endpoint}/federation?{login}")
except urllib.error.HTTPError as e:
    seen["login"] = [e.code, e.headers["Location"]]
try:
    urllib.request.build_opener(Stay).open(f"{endpoint}/federation?{login}")
except urllib.error.HTTPError as e:
    seen["login_again"] = e.code
print(json.dumps(seen))
