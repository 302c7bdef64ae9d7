"""Built-in adapter: boto3, the way an application calls it (one client, keyword arguments).

The operation is ``CONNECT_CONTRACT_SERVICE`` / ``CONNECT_CONTRACT_OPERATION`` (unset: the mission
operation), called as ``client.<snake_name>(**input)``.  The input arrives in the documented encoding
and is turned into what botocore takes (datetimes, bytes); the parsed output goes back the same way,
without ``ResponseMetadata``.  A member given as JSON null is passed as ``None``: boto3 refuses it before
sending, which the harness reports as a local rejection.  Host prefixes (``api-fulfill.`` ...) are not
prepended, so the call reaches the scripted server's address.  The endpoint is
``CONNECT_CONTRACT_ENDPOINT`` plus the base path botocore's own endpoint rules give the service (none for
any rest-json service of botocore 1.44.8; see :mod:`.base_path`).
Run as ``python -m connect_contract.client.adapters.boto3_adapter``.
"""

from __future__ import annotations

import os
from typing import Any

import boto3.session
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from connect_contract.client.adapters.base_path import client_session, rules_base_path, with_base_path
from connect_contract.client.adapters.pymain import Call, Result, serve
from connect_contract.client.values import from_python, to_python
from connect_contract.operations import DEFAULT_OPERATION, DEFAULT_SERVICE


def make_call() -> Call:
    service = os.environ.get("CONNECT_CONTRACT_SERVICE") or DEFAULT_SERVICE
    operation = os.environ.get("CONNECT_CONTRACT_OPERATION") or DEFAULT_OPERATION
    region = os.environ["AWS_REGION"]
    base_path = rules_base_path(service, operation, region)
    client = boto3.session.Session(botocore_session=client_session()).client(
        service,
        endpoint_url=with_base_path(os.environ["CONNECT_CONTRACT_ENDPOINT"], base_path),
        region_name=region,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(inject_host_prefix=False),
    )
    method = getattr(client, xform_name(operation))
    input_shape = client.meta.service_model.operation_model(operation).input_shape

    def call(payload: dict[str, Any]) -> Result:
        params = to_python(input_shape, payload) if input_shape is not None else payload
        try:
            response = method(**params)
            response.pop("ResponseMetadata", None)
            output = from_python(response)
        except ParamValidationError as exc:
            return {"outcome": "rejected", "message": str(exc)}
        except ClientError as exc:
            error = exc.response.get("Error", {})
            return {"outcome": "error", "code": str(error.get("Code")), "message": error.get("Message")}
        except BotoCoreError as exc:  # e.g. a response botocore could not parse
            return {"outcome": "error", "code": type(exc).__name__, "message": str(exc)}
        except Exception as exc:
            return {"outcome": "error", "code": type(exc).__name__, "message": str(exc)}
        return {"outcome": "success", "output": output}

    return call


if __name__ == "__main__":
    serve(make_call)
