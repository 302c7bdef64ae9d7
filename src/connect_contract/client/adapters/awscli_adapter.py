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

import base64
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

# No botocore (and so no connect_contract.model) at import time: the AWS CLI v1 vendors its own
# botocore and aliases ``import botocore`` to it only when ``awscli`` is imported first, as the ``aws``
# script does.  Importing the venv's botocore before it would run the CLI on a mix of the two (seen:
# 3 attempts on a 429 in process, 5 with the real command).  The harness imports this module too (for
# find_aws), and must never import awscli itself, for the same reason in reverse.
from connect_contract.client.adapters.base_path import rules_base_path, with_base_path
from connect_contract.client.adapters.pymain import Call, Result, serve

_SERVICE_ERROR = re.compile(
    r"An error occurred \((?P<code>.*?)\) when calling the \w+ operation"
    r"(?: \(reached max retries: \d+\))?:(?: (?P<message>.*))?$",
    re.DOTALL,
)
Runner = Callable[[list[str]], tuple[int, str, str]]  # exit status, stdout, stderr


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
    def run(args: list[str]) -> tuple[int, str, str]:
        done = subprocess.run([aws, *args], capture_output=True, text=True, encoding="utf-8", check=False)
        return done.returncode, done.stdout, done.stderr

    return run


def _in_process_runner() -> Runner:
    from awscli.clidriver import create_clidriver  # first awscli import in this process (see above)
    from botocore.config import Config

    driver = create_clidriver()
    # Host prefixes (api-fulfill. ...) would send the call to another host than --endpoint-url's.
    driver.session.set_default_client_config(Config(inject_host_prefix=False))

    def run(args: list[str]) -> tuple[int, str, str]:
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = driver.main(args)
            except SystemExit as exc:  # argparse usage errors exit (2) instead of returning
                code = exc.code if isinstance(exc.code, int) else 2
        return int(code or 0), out.getvalue(), err.getvalue()

    return run


def _iso(value: Any, shape: Any) -> Any:
    """The CLI prints timestamps as ISO 8601 with an offset: the documented encoding wants UTC and ``Z``."""
    from connect_contract.client.values import instant, iso

    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "timestamp":
        seconds = instant(value)
        return iso(seconds) if seconds is not None else value
    if kind == "structure" and isinstance(value, dict) and not getattr(shape, "is_document_type", False):
        return {k: _iso(v, shape.members.get(k)) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_iso(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _iso(v, shape.value) for k, v in value.items()}
    return value


def make_call() -> Call:
    aws = find_aws()
    if aws is None:
        sys.stderr.write("connect-contract: the aws command was not found (pip install awscli)\n")
        sys.exit(3)
    same_interpreter = Path(aws).parent == Path(sys.executable).parent
    persistent = os.environ.get("CONNECT_CONTRACT_MODE") == "lines"
    if same_interpreter:
        # In both modes the model and the endpoint rules read below must be the CLI's own (one-shot mode used
        # to read the venv's): importing awscli first aliases botocore to the CLI's copy.
        import awscli  # noqa: F401
    run = _in_process_runner() if persistent and same_interpreter else _subprocess_runner(aws)
    # Only now, after awscli set up its alias: botocore here is the CLI's own (this interpreter's CLI).
    import botocore.session
    from botocore import xform_name

    service = os.environ.get("CONNECT_CONTRACT_SERVICE") or "connect"
    operation = os.environ.get("CONNECT_CONTRACT_OPERATION") or "UpdateParticipantAuthentication"
    service_model = botocore.session.get_session().get_service_model(service)
    if operation not in service_model.operation_names:  # newer than the CLI's own botocore: it cannot call it
        missing: Result = {"outcome": "rejected", "message": f"aws {service}: no {operation}", "unmodeled_input": ["*"]}
        return lambda payload: dict(missing)
    model = service_model.operation_model(operation)
    command = [service, xform_name(operation, "-")]  # names only: the CLI parses the model itself
    # The endpoint a user gives the CLI: the server's, with the base path the CLI's own endpoint rules give the
    # service (geo-maps: /v2, which the CLI's model leaves out of its requestUri; see base_path.py).
    region = os.environ["AWS_REGION"]
    base_path = rules_base_path(service, operation, region) if same_interpreter else _foreign(aws, service, operation)
    endpoint = with_base_path(os.environ["CONNECT_CONTRACT_ENDPOINT"], base_path)
    scratch = Path(tempfile.mkdtemp(prefix="connect-contract-awscli-"))
    out_payload = _outfile_member(model)
    unmodeled = _unmodeled(model, "output")
    unmodeled_input = _unmodeled(model, "input")

    def call(payload: dict[str, Any]) -> Result:
        args = _arguments(model, payload, scratch, bool(out_payload))
        outfile = scratch / "out-payload"
        if out_payload:
            outfile.unlink(missing_ok=True)
            args.append(str(outfile))
        args = [*command, "--endpoint-url", endpoint, *args]
        code, stdout, stderr = run(args)
        result = interpret(code, stderr)
        if result["outcome"] == "success":
            text = stdout.strip()
            try:
                parsed = json.loads(text) if text else {}
            except ValueError:
                parsed = {}
            output = _iso(parsed, model.output_shape) if isinstance(parsed, dict) else {}
            if out_payload and outfile.exists():
                output[out_payload] = base64.b64encode(outfile.read_bytes()).decode("ascii")
            result["output"] = output
            if unmodeled:
                result["unmodeled"] = unmodeled
        if unmodeled_input:
            result["unmodeled_input"] = unmodeled_input
        return result

    return call


def _foreign(aws: str, service: str, operation: str) -> str:
    """The base path the rules of a CLI of another interpreter resolve (base_path.py run by that interpreter)."""
    from connect_contract.client.adapters import base_path

    with open(aws, "rb") as script:
        first = script.readline().decode("utf-8", "replace")
    words = first[2:].split() if first.startswith("#!") else []
    if words and Path(words[0]).name == "env":  # #!/usr/bin/env python3
        words = words[1:]
    interpreter = shutil.which(words[0]) or words[0] if words else ""
    if "python" not in Path(interpreter).name:
        return ""  # not the Python CLI v1: its rules are out of reach (the path is then the requestUri alone)
    region = os.environ["AWS_REGION"]
    done = subprocess.run(
        [interpreter, base_path.__file__, service, operation, region], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _arguments(model: Any, payload: dict[str, Any], scratch: Path, options_only: bool) -> list[str]:
    """The call's input as CLI arguments: blobs from files, the rest in --cli-input-json (or as options)."""
    given = dict(payload)
    # --no-paginate: one call is one request (the CLI would otherwise follow the served page token).
    args = ["--no-paginate"]
    shape = model.input_shape
    for name, member in shape.members.items() if shape is not None else []:
        value = given.get(name)
        if member.type_name == "blob" and isinstance(value, str):
            # Bytes reach the CLI from a file (fileb://, or a streaming argument's path), as a user passes them.
            path = scratch / f"in-{name}"
            path.write_bytes(base64.b64decode(value))
            del given[name]
            streaming = bool(member.serialization.get("streaming"))
            args += [_option(name), str(path) if streaming else f"fileb://{path}"]
    if shape is not None:
        given = {k: _blob_text(shape.members[k], v) if k in shape.members else v for k, v in given.items()}
    if options_only:
        # An operation whose output goes to an outfile takes no --cli-input-json (CLI v1): options only.
        return args + _options(shape, given)
    return [*args, "--cli-input-json", json.dumps(given)]


def _blob_text(shape: Any, value: Any) -> Any:
    """Nested blobs go in --cli-input-json as text (the CLI sends the text's UTF-8 bytes): decode the base64."""
    if value is None:
        return value
    kind = shape.type_name
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return value
    if kind == "structure" and isinstance(value, dict) and not getattr(shape, "is_document_type", False):
        return {k: _blob_text(shape.members[k], v) if k in shape.members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_blob_text(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _blob_text(shape.value, v) for k, v in value.items()}
    return value


def _unmodeled(model: Any, side: str) -> list[str]:
    """Input or output members the harness's botocore model has and the CLI's own (older) botocore lacks."""
    path = os.environ.get("CONNECT_CONTRACT_SHAPES")
    mine = model.output_shape if side == "output" else model.input_shape
    if not path or mine is None:
        return []
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes, found = document["shapes"], []

    def walk(name: str, mine: Any, at: str, stack: tuple[str, ...]) -> None:
        theirs = shapes.get(name)
        if theirs is None or name in stack:
            return
        stack = (*stack, name)
        if theirs["type"] == "structure" and mine.type_name == "structure":
            for member, ref in theirs.get("members", {}).items():
                where = f"{at}.{member}".lstrip(".")
                if member not in mine.members:
                    found.append(where)
                else:
                    walk(ref["shape"], mine.members[member], where, stack)
        elif theirs["type"] == "list" and mine.type_name == "list":
            walk(theirs["member"]["shape"], mine.member, f"{at}[]", stack)
        elif theirs["type"] == "map" and mine.type_name == "map":
            walk(theirs["value"]["shape"], mine.value, f"{at}[]", stack)

    walk(document["operations"][model.name][side]["shape"], mine, "", ())
    return found


def _option(name: str) -> str:
    from botocore import xform_name

    return "--" + str(xform_name(name, "-"))


def _options(shape: Any, given: dict[str, Any]) -> list[str]:
    """Members as CLI options: scalars as text, booleans as --x/--no-x, the rest as JSON; nulls left out."""
    args: list[str] = []
    for name, value in given.items():
        if value is None or shape is None or name not in shape.members:
            continue
        kind = shape.members[name].type_name
        if kind == "boolean":
            args.append(_option(name) if value else "--no-" + _option(name)[2:])
        elif kind in ("structure", "list", "map"):
            args += [_option(name), json.dumps(value)]
        else:
            args += [_option(name), str(value)]
    return args


def _outfile_member(model: Any) -> str | None:
    """The output blob payload the CLI writes to an ``outfile`` argument (streaming output, lambda invoke)."""
    shape = model.output_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload and shape.members[payload].type_name == "blob":
        return str(payload)
    return None


if __name__ == "__main__":
    serve(make_call)
