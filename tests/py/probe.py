"""Resolves a profile's credentials with boto3 and prints them as JSON.

Usage: probe.py PROFILE ("": the default chain). On failure: the exception on stderr, exit 1.
"""
import json
import sys

import boto3


def main() -> int:
    try:
        credentials = boto3.Session(profile_name=sys.argv[1] or None).get_credentials()
        if credentials is None:
            raise RuntimeError("boto3 found no credentials")
        frozen = credentials.get_frozen_credentials()
    except Exception as error:  # the test reads the message
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    expiry = getattr(credentials, "_expiry_time", None)
    print(json.dumps({
        "AccessKeyId": frozen.access_key,
        "SecretAccessKey": frozen.secret_key,
        "SessionToken": frozen.token,
        "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ") if expiry else None,
        "Method": credentials.method,
    }))
    return 0


sys.exit(main())
