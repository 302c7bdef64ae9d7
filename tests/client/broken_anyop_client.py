"""A client of any rest-json operation with one deliberate binding defect (``BROKEN_CLIENT_DEFECT``;
unset or "none" = correct), wrapped as an adapter.

The correct client is boto3 (botocore's serializer and parser), on the endpoint its own rules give the
service (``CONNECT_CONTRACT_ENDPOINT`` + their base path, as the built-in adapters do; with ``AWS_DATA_PATH``
holding the AWS CLI's geo-maps model, that is /v2 before a /static/... requestUri).  A request defect
rewrites the request in ``before-sign`` (so it is signed as sent: only the rule meant for it can catch it);
an output defect rewrites the parsed output, as a client with that parsing bug would report it.  Run as
``python tests/client/broken_anyop_client.py``; every defect must be caught by the rule the catalogue names.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import quote, unquote

import boto3.session
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from connect_contract.client.adapters.base_path import client_session, rules_base_path, with_base_path
from connect_contract.client.adapters.pymain import Call, Result, serve
from connect_contract.client.values import from_python, to_python

REQUEST_DEFECTS = (
    "label-plus-for-space",  # label encoded like a form: space as +
    "greedy-slash-encoded",  # a greedy label's / sent as %2F
    "query-list-comma-joined",  # tagKeys=a,b instead of tagKeys=a&tagKeys=b
    "query-drops-false",  # a false query value left out
    "body-drops-zero",  # 0 left out of the JSON body
    "body-empty-list-omitted",  # an empty list or map given is not sent
    "body-null-sent",  # an explicit null sent as JSON null
    "body-timestamp-iso",  # an epoch-seconds body timestamp sent as an ISO string
    "header-timestamp-iso",  # an http-date header timestamp sent as ISO 8601
    "query-timestamp-epoch",  # an ISO query timestamp sent as epoch seconds
    "blob-not-base64",  # a body blob sent as its raw text
    "no-idempotency-token",  # an omitted idempotency token not generated
    "header-list-unquoted",  # a list item holding a comma not quoted
    "prefix-headers-dropped",  # prefix headers not sent
    "query-map-dropped",  # a map-valued query member not sent
    "query-drops-float-zero",  # a float 0 left out of the query (0.0 tested for truth, as false and 0 are)
    "endpoint-path-dropped",  # the configured endpoint's path dropped (scheme and host kept): /v2 lost
    "query-float-truncated",  # a float query value sent as an integer (1.5 as 1)
)
OUTPUT_DEFECTS = (
    "output-ignores-headers",  # header-bound output members not read
    "output-ignores-status",  # the statusCode member not read
    "output-truncates-fraction",  # timestamp fractions dropped when parsing
    "output-keeps-unknown",  # unknown body members reported as members
    "output-drops-payload",  # the payload member not read
    "output-empty-body-error",  # an empty success body read as an error
    "output-drops-false",  # false read as absent
)
DEFECTS = REQUEST_DEFECTS + OUTPUT_DEFECTS
_ISO = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z")


def _body_json(request: Any) -> Any:
    try:
        return json.loads(request.body or b"{}")
    except ValueError:
        return None


def _set_body(request: Any, body: Any) -> None:
    data = json.dumps(body).encode("utf-8")
    request.data = data
    request.headers["Content-Length"] = str(len(data))


def _walk(value: Any, change: Any) -> Any:
    """Rebuild a JSON value, passing every (key, item) of every object through ``change``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            kept, new = change(key, _walk(item, change))
            if kept:
                out[key] = new
        return out
    if isinstance(value, list):
        return [_walk(item, change) for item in value]
    return value


def _rewrite_path(defect: str, url: str, base_path: str) -> str:
    """The URL without its query, as the path defects send it."""
    scheme, _, rest = url.partition("//")
    host, _, path = rest.partition("/")
    if defect == "label-plus-for-space":
        path = path.replace("%20", "+")
    if defect == "greedy-slash-encoded":
        path = quote(unquote(path), safe="")
    if defect == "endpoint-path-dropped" and base_path:
        path = path.removeprefix(base_path.lstrip("/") + "/")
    return f"{scheme}//{host}/{path}"


def _rewrite_request(defect: str, op: Any, payload: dict[str, Any], request: Any, base_path: str) -> None:
    url = request.url
    path, sep, query = url.partition("?")
    path = _rewrite_path(defect, path, base_path)
    pairs = [p.partition("=") for p in query.split("&") if p]
    if defect == "query-list-comma-joined":
        grouped: dict[str, list[str]] = {}
        for key, _, value in pairs:
            grouped.setdefault(key, []).append(value)
        pairs = [(k, "=", "%2C".join(v)) for k, v in grouped.items()]
    if defect == "query-drops-false":
        pairs = [p for p in pairs if p[2] != "false"]
    if defect == "query-drops-float-zero":  # botocore sends a float 0 as 0.0, an integer 0 as 0
        pairs = [p for p in pairs if p[2] != "0.0"]
    if defect == "query-float-truncated":
        floats = {
            m.serialization.get("name", n)
            for n, m in op.input_shape.members.items()
            if m.serialization.get("location") == "querystring" and m.type_name in ("float", "double")
        }
        pairs = [(k, e, str(int(float(v))) if k in floats else v) for k, e, v in pairs]
    if defect == "query-timestamp-epoch":
        pairs = [(k, e, "1576540098" if "T" in unquote(v) and _ISO.search(unquote(v)) else v) for k, e, v in pairs]
    if defect == "query-map-dropped":
        bound = {m.serialization.get("name", n) for n, m in op.input_shape.members.items()}
        pairs = [p for p in pairs if p[0] in bound]
    query = "&".join(f"{k}{e}{v}" for k, e, v in pairs)
    request.url = path + (sep or ("?" if query else "")) + query if query else path
    for name in list(request.headers.keys()):
        value = request.headers[name]
        if defect == "header-timestamp-iso" and value.endswith(" GMT"):
            request.headers.replace_header(name, "2019-12-16T23:48:18Z")
        if defect == "header-list-unquoted" and '"' in value:
            request.headers.replace_header(name, value.replace('"', ""))
        if defect == "prefix-headers-dropped" and name.lower().startswith("x-amzn-dataexchange-header-"):
            del request.headers[name]
    token_names = {
        m.serialization.get("name", n)
        for n, m in op.input_shape.members.items()
        if m.metadata.get("idempotencyToken") and n not in payload
    }
    if defect == "no-idempotency-token":
        request.url = re.sub(
            r"([?&])(" + "|".join(map(re.escape, token_names or {"-"})) + r")=[^&]*&?", r"\1", request.url
        )
        request.url = request.url.rstrip("?&")
    body = _body_json(request) if request.body else None
    if isinstance(body, dict):
        if defect == "body-drops-zero":
            body = _walk(
                body, lambda k, v: (not (isinstance(v, int | float) and not isinstance(v, bool) and v == 0), v)
            )
        if defect == "body-empty-list-omitted":
            body = _walk(body, lambda k, v: (v not in ([], {}), v))
        if defect == "body-null-sent":
            for name, value in payload.items():
                if value is None and "location" not in op.input_shape.members[name].serialization:
                    body[name] = None
        if defect == "body-timestamp-iso":
            body = _walk(body, lambda k, v: (True, "2019-12-16T23:48:18Z" if k.endswith("Timestamp") else v))
        if defect == "blob-not-base64":
            body = _walk(body, lambda k, v: (True, "hello, world" if v == "aGVsbG8sIHdvcmxk" else v))
        if defect == "no-idempotency-token":
            body = {k: v for k, v in body.items() if k not in token_names}
        _set_body(request, body)


def _rewrite_output(defect: str, op: Any, output: dict[str, Any], status_empty_body: bool) -> Result | None:
    shape = op.output_shape
    members = shape.members if shape is not None else {}
    if defect == "output-ignores-headers":
        for name, member in members.items():
            if member.serialization.get("location") in ("header", "headers"):
                output.pop(name, None)
    if defect == "output-ignores-status":
        for name, member in members.items():
            if member.serialization.get("location") == "statusCode":
                output.pop(name, None)
    if defect == "output-drops-payload" and shape is not None and shape.serialization.get("payload"):
        output.pop(shape.serialization["payload"], None)
    if defect == "output-drops-false":
        output.update(_walk(output, lambda k, v: (v is not False, v)))
        for key in [k for k, v in output.items() if v is False]:
            del output[key]
    if defect == "output-truncates-fraction":
        output.update(_walk(output, lambda k, v: (True, _ISO.sub(r"\1Z", v) if isinstance(v, str) else v)))
    if defect == "output-keeps-unknown":
        output["UnknownScriptedMember"] = {"nested": [1, "x"]}
    if defect == "output-empty-body-error" and status_empty_body:
        return {"outcome": "error", "code": "EmptyBody", "message": None}
    return None


def make_call() -> Call:
    defect = os.environ.get("BROKEN_CLIENT_DEFECT", "none")
    service = os.environ.get("CONNECT_CONTRACT_SERVICE") or "connect"
    operation = os.environ.get("CONNECT_CONTRACT_OPERATION") or "UpdateParticipantAuthentication"
    region = os.environ["AWS_REGION"]
    base_path = rules_base_path(service, operation, region)
    client = boto3.session.Session(botocore_session=client_session()).client(
        service,
        endpoint_url=with_base_path(os.environ["CONNECT_CONTRACT_ENDPOINT"], base_path),
        region_name=region,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(inject_host_prefix=False, retries={"mode": "standard", "total_max_attempts": 1}),
    )
    op = client.meta.service_model.operation_model(operation)
    current: dict[str, Any] = {}
    empty_body = [False]

    def before_sign(request: Any, **_: Any) -> None:
        if defect in REQUEST_DEFECTS:
            _rewrite_request(defect, op, current, request, base_path)

    def after_call(http_response: Any, **_: Any) -> None:
        empty_body[0] = http_response.headers.get("content-length") == "0"  # (reading it would drain a stream)

    # The client calls one operation: every before-sign / after-call event is that operation's.
    client.meta.events.register("before-sign", before_sign)
    client.meta.events.register("after-call", after_call)
    method = getattr(client, xform_name(operation))

    def call(payload: dict[str, Any]) -> Result:
        current.clear()
        current.update(payload)
        params = to_python(op.input_shape, payload) if op.input_shape is not None else payload
        if defect == "body-null-sent":
            params = {k: v for k, v in params.items() if v is not None}
        try:
            response = method(**params)
        except ParamValidationError as exc:
            return {"outcome": "rejected", "message": str(exc)}
        except ClientError as exc:
            error = exc.response.get("Error", {})
            return {"outcome": "error", "code": str(error.get("Code")), "message": error.get("Message")}
        except (BotoCoreError, ValueError) as exc:
            return {"outcome": "error", "code": type(exc).__name__, "message": str(exc)}
        response.pop("ResponseMetadata", None)
        output = from_python(response)
        broken = _rewrite_output(defect, op, output, empty_body[0])
        return broken or {"outcome": "success", "output": output}

    return call


if __name__ == "__main__":
    serve(make_call)
