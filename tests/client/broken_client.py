"""A small hand-written client of the operation (http.client + botocore's SigV4), wrapped as an adapter,
with one deliberate defect selected by ``BROKEN_CLIENT_DEFECT`` (unset or "none" = the correct client).

Run as ``python tests/client/broken_client.py``; it speaks both adapter modes through the same helper
as the built-in adapters.  Every defect in DEFECTS must be caught by the rule the catalogue names.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from botocore.credentials import Credentials

from connect_contract.client.adapters.pymain import Call, Result, serve
from connect_contract.contracts import ERROR_TYPE_HEADER
from connect_contract.model import load_operation
from connect_contract.sigv4 import sign

DEFECTS = (
    "null-for-omitted",
    "empty-for-omitted",
    "camel-case-keys",
    "wrong-path",
    "wrong-method",
    "no-content-type",
    "status-only",
    "ignores-header",
    "keeps-uri-suffix",
    "body-code-first",
    "empty-200-error",
    "unsigned",
    "wrong-service",
    "extra-member",
    "truncates",
    "mangles-unicode",
    "drops-message",
    # beyond the list: one per remaining rule
    "wrong-region",
    "query-string",
    "chunked",
    "no-escaping",
    "sends-twice",
    "rejects-long",
    "rejects-after-sending",
    "crashes",
    "retries-conflict",
    "never-retries",
    "drops-empty",
    "modeled-message-only",
)
# Correct clients that differ from the reference one where the contract leaves room: they must pass
# every vector, recommended ones included.
LEGITIMATE = ("capital-message-first",)  # both message and Message present: no specification says which wins
RETRYABLE = {429, 500, 502, 503, 504}


def _error_type(defect: str, status: int, headers: dict[str, str], body: Any) -> str:
    header = "" if defect == "ignores-header" else headers.get(ERROR_TYPE_HEADER.lower(), "")
    header = header.split(",")[0].strip()
    code = body.get("code", "") if isinstance(body, dict) else ""
    kind = body.get("__type", "") if isinstance(body, dict) else ""
    raw = (code or header or kind) if defect == "body-code-first" else (header or code or kind)
    if defect == "status-only":  # the first modeled error with this status, whatever was sent
        raw = next((e.name for e in load_operation().errors if e.status == status), "")
    if not raw:
        return str(status)
    if defect != "keeps-uri-suffix":
        raw = raw.split(":", 1)[0]
    return raw.rsplit("#", 1)[-1]


def _body(defect: str, payload: dict[str, Any]) -> bytes:
    op = load_operation()
    dropped = (None, "") if defect == "drops-empty" else (None,)
    body = {k: v for k, v in payload.items() if v not in dropped}
    for member in op.optional_members:
        if member.name not in body and defect in ("null-for-omitted", "empty-for-omitted"):
            body[member.name] = None if defect == "null-for-omitted" else ""
    if defect == "camel-case-keys":
        body = {k[0].lower() + k[1:]: v for k, v in body.items()}
    if defect == "extra-member":
        body["ClientToken"] = "token-1"
    if defect == "truncates":
        body = {k: v[:256] for k, v in body.items()}
    if defect == "mangles-unicode":
        body = {k: v.encode("utf-8").decode("latin-1") for k, v in body.items()}
    if defect == "no-escaping":  # string concatenation instead of a JSON encoder
        return ("{" + ", ".join(f'"{k}": "{v}"' for k, v in body.items()) + "}").encode("utf-8")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _send(defect: str, endpoint: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    op = load_operation()
    url = urlsplit(endpoint)
    path = "/" + op.name if defect == "wrong-path" else op.request_uri
    path += "?x=1" if defect == "query-string" else ""
    method = "PUT" if defect == "wrong-method" else op.http_method
    headers = {} if defect == "no-content-type" else {"Content-Type": "application/json"}
    if defect != "unsigned":
        service = "execute-api" if defect == "wrong-service" else op.signing_name
        region = "us-east-1" if defect == "wrong-region" else os.environ["AWS_REGION"]
        creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
        headers.update(sign(method, f"{endpoint}{path}", body, headers, creds, region=region, service=service))
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=10)
    try:
        if defect == "chunked":
            connection.request(method, path, iter([body]), headers, encode_chunked=True)
        else:
            connection.request(method, path, body, headers)
        response = connection.getresponse()
        joined: dict[str, str] = {}
        for key, value in response.getheaders():  # a repeated header reads as "first, second"
            joined[key.lower()] = f"{joined[key.lower()]}, {value}" if key.lower() in joined else value
        return response.status, joined, response.read()
    finally:
        connection.close()


def _message(defect: str, body: dict[str, Any]) -> Any:
    if defect == "modeled-message-only":  # reads only the modeled spelling, misses a lowercase message
        return body.get("Message")
    if defect == "capital-message-first":
        return body.get("Message", body.get("message"))
    return body.get("message", body.get("Message"))


def _max_attempts(defect: str) -> int:
    if defect == "never-retries":
        return 1
    return int(os.environ.get("AWS_MAX_ATTEMPTS", "3"))


def make_call() -> Call:
    defect = os.environ.get("BROKEN_CLIENT_DEFECT", "none")
    if defect == "crashes":
        sys.exit(1)
    endpoint = os.environ["CONNECT_CONTRACT_ENDPOINT"]
    op = load_operation()

    def call(payload: dict[str, Any]) -> Result:
        if defect == "rejects-long" and any(isinstance(v, str) and len(v) > 255 for v in payload.values()):
            return {"outcome": "rejected", "message": "too long"}
        body = _body(defect, payload)
        retryable = RETRYABLE | ({409} if defect == "retries-conflict" else set())
        for attempt in range(1, _max_attempts(defect) + 1):
            status, headers, raw = _send(defect, endpoint, body)
            if defect == "sends-twice" and attempt == 1:
                status, headers, raw = _send(defect, endpoint, body)
            if status not in retryable or attempt == _max_attempts(defect):
                break
            time.sleep(0.01 * attempt)
        if defect == "rejects-after-sending":
            return {"outcome": "rejected", "message": "changed its mind"}
        if status == 200:
            if defect == "empty-200-error" and not raw:
                return {"outcome": "error", "code": "EmptyResponse", "message": None}
            return {"outcome": "success"}
        try:
            decoded = json.loads(raw) if raw else {}
        except ValueError:
            decoded = {}
        message = _message(defect, decoded) if isinstance(decoded, dict) else None
        code = _error_type(defect, status, headers, decoded)
        return {"outcome": "error", "code": code, "message": None if defect == "drops-message" else message}

    assert op.http_method  # the model loaded: fail fast here rather than per call
    return call


if __name__ == "__main__":
    serve(make_call)
