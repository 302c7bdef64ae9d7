"""The adapter protocol, harness side: how a client in any language is run for one vector.

One-shot mode (the documented protocol): for each vector the harness runs COMMAND with the environment
from :func:`adapter_env` and the call's input as one JSON object on stdin; the adapter makes the call
and prints its result as the last line of stdout, then exits 0::

    {"outcome": "success", "output": {...}}      # output: optional for the mission operation
    {"outcome": "error", "code": "<error type>", "message": "<text>" | null}
    {"outcome": "rejected", "message": "..."}     # refused before sending

The call is named by ``CONNECT_CONTRACT_SERVICE`` and ``CONNECT_CONTRACT_OPERATION`` (unset: the mission
operation, connect ``UpdateParticipantAuthentication``).  Inputs and outputs use model member names,
timestamps as ISO 8601 UTC strings ending in ``Z``, blobs as base64, everything else as JSON
(:mod:`connect_contract.client.values`).  A failure after sending that is not a service error (a reset,
an unparsable answer) is ``{"outcome": "error", "code": "<the client's exception name>"}``.

``CONNECT_CONTRACT_ENDPOINT`` is the server's root URL.  Configure the client with it plus the base path the
client's own endpoint rules give the service, as a user pointing it at another endpoint would (an explicit
endpoint replaces the rules' URL, path included): empty for nearly every service; ``/v2`` for geo-maps in the
AWS CLI's and the JS SDK v3's rules, whose models leave it out of the request URIs.  The judge expects the
path botocore's model yields (its rules' base path + requestUri; see :mod:`.base_path`).

Persistent mode (optional, faster): COMMAND is started once with ``CONNECT_CONTRACT_MODE=lines``;
each input is one line on stdin and each result one line on stdout (other stdout lines are ignored).
Anything else (non-zero exit, no result line, a malformed result, a timeout) is an adapter failure.

Every adapter runs in a process group of its own (so a timeout kills whatever a shell command started),
which also means a signal to the harness does not reach it: the harness keeps a registry of the live
groups, and :func:`stop_all_adapters` kills them all (on Ctrl-C, SIGTERM, and at interpreter exit).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

MODE_VARIABLE = "CONNECT_CONTRACT_MODE"
LINES_MODE = "lines"
ENDPOINT_VARIABLE = "CONNECT_CONTRACT_ENDPOINT"
SERVICE_VARIABLE = "CONNECT_CONTRACT_SERVICE"  # botocore's service name; unset: connect
OPERATION_VARIABLE = "CONNECT_CONTRACT_OPERATION"  # the model's operation name; unset: the mission operation
DEFAULT_TIMEOUT = 30.0
# How long a persistent adapter that never answered gets, once its stdin is closed, to show that it
# answers only at EOF (a one-shot adapter started with --persistent).
ONE_SHOT_GRACE = 5.0
# Inherited variables that would change how a client behaves (profiles, retries, proxies, endpoints).
_DROP_PREFIXES = ("AWS_", "BOTO_")
_DROP_NAMES = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}

Command = str | Sequence[str]


@dataclass(frozen=True)
class AdapterResult:
    """What the adapter reported, or why it could not report (``failure`` set, ``outcome`` None)."""

    outcome: str | None
    code: str | None = None
    message: str | None = None
    failure: str | None = None
    stderr_tail: str = ""
    elapsed: float = 0.0
    cannot_load: str | None = None  # the adapter died loading a module: what to install (one line)
    output: dict[str, Any] | None = None  # a success's parsed output, model member names (documented encoding)
    # Output member paths (``A.B``, ``[]`` for list and map items) botocore's model has and the client's own
    # model lacks (SDKs are released apart): a client cannot parse what it does not know; not judged.
    unmodeled: tuple[str, ...] = ()
    unmodeled_input: tuple[str, ...] = ()  # the same for input members: the client cannot send them

    @classmethod
    def broken(cls, failure: str, stderr: str = "", elapsed: float = 0.0) -> AdapterResult:
        return cls(None, failure=failure, stderr_tail=stderr[-800:], elapsed=elapsed, cannot_load=_cannot_load(stderr))


# How Node and Python say that an import failed: the usual first-run mistake (`npm ci` or `pip install`
# not run).  An adapter that cannot load its SDK cannot take part at all.
_NODE_MISSING = re.compile(r"Cannot find module '([^']+)'")
_PYTHON_MISSING = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")


def _cannot_load(stderr: str) -> str | None:
    if node := _NODE_MISSING.search(stderr):
        return f"the adapter could not load {node[1]}: run `npm ci` in the repository (or set NODE_PATH)"
    if python := _PYTHON_MISSING.search(stderr):
        package = python[1].split(".", maxsplit=1)[0]
        return f"the adapter could not load {python[1]}: install it for the adapter's Python (pip install {package})"
    return None


def parse_result(line: str) -> AdapterResult | str:
    """A result line, or a description of what is wrong with it."""
    try:
        value = json.loads(line)
    except ValueError:
        return "the last stdout line is not JSON"
    if not isinstance(value, dict):
        return "the result is not a JSON object"
    outcome = value.get("outcome")
    code, message = value.get("code"), value.get("message")
    if outcome not in ("success", "error", "rejected"):
        return f"unknown outcome {str(outcome)[:40]!r} (expected success, error or rejected)"
    if outcome == "error" and not isinstance(code, str):
        return 'an "error" result needs a string "code"'
    if message is not None and not isinstance(message, str):
        return '"message" must be a string or null'
    output = value.get("output")
    if output is not None and not isinstance(output, dict):
        return '"output" must be a JSON object (the parsed output, by model member names)'
    paths = {key: value.get(key, []) for key in ("unmodeled", "unmodeled_input")}
    for key, found in paths.items():
        if not isinstance(found, list) or not all(isinstance(p, str) for p in found):
            return f'"{key}" must be a list of member paths'
    return AdapterResult(
        outcome,
        code if isinstance(code, str) else None,
        message,
        output=output,
        unmodeled=tuple(paths["unmodeled"]),
        unmodeled_input=tuple(paths["unmodeled_input"]),
    )


def adapter_env(
    endpoint: str,
    *,
    region: str,
    access_key_id: str,
    secret_access_key: str,
    single_attempt: bool,
    empty_file: Path,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The child's environment: the caller's, minus anything AWS- or proxy-related, plus the vector's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP_PREFIXES) and k not in _DROP_NAMES}
    env.update(
        {
            ENDPOINT_VARIABLE: endpoint,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": access_key_id,
            "AWS_SECRET_ACCESS_KEY": secret_access_key,
            "AWS_CONFIG_FILE": str(empty_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(empty_file),
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    if single_attempt:
        env["AWS_MAX_ATTEMPTS"] = "1"
    env.update(extra or {})
    return env


class AdapterUnusable(Exception):
    """The adapter cannot take part at all (not one vector's failure): the run stops and says why, once."""


class _LiveGroups:
    """The process groups of every adapter still running, so the harness can take them down with it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def start(self, command: Command, env: Mapping[str, str], cwd: Path | None) -> subprocess.Popen[bytes]:
        if self.stopping:  # a lane racing the shutdown must not start what nobody will stop
            raise OSError("the harness is shutting down")
        # A string is a shell command line (so "cd x && dart run" works); its own process group lets a
        # timeout kill everything it started.  (Started outside the lock: lanes start adapters in parallel.)
        process = subprocess.Popen(
            command,
            shell=isinstance(command, str),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        with self._lock:
            accepted = not self.stopping  # (read again: the shutdown may have begun meanwhile)
            if accepted:
                self._processes.add(process)
        if accepted:
            return process
        _kill(process)  # the shutdown began while it was starting
        raise OSError("the harness is shutting down")

    def forget(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._processes.discard(process)

    def stop_all(self) -> int:
        """Kill every live group and refuse new ones; returns how many groups were still running."""
        with self._lock:
            self.stopping = True
            processes, self._processes = list(self._processes), set()
        for process in processes:
            _killpg(process)
        return len(processes)

    def reopen(self) -> None:
        """Allow adapters again (a library caller may run again after an interrupted run)."""
        with self._lock:
            self.stopping = False


_LIVE = _LiveGroups()
atexit.register(_LIVE.stop_all)


def stop_all_adapters() -> int:
    """Kill every adapter process group still running (and refuse new ones until :func:`allow_adapters`)."""
    return _LIVE.stop_all()


def allow_adapters() -> None:
    _LIVE.reopen()


def _popen(command: Command, env: Mapping[str, str], cwd: Path | None) -> subprocess.Popen[bytes]:
    return _LIVE.start(command, env, cwd)


def _killpg(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _kill(process: subprocess.Popen[bytes]) -> None:
    _killpg(process)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)
    _LIVE.forget(process)


def run_one_shot(
    command: Command, payload: Mapping[str, Any], env: Mapping[str, str], *, timeout: float, cwd: Path | None = None
) -> AdapterResult:
    """Run COMMAND once for one input (the documented protocol)."""
    started = time.monotonic()
    try:
        process = _popen(command, env, cwd)
    except OSError as exc:
        return AdapterResult.broken(f"could not start the adapter: {exc}")
    try:
        out, err = process.communicate(json.dumps(payload, ensure_ascii=False).encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        return AdapterResult.broken(f"no result within {timeout:g}s (killed)", elapsed=time.monotonic() - started)
    finally:
        _LIVE.forget(process)
    elapsed = time.monotonic() - started
    stderr = err.decode("utf-8", "replace")
    if process.returncode != 0:
        return AdapterResult.broken(f"the adapter exited {process.returncode}", stderr, elapsed)
    lines = [line for line in out.decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines:
        return AdapterResult.broken("the adapter printed nothing on stdout", stderr, elapsed)
    parsed = parse_result(lines[-1])
    if isinstance(parsed, str):
        return AdapterResult.broken(parsed, stderr, elapsed)
    return dataclasses.replace(parsed, elapsed=elapsed)


class PersistentAdapter:
    """One long-lived adapter process speaking JSON lines; restarted after it breaks or times out."""

    def __init__(self, command: Command, env: Mapping[str, str], *, timeout: float, cwd: Path | None = None) -> None:
        self.command = command
        self.env = {**env, MODE_VARIABLE: LINES_MODE}
        self.timeout = timeout
        self.cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=40)
        self._answered = False  # whether the current process ever answered in lines mode
        self._drainer: threading.Thread | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        process = _popen(self.command, self.env, self.cwd)
        self._lines = queue.Queue()
        self._stderr = deque(maxlen=40)
        self._answered = False
        assert process.stdout is not None and process.stderr is not None
        threading.Thread(target=self._pump, args=(process.stdout, self._lines), daemon=True).start()
        self._drainer = threading.Thread(target=self._drain, args=(process.stderr, self._stderr), daemon=True)
        self._drainer.start()
        self._process = process
        return process

    @staticmethod
    def _pump(stream: IO[bytes], lines: queue.Queue[str | None]) -> None:
        for raw in stream:
            lines.put(raw.decode("utf-8", "replace"))
        lines.put(None)  # EOF: the process is gone

    @staticmethod
    def _drain(stream: IO[bytes], tail: deque[str]) -> None:
        for raw in stream:
            tail.append(raw.decode("utf-8", "replace"))

    def _next_result(self, deadline: float) -> AdapterResult | str | None:
        """The next result line before the deadline: parsed, what is wrong with it, or None (none came)."""
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if line is None:
                return "the adapter exited before printing a result"
            if line.lstrip().startswith("{"):
                return parse_result(line)
            # otherwise a log line on stdout: tolerated in this mode

    def _answers_only_at_eof(self) -> bool:
        """Whether a process that never answered in lines mode answers once its stdin closes: then it
        reads its whole stdin first, i.e. it speaks the one-shot protocol."""
        process = self._process
        if process is None or self._answered or process.stdin is None:
            return False
        with contextlib.suppress(OSError):
            process.stdin.close()
        late = self._next_result(time.monotonic() + min(self.timeout, ONE_SHOT_GRACE))
        return isinstance(late, AdapterResult)

    def call(self, payload: Mapping[str, Any]) -> AdapterResult:
        started = time.monotonic()
        process = self._process if self._process and self._process.poll() is None else None
        try:
            process = process or self._start()
            assert process.stdin is not None
            process.stdin.write(json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n")
            process.stdin.flush()
        except OSError as exc:
            self.close(kill=True)
            return self._broken(f"could not talk to the adapter: {exc}", started)
        parsed = self._next_result(started + self.timeout)
        if parsed is None:
            one_shot = self._answers_only_at_eof()
            self.close(kill=True)
            if one_shot:
                raise AdapterUnusable(
                    "the adapter answers only once its stdin is closed: it speaks the one-shot protocol, "
                    f"not {MODE_VARIABLE}={LINES_MODE} (drop --persistent)"
                )
            return self._broken(f"no result within {self.timeout:g}s (killed)", started)
        if isinstance(parsed, str):
            self.close(kill=True)  # out of step with us now: start afresh for the next vector
            return self._broken(parsed, started)
        self._answered = True
        return dataclasses.replace(parsed, elapsed=time.monotonic() - started)

    def _broken(self, failure: str, started: float) -> AdapterResult:
        # called once the process is gone: let its last stderr lines (why it died) arrive first
        if self._drainer is not None:
            self._drainer.join(timeout=1.0)
        return AdapterResult.broken(failure, "".join(self._stderr), time.monotonic() - started)

    def close(self, *, kill: bool = False) -> None:
        """End the process: politely (stdin closed, the adapter exits at EOF), or at once."""
        process, self._process = self._process, None
        if process is None:
            return
        if not kill:
            with contextlib.suppress(OSError):
                if process.stdin:
                    process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=2)
        _kill(process)  # also the group's other members, and it forgets the process
