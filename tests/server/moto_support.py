"""moto (PyPI ``moto[server]``, pinned in the test extras) as a real rest-json implementation to judge.

:func:`running_moto` starts ``python -m moto.server`` on a free 127.0.0.1 port; :func:`check_operation`
resets it, creates the resources the operation needs with boto3 (as the recipe in docs/moto.md does), and runs
``check`` with ``--set`` pins for their ids.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import requests

from connect_contract.operations import ServiceOperation
from connect_contract.server.runner import RunResult, Settings, run
from connect_contract.sigv4 import SigV4RequestsAuth, chain_credentials

# moto's ten Connect operations (moto/connect/responses.py in moto 5.2.5).
MOTO_OPERATIONS = (
    "AssociateAnalyticsDataSet",
    "CreateInstance",
    "DeleteInstance",
    "DescribeInstance",
    "DisassociateAnalyticsDataSet",
    "ListAnalyticsDataAssociations",
    "ListInstances",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
)
# Dummy credentials: moto reads the service from the SigV4 scope, so requests are signed (never sent elsewhere).
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
INSTANCES = 3  # so ListInstances spans pages at maxResults=1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_moto() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def prepare(url: str) -> dict[str, str]:
    """Reset moto, create the resources, and return the pins their ids give (``InstanceId``, ``resourceArn``)."""
    requests.post(url + "/moto-api/reset", timeout=5).raise_for_status()
    client = boto3.client(
        "connect",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    created = [
        client.create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InstanceAlias=f"cc-moto-{index}",
            InboundCallsEnabled=True,
            OutboundCallsEnabled=True,
        )
        for index in range(INSTANCES)
    ]
    return {"InstanceId": created[0]["Id"], "resourceArn": created[0]["Arn"]}


def check_operation(url: str, op: ServiceOperation, *, max_examples: int = 10, seed: int = 10) -> RunResult:
    ids = prepare(url)
    pins = tuple((name, value) for name, value in ids.items() if any(b.name == name for b in op.input))
    os.environ.update(CREDENTIALS)
    found = chain_credentials(url)
    auth = SigV4RequestsAuth(found.credentials, region="us-east-1", service=op.signing_name, source=found.source)
    settings = Settings(endpoint=url, operation=op, auth=auth, max_examples=max_examples, seed=seed, pins=pins)
    return run(settings)
