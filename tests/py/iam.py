"""The local IAM (moto behind the test proxy), driven with boto3 the way a
user would drive AWS: set up a user, make or delete keys, ask whether a key
works, and sign a call through a profile.

Usage:
  iam.py bootstrap ENDPOINT            a user 'helen' allowed everything, and her
                                       first key, printed as `aws iam
                                       create-access-key` prints it
  iam.py create-key ENDPOINT ID SECRET a second key for the key's own user
  iam.py keys ENDPOINT ID SECRET       the ids of the user's keys, one a line
  iam.py prune ENDPOINT ID SECRET KEEP deletes every key of the user but KEEP
  iam.py accepts ENDPOINT ID SECRET    exit 0 when AWS accepts the key, else 1
  iam.py whoami ENDPOINT PROFILE       GetCallerIdentity signed through PROFILE
"""
import json
import sys

import boto3
import botocore.exceptions


def client(service, endpoint, key_id="AKIAAAAAAAAAAAAAAAAA", secret="x"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key_id, aws_secret_access_key=secret)


command, endpoint, *rest = sys.argv[1:]
if command == "bootstrap":
    iam = client("iam", endpoint)
    iam.create_user(UserName="helen")
    iam.put_user_policy(UserName="helen", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="helen")["AccessKey"]
    key["CreateDate"] = key["CreateDate"].isoformat()
    print(json.dumps({"AccessKey": key}))
elif command == "create-key":
    print(client("iam", endpoint, *rest).create_access_key()["AccessKey"]["AccessKeyId"])
elif command == "keys":
    for k in client("iam", endpoint, *rest).list_access_keys()["AccessKeyMetadata"]:
        print(k["AccessKeyId"])
elif command == "prune":
    key_id, secret, keep = rest
    iam = client("iam", endpoint, key_id, secret)
    for k in iam.list_access_keys()["AccessKeyMetadata"]:
        if k["AccessKeyId"] != keep:
            iam.delete_access_key(AccessKeyId=k["AccessKeyId"])
elif command == "accepts":
    try:
        client("sts", endpoint, *rest).get_caller_identity()
    except botocore.exceptions.ClientError as e:
        print(e, file=sys.stderr)
        sys.exit(1)
elif command == "whoami":
    session = boto3.Session(profile_name=rest[0])
    print(session.client("sts", endpoint_url=endpoint).get_caller_identity()["Arn"])
else:
    sys.exit(f"unknown command {command}")
