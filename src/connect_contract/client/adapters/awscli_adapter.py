"""Built-in adapter: the real AWS CLI (``aws connect update-participant-authentication``).

The input goes in with ``--cli-input-json`` so it reaches the CLI exactly (explicit nulls included).
The CLI's answer is read back from its exit status and stderr:

- 0: success;
- 255 with ``An error occurred (CODE) when calling the ... operation: MESSAGE``: a service error;
- 255 with ``Parameter validation failed``, or 252 / 2 (usage): refused before sending.

One-shot mode runs the ``aws`` executable (next to this interpreter first, then on PATH).  Persistent
mode runs the CLI's own entry point, ``awscli.clidriver``, in this process, one driver for all calls —
the code the ``aws`` script runs — when that executable belongs to this interpreter; otherwise it
still runs the executable per call.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# No botocore (and so no connect_contract.model) at import time: the AWS CLI v1 vendors its own
# botocore and aliases ``import botocore`` to it only when ``awscli`` is imported first, as the ``aws``
# script does.  Importing the venv's botocore before it would run the CLI on a mix of the two (seen:
# 3 attempts on a 429 in process, 5 with the real command).  The harness imports this module too (for
# find_aws), and must never import awscli itself, for the same reason in reverse.
from connect_contract.client.adapters.pymain import Call, Result, serve

_SERVICE_ERROR = re.compile(
    r"An error occurred \((?P<code>.*?)\) when calling the \w+ operation"
    r"(?: \(reached max retries: \d+\))?:(?: (?P<message>.*))?$",
    re.DOTALL,
)
Runner = Callable[[list[str]], tuple[int, str]]


def find_aws() -> str | None:
    beside = Path(sys.executable).parent / "aws"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("aws")


def interpret(returncode: int, stderr: str) -> Result:
    """Map the CLI's exit status and stderr back to a protocol result."""
    text = stderr.strip()
    if returncode == 0:
        return {"outcome": "success"}
    match = _SERVICE_ERROR.search(text)
    if returncode == 255 and match:
        return {"outcome": "error", "code": match["code"], "message": match["message"] or ""}
    if returncode in (2, 252) or text.startswith("Parameter validation failed"):
        return {"outcome": "rejected", "message": text}
    # Anything else (cannot connect, unparsable response, ...) is still an error the caller sees.
    return {"outcome": "error", "code": f"aws-exit-{returncode}", "message": text}


def _subprocess_runner(aws: str) -> Runner:
    def run(args: list[str]) -> tuple[int, str]:
        done = subprocess.run([aws, *args], capture_output=True, text=True, encoding="utf-8", check=False)
        return done.returncode, done.stderr

    return run


def _in_process_runner() -> Runner:
    from awscli.clidriver import create_clidriver  # first awscli import in this process (see above)

    driver = create_clidriver()

    def run(args: list[str]) -> tuple[int, str]:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = driver.main(args)
            except SystemExit as exc:  # argparse usage errors exit (2) instead of returning
                code = exc.code if isinstance(exc.code, int) else 2
        return int(code or 0), err.getvalue()

    return run


def make_call() -> Call:
    aws = find_aws()
    if aws is None:
        sys.stderr.write("connect-contract: the aws command was not found (pip install awscli)\n")
        sys.exit(3)
    same_interpreter = Path(aws).parent == Path(sys.executable).parent
    persistent = os.environ.get("CONNECT_CONTRACT_MODE") == "lines"
    run = _in_process_runner() if persistent and same_interpreter else _subprocess_runner(aws)
    # Only now, after awscli set up its alias: botocore here is the CLI's own.
    from botocore import xform_name

    from connect_contract.model import OPERATION_NAME, SERVICE_NAME

    command = [SERVICE_NAME, xform_name(OPERATION_NAME, "-")]  # names only: the CLI parses the model itself
    endpoint = os.environ["CONNECT_CONTRACT_ENDPOINT"]

    def call(payload: dict[str, Any]) -> Result:
        args = [*command, "--endpoint-url", endpoint, "--cli-input-json", json.dumps(payload)]
        return interpret(*run(args))

    return call


if __name__ == "__main__":
    serve(make_call)
