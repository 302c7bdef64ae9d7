#!/usr/bin/env python3
"""Example connect-contract adapter, in Python, around boto3 (one-shot protocol).

connect-contract check-client --client-cmd "python examples/adapters/python_adapter.py"

stdin: one JSON object, the call's input with the model's member names (null = an explicit None).
stdout, last line: {"outcome": "success"} | {"outcome": "error", "code": ..., "message": ...}
                   | {"outcome": "rejected", "message": ...}; exit 0 in all three cases.
"""

import json
import os
import sys

import boto3
from botocore.exceptions import ClientError, ParamValidationError


def main() -> None:
    call_input = json.load(sys.stdin)
    client = boto3.client(
        "connect",
        endpoint_url=os.environ["CONNECT_CONTRACT_ENDPOINT"],
        region_name=os.environ["AWS_REGION"],
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    )  # AWS_MAX_ATTEMPTS comes from the environment the harness sets
    try:
        client.update_participant_authentication(**call_input)
        result = {"outcome": "success"}
    except ParamValidationError as exc:  # refused before anything was sent
        result = {"outcome": "rejected", "message": str(exc)}
    except ClientError as exc:
        error = exc.response["Error"]
        result = {"outcome": "error", "code": error.get("Code"), "message": error.get("Message")}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
