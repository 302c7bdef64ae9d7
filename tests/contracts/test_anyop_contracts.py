"""Contracts for every Connect operation and a sample of other rest-json services: valid and deterministic.

Proof 3 of issue 10: every operation's OpenAPI 3.1 document passes openapi-spec-validator, every
generated JSON Schema passes the 2020-12 meta-schema, and generating again gives the same bytes.
The other services are chosen from restjson-bindings.md §9-§10 so that each binding the Connect
model lacks appears at least once (greedy labels, query maps and literals, prefix, list and
jsonvalue headers, blob/string/structure payloads, statusCode members, documents, recursion).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from connect_contract.contracts.generate import render
from connect_contract.contracts.ondemand import (
    cached_operation,
    cached_service_openapi,
    operation_files,
    service_openapi,
)
from connect_contract.contracts.openapi_documents import openapi_document
from connect_contract.contracts.schemas import operation_schemas
from connect_contract.operations import ServiceOperation, load_service_operation, resolve_operations

CONNECT = resolve_operations("connect", "all")
SAMPLE_SERVICES = [
    "apigateway",  # query map + fixed literal + blob payload (ImportRestApi)
    "dataexchange",  # prefix headers, string payload, host prefix (SendApiAsset)
    "mediastore-data",  # greedy labels, statusCode member, blob payloads
    "iot-data",  # jsonvalue headers, boolean and long query values
    "lambda",  # blob/structure payloads, statusCode, output headers
    "inspector-scan",  # document body member
    "entityresolution",  # list-valued header
    "mpa",  # valueless fixed literal (?List)
    "billingconductor",  # idempotency token in a header
    "lex-runtime",  # jsonvalue output headers
    "geo-places",  # output headers
    "sagemaker-runtime",  # event-stream output payload
]


def fresh_files(op: ServiceOperation) -> dict[str, str]:
    """Generate from scratch (no in-process cache) and render."""
    documents: dict[str, Any] = operation_schemas(op)
    documents["openapi.json"] = openapi_document([op], title=f"{op.service_id} {op.name}")
    return {path: render(document) for path, document in sorted(documents.items())}


def check_operation(op: ServiceOperation) -> None:
    files = fresh_files(op)
    assert files == fresh_files(op), "generation is not deterministic"
    assert files == operation_files(op), "the cached documents differ from a fresh generation"
    for path, text in files.items():
        document = json.loads(text)
        if path == "openapi.json":
            validate(document)
        else:
            Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("op", CONNECT, ids=[op.name for op in CONNECT])
def test_every_connect_operation_has_valid_deterministic_contracts(op: ServiceOperation) -> None:
    check_operation(op)


def test_connect_has_405_operations() -> None:
    assert len(CONNECT) == 405


@cache
def service_text(service: str) -> str:
    return render(service_openapi(service))


def test_connect_service_document_is_valid_and_deterministic() -> None:
    text = service_text("connect")
    assert text == render(openapi_document(resolve_operations("connect", "all")))
    document = json.loads(text)
    validate(document)
    operations = [item for path in document["paths"].values() for item in path.values()]
    assert len(operations) == 405


@pytest.mark.parametrize("service", SAMPLE_SERVICES)
def test_sample_services_have_valid_contracts(service: str) -> None:
    validate(json.loads(service_text(service)))
    for op in resolve_operations(service, "all"):
        for document in operation_schemas(op).values():
            Draft202012Validator.check_schema(document)


def operation_item(service: str, operation: str) -> dict[str, Any]:
    op = load_service_operation(service, operation)
    document = openapi_document([op])
    (path,) = document["paths"]
    item: dict[str, Any] = document["paths"][path][op.http_method.lower()]
    return {"path": path, **item, "components": document["components"]["schemas"]}


def test_greedy_label_is_documented_and_kept_as_one_parameter() -> None:
    item = operation_item("mediastore-data", "GetObject")
    assert item["path"] == "/{Path}"
    (label,) = [p for p in item["parameters"] if p["in"] == "path"]
    assert label["x-aws-greedy"] is True and "may contain '/'" in label["description"]
    assert "2XX" in item["responses"]  # the statusCode member carries the status (206 for a range)
    assert "application/octet-stream" in item["responses"]["2XX"]["content"]


def test_query_map_fixed_literal_and_blob_payload() -> None:
    item = operation_item("apigateway", "ImportRestApi")
    assert item["path"] == "/restapis?mode=import"
    parameters = {p["name"]: p for p in item["parameters"]}
    assert parameters["parameters"]["schema"]["type"] == "object"
    assert (parameters["parameters"]["style"], parameters["parameters"]["explode"]) == ("form", True)
    assert parameters["failonwarnings"]["schema"] == {"type": "boolean"}
    assert list(item["requestBody"]["content"]) == ["application/octet-stream"]
    assert "201" in item["responses"]
    query = operation_schemas(load_service_operation("apigateway", "ImportRestApi"))["request/query.schema.json"]
    assert query["properties"]["mode"]["const"] == "import" and "mode" in query["required"]
    assert query["additionalProperties"] == {"type": "string"}


def test_prefix_headers_and_string_payload() -> None:
    item = operation_item("dataexchange", "SendApiAsset")
    assert list(item["requestBody"]["content"]) == ["text/plain"]
    assert "x-amzn-dataexchange-header-" in item["x-aws-prefix-headers"]
    headers = operation_schemas(load_service_operation("dataexchange", "SendApiAsset"))["request/headers.schema.json"]
    validator = Draft202012Validator(headers)
    base = {
        "x-amzn-dataexchange-asset-id": "a",
        "x-amzn-dataexchange-data-set-id": "d",
        "x-amzn-dataexchange-revision-id": "r",
    }
    assert validator.is_valid({**base, "x-amzn-dataexchange-header-foo": "bar", "authorization": "x"})
    assert not validator.is_valid({**base, "x-amzn-dataexchange-header-foo": 1})


def test_timestamps_take_each_location_default() -> None:
    schemas = operation_schemas(load_service_operation("connect", "CreateTestCase"))
    header = schemas["request/headers.schema.json"]["properties"]["x-amz-last-modified-time"]
    assert header["x-aws-timestamp-format"] == "rfc822"
    body = operation_schemas(load_service_operation("connect", "GetMetricData"))["request/body.schema.json"]
    assert body["properties"]["StartTime"] == {"type": "number", "x-aws-timestamp-format": "unixTimestamp"}
    query = operation_schemas(load_service_operation("codeguru-security", "GetMetricsSummary"))
    date = query["request/query.schema.json"]["properties"]["date"]
    assert date["format"] == "date-time" and date["x-aws-timestamp-format"] == "iso8601"
    ivs = operation_schemas(load_service_operation("ivs", "InsertAdBreak"))["request/body.schema.json"]
    assert "iso8601" in json.dumps(ivs)  # an explicit timestampFormat wins over the body default


def test_status_member_documents_jsonvalue_headers_and_ranges() -> None:
    status = operation_schemas(load_service_operation("lambda", "DeleteFunction"))["response/status.schema.json"]
    assert Draft202012Validator(status).is_valid(204) and not Draft202012Validator(status).is_valid(404)
    fixed = operation_schemas(load_service_operation("connect", "DescribeInstance"))["response/status.schema.json"]
    assert fixed["const"] == 200
    scan = operation_schemas(load_service_operation("inspector-scan", "ScanSbom"))["request/body.schema.json"]
    assert Draft202012Validator(scan).is_valid({"sbom": {"any": [1, None, "json"]}})
    publish = operation_schemas(load_service_operation("iot-data", "Publish"))
    user = publish["request/headers.schema.json"]["properties"]["x-amz-mqtt5-user-properties"]
    assert user["contentMediaType"] == "application/json" and user["contentEncoding"] == "base64"
    expiry = publish["request/query.schema.json"]["properties"]["messageExpiry"]
    assert expiry["type"] == "integer"
    level = operation_schemas(load_service_operation("connect", "AssociateUserProficiencies"))[
        "request/body.schema.json"
    ]
    proficiency = level["$defs"]["UserProficiency.request"]["properties"]["Level"]
    assert proficiency["anyOf"][0] == {"type": "number", "minimum": 1.0, "maximum": 5.0}


def test_event_stream_payloads_are_not_described_as_json() -> None:
    item = operation_item("sagemaker-runtime", "InvokeEndpointWithResponseStream")
    (success,) = [r for status, r in item["responses"].items() if status.startswith("2")]
    assert list(success["content"]) == ["application/vnd.amazon.eventstream"]


def test_recursive_shapes_terminate_through_refs() -> None:
    body = operation_schemas(load_service_operation("connect", "CreateContact"))["request/body.schema.json"]
    recursive = body["$defs"]["SegmentAttributeValue.request"]
    assert "#/$defs/SegmentAttributeValue.request" in json.dumps(recursive)
    validator = Draft202012Validator(body)
    nested = {"ValueMap": {"k": {"ValueMap": {"k2": {"ValueString": "v"}}}}}
    bad = {"ValueMap": {"k": {"ValueMap": {"k2": {"valueString": "v"}}}}}
    base = {"InstanceId": "i", "Channel": "VOICE", "InitiationMethod": "API"}
    assert validator.is_valid({**base, "SegmentAttributes": {"a": nested}})
    assert not validator.is_valid({**base, "SegmentAttributes": {"a": bad}})


def test_errors_are_typed_by_the_error_type_header() -> None:
    item = operation_item("connect", "DescribeInstance")
    response = item["responses"]["404"]
    assert response["headers"]["X-Amzn-Errortype"]["schema"]["enum"] == ["ResourceNotFoundException"]
    assert sorted(item["responses"]) == ["200", "400", "404", "500"]


def test_unsupported_patterns_are_kept_but_not_enforced() -> None:
    # Unicode property escapes (\p{L}) are ECMA-262 but not Python `re`: kept as x-aws-pattern.
    text = render(service_openapi("connect"))
    assert '"x-aws-pattern"' in text and "\\\\p{L}" in text


def test_cache_is_keyed_by_version_and_filled_once(tmp_path: Path) -> None:
    op = load_service_operation("lambda", "Invoke")
    directory = cached_operation(op, tmp_path)
    assert directory.parent.parent.name.startswith("botocore-")
    written = {str(p.relative_to(directory)): p.read_text() for p in directory.rglob("*.json")}
    assert written == operation_files(op)
    stamp = (directory / "openapi.json").stat().st_mtime_ns
    assert cached_operation(op, tmp_path) == directory
    assert (directory / "openapi.json").stat().st_mtime_ns == stamp
    service = cached_service_openapi("mediastore-data", tmp_path)
    assert service.read_text() == service_text("mediastore-data")


def test_mission_operation_per_location_contracts_agree_with_the_original_ones() -> None:
    from connect_contract.contracts import documents

    legacy = documents()
    new = operation_schemas(load_service_operation("connect", "UpdateParticipantAuthentication"))
    for key in ("properties", "required", "additionalProperties"):
        assert new["request/body.schema.json"].get(key) == legacy["request.schema.json"].get(key)
        assert new["response/body.schema.json"].get(key) == legacy["response.schema.json"].get(key)
    assert new["request/path.schema.json"]["properties"] == new["request/query.schema.json"]["properties"] == {}
    errors = sorted(p.removeprefix("errors/") for p in new if p.startswith("errors/"))
    assert errors == sorted(p.removeprefix("errors/") for p in legacy if p.startswith("errors/"))
    item = operation_item("connect", "UpdateParticipantAuthentication")
    assert sorted(item["responses"]) == sorted(legacy["openapi.json"]["paths"][item["path"]]["post"]["responses"])
    assert list(item["responses"]["200"]["content"]) == ["application/json"]


def test_outputs_without_body_members_have_no_body_schema() -> None:
    # DescribeObject answers in headers only; DeleteInstance has no output shape at all.
    assert "response/body.schema.json" not in operation_schemas(
        load_service_operation("mediastore-data", "DescribeObject")
    )
    assert "response/body.schema.json" not in operation_schemas(load_service_operation("connect", "DeleteInstance"))


@pytest.mark.parametrize("service", ["connect", "apigateway", "mediastore-data", "dataexchange"])
def test_schemathesis_loads_every_operation(service: str) -> None:
    # The server checks will drive these documents through schemathesis: each operation must load,
    # including fixed query literals in path keys and greedy labels.
    import schemathesis

    schema = schemathesis.openapi.from_dict(json.loads(service_text(service)))
    loaded = [result.ok() for result in schema.get_all_operations()]
    assert len(loaded) == len(resolve_operations(service, "all"))
