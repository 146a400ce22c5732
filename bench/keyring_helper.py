"""The hand-written helper people use today: Python's keyring package reads
the same Secret Service entry and prints the credential_process document.

Usage: keyring_helper.py NAME
"""
import json
import sys

import keyring

stored = json.loads(keyring.get_password("awscreds-rs", sys.argv[1]))
document = {"Version": 1, "AccessKeyId": stored["AccessKeyId"],
            "SecretAccessKey": stored["SecretAccessKey"]}
print(json.dumps(document))
