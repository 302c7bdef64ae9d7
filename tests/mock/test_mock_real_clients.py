"""The SigV4 mock against the two other real clients: the AWS CLI and the AWS SDK for JavaScript v3.

The JS SDK signs eight headers where botocore signs three, so this is the proof that the verifier
accepts any signed-header set that covers host and x-amz-date, from a real signer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mock_support import ACCESS_KEY, SECRET_KEY, Mock

from connect_contract.contracts import ERROR_TYPE_HEADER
from connect_contract.model import load_operation

OP = load_operation()
ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
AWS = Path(sys.executable).parent / "aws"
CALL = {"InstanceId": "i-1", "State": "s", "Code": "zq-secret-js"}

JS = """
const { ConnectClient, UpdateParticipantAuthenticationCommand } = require("@aws-sdk/client-connect");
const client = new ConnectClient({
  region: "us-east-1", endpoint: process.env.MOCK_URL, maxAttempts: 1,
  credentials: { accessKeyId: process.env.MOCK_KEY, secretAccessKey: process.env.MOCK_SECRET },
});
(async () => {
  const out = [];
  for (const input of JSON.parse(process.env.MOCK_INPUTS)) {
    try {
      const r = await client.send(new UpdateParticipantAuthenticationCommand(input));
      out.push({ ok: true, status: r.$metadata.httpStatusCode, requestId: r.$metadata.requestId || null });
    } catch (e) {
      out.push({ ok: false, name: e.name, message: e.message, status: e.$metadata && e.$metadata.httpStatusCode });
    }
  }
  console.log(JSON.stringify(out));
})();
"""


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Only what the child needs: no user AWS config, no metadata service."""
    empty = tmp_path / "empty"
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
        AWS_EC2_METADATA_DISABLED="true",
        **extra,
    )
    return env


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None or not (NODE_MODULES / "@aws-sdk").is_dir(), reason="needs npm ci")
def test_js_sdk_signed_calls_and_every_modeled_error(signed: Mock, tmp_path: Path) -> None:
    signed.control("POST", "faults", [{"error": name, "message": f"js {name}"} for name in OP.error_names])
    inputs = [CALL] * len(OP.error_names) + [CALL]
    env = clean_env(
        tmp_path,
        NODE_PATH=str(NODE_MODULES),
        MOCK_URL=signed.url,
        MOCK_KEY=ACCESS_KEY,
        MOCK_SECRET=SECRET_KEY,
        MOCK_INPUTS=json.dumps(inputs),
    )
    result = subprocess.run(["node", "-e", JS], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    for error, outcome in zip(OP.errors, outcomes, strict=False):
        assert (outcome["ok"], outcome["name"], outcome["message"]) == (False, error.name, f"js {error.name}")
        assert outcome["status"] == error.status
    assert outcomes[-1]["ok"] and outcomes[-1]["status"] == 200 and outcomes[-1]["requestId"], outcomes[-1]
    # the last call passed the signature check, and the JS SDK signed more than host and x-amz-date
    headers = signed.control("GET", "requests").json()["requests"][-1]["headers"]
    signed_headers = headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "x-amz-content-sha256", "amz-sdk-invocation-id"} <= set(signed_headers)


@pytest.mark.slow
@pytest.mark.skipif(not AWS.exists(), reason="needs the AWS CLI (pip install -e '.[test]')")
def test_aws_cli_signed_call_and_a_modeled_error(signed: Mock, tmp_path: Path) -> None:
    env = clean_env(tmp_path, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_MAX_ATTEMPTS="1")
    command = [
        str(AWS),
        "connect",
        "update-participant-authentication",
        "--endpoint-url",
        signed.url,
        "--region",
        "us-east-1",
        "--instance-id",
        CALL["InstanceId"],
        "--state",
        CALL["State"],
        "--code",
        CALL["Code"],
    ]
    ok = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert ok.returncode == 0, ok.stderr
    name = OP.error_names[0]
    signed.control("POST", "faults", {"error": name, "message": "cli sees this"})
    failed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert failed.returncode == 255
    assert f"({name})" in failed.stderr and "cli sees this" in failed.stderr
    unsigned = signed.post(json.dumps(CALL))
    assert unsigned.headers[ERROR_TYPE_HEADER] == "MissingAuthenticationTokenException"
