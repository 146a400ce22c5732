"""How botocore reads pairs of AWS files: for each folder named on the
command line (holding `config` and `credentials`), the profiles botocore
sees with each one's region and credential_process, or the error it
raises; once for both files ("both") and once for the config file alone
("config"). Prints a JSON list, one entry per folder, in order.
"""
import json
import os
import sys

import botocore.session


def read(config: str, credentials: str) -> dict:
    os.environ["AWS_CONFIG_FILE"] = config
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = credentials
    try:
        profiles = botocore.session.Session().full_config["profiles"]
    except Exception as error:  # the test compares outcomes, not messages
        return {"error": f"{type(error).__name__}: {error}"}
    return {
        "profiles": {
            name: {
                "region": values.get("region"),
                "credential_process": values.get("credential_process"),
            }
            for name, values in profiles.items()
        }
    }


def main() -> int:
    out = []
    for folder in sys.argv[1:]:
        config = os.path.join(folder, "config")
        out.append({
            "both": read(config, os.path.join(folder, "credentials")),
            "config": read(config, os.path.join(folder, "no-such-file")),
        })
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
