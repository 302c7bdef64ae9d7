"""Running the proxy as users do (the CLI, in a subprocess) and calling operations through it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config
from botocore.credentials import Credentials

from connect_contract.cassettes.inputs import structure_value
from connect_contract.operations import ServiceOperation, load_service_operation
from connect_contract.sigv4 import SigV4RequestsAuth

# The AWS documentation's example keys: the secret matches the secret-key-like pattern on purpose.
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
# A covering sample of Connect: GET with query and a nested sensitive output list (ListInstances), a label
# (DescribeInstance), PUT with a label and nested sensitive input (CreateUser), a map body (TagResource),
# DELETE with a list-valued query (UntagResource), a sensitive output structure (GetFederationToken),
# nested sensitive output (DescribeUser), a sensitive list member in the body (UpdateUserConfig).
SAMPLE = (
    "ListInstances",
    "DescribeInstance",
    "CreateUser",
    "TagResource",
    "UntagResource",
    "GetFederationToken",
    "DescribeUser",
    "UpdateUserConfig",
)


def sample_operations() -> list[ServiceOperation]:
    return [load_service_operation("connect", name) for name in SAMPLE]


def params_for(op: ServiceOperation) -> dict[str, Any]:
    """Every member, model-valid (what a thorough client call looks like)."""
    assert op.model.input_shape is not None
    params = structure_value(op.model.input_shape, every_member=True)
    assert params is not None
    if op.name == "CreateUser":
        # The generator gives every E.164 member one number; PhoneConfig.DeskPhoneNumber is sensitive and
        # IdentityInfo.Mobile is not, so the recorder rightly refuses the call (the sensitive value would
        # stay in the cassette in the clear). A thorough client call sends two different numbers.
        params["IdentityInfo"]["Mobile"] = "+12065550199"
    return params


@dataclass
class Proxy:
    url: str
    process: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""
    returncode: int | None = None
    lines: list[str] = field(default_factory=list)


def env() -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONWARNINGS": "ignore",
    }


@contextmanager
def running_proxy(upstream: str, *args: str, stop: int = signal.SIGINT) -> Iterator[Proxy]:
    """``connect-contract proxy --upstream URL --port 0 ARGS``; stopped with ``stop`` when the block ends."""
    command = [sys.executable, "-m", "connect_contract", "proxy", "--upstream", upstream, "--port", "0", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        raise AssertionError(f"the proxy did not start: {url!r} {process.communicate(timeout=10)}")
    proxy = Proxy(url, process)
    try:
        yield proxy
    finally:
        process.send_signal(stop)
        try:
            out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        proxy.stdout, proxy.stderr, proxy.returncode = out, err, process.returncode
        proxy.lines = [line for line in out.splitlines() if line[:4] in ("PASS", "WARN", "FAIL", "SKIP")]


def client(endpoint: str) -> Any:
    return boto3.client(
        "connect",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def call(connect: Any, op: ServiceOperation, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """("200" or the error code, the parsed answer without its metadata)."""
    try:
        answer = connect._make_api_call(op.name, params)
    except botocore.exceptions.ClientError as exc:
        return str(exc.response["Error"]["Code"]), {}
    answer.pop("ResponseMetadata", None)
    return "200", answer


def Signed(service: str = "connect") -> SigV4RequestsAuth:
    """SigV4 for a hand-made ``requests`` call (a conforming client signs: check-client's ``req.sigv4``)."""
    return SigV4RequestsAuth(Credentials(ACCESS_KEY, SECRET_KEY), region="us-east-1", service=service)


SIGNED = Signed()
