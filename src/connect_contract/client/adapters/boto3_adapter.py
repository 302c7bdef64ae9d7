"""Built-in adapter: boto3, the way an application calls it (one client, keyword arguments).

A member given as JSON null is passed as ``None``: boto3 refuses it before sending, which the harness
reports as a local rejection.  Run as ``python -m connect_contract.client.adapters.boto3_adapter``.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from connect_contract.client.adapters.pymain import Call, Result, serve
from connect_contract.model import OPERATION_NAME, SERVICE_NAME


def make_call() -> Call:
    # The names, not load_operation(): parsing the model a second time (boto3 parses it too) would
    # double the adapter's start-up cost in one-shot mode.
    client = boto3.client(
        SERVICE_NAME,
        endpoint_url=os.environ["CONNECT_CONTRACT_ENDPOINT"],
        region_name=os.environ["AWS_REGION"],
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    )
    method = getattr(client, xform_name(OPERATION_NAME))

    def call(payload: dict[str, Any]) -> Result:
        try:
            method(**payload)
        except ParamValidationError as exc:
            return {"outcome": "rejected", "message": str(exc)}
        except ClientError as exc:
            error = exc.response.get("Error", {})
            return {"outcome": "error", "code": str(error.get("Code")), "message": error.get("Message")}
        except BotoCoreError as exc:  # e.g. a response botocore could not parse
            return {"outcome": "error", "code": type(exc).__name__, "message": str(exc)}
        return {"outcome": "success"}

    return call


if __name__ == "__main__":
    serve(make_call)
