"""Vectors expanded from the model for any operation: botocore accepts every valid baseline, the
per-location contracts agree with every vector's expectation, and expansion is deterministic.

The default suite takes every 25th Connect operation plus the shapes that once broke the generator
(recursive unions, enum labels); the same loop over all 405 (7,835 vectors, every one agreeing with the
contracts) takes about 20 s, too long for the default suite's budget."""

from __future__ import annotations

import pytest

from connect_contract.operations import ServiceOperation, load_service_operation, resolve_operations
from connect_contract.server.classify import classify_operation
from connect_contract.server.model_vectors import model_vectors, parse_pins

TRICKY = ("CreateEvaluationForm", "AssociateDefaultVocabulary", "DescribeInstanceAttribute", "ListPhoneNumbers")
SAMPLE = sorted({op.name for op in resolve_operations("connect", "all")[::25]} | set(TRICKY))


@pytest.mark.parametrize("name", SAMPLE)
def test_vectors_agree_with_the_contracts(name: str) -> None:
    op = load_service_operation("connect", name)
    vectors = model_vectors(op)  # valid ones went through botocore's own parameter validation
    assert vectors[0].id == "baseline" and vectors[0].expect == "valid"
    for vector in vectors:
        if vector.expect in ("valid", "invalid"):
            intent = classify_operation(
                op, vector.method, "http://127.0.0.1" + vector.path, vector.headers(), vector.body
            )
            assert intent == vector.expect, vector.id
    again = model_vectors(op)
    assert [(v.id, v.path, v.body, v.headers()) for v in again] == [
        (v.id, v.path, v.body, v.headers()) for v in vectors
    ]


def _op(name: str) -> ServiceOperation:
    return load_service_operation("connect", name)


def test_pins_are_typed_by_the_model_and_reach_every_valid_vector() -> None:
    op = _op("ListAnalyticsDataAssociations")
    pins = parse_pins(op, {"InstanceId": "pinned-id", "MaxResults": "7"})
    assert pins == {"InstanceId": "pinned-id", "MaxResults": 7}
    vectors = model_vectors(op, pins)
    baseline = next(v for v in vectors if v.id == "baseline")
    assert baseline.path == "/analytics-data/instance/pinned-id/association?maxResults=7"
    varied = next(v for v in vectors if v.id == "query-MaxResults-above-max")
    assert "maxResults=1001" in varied.path and "/pinned-id/" in varied.path  # the member under test is varied
    with pytest.raises(ValueError, match="no member 'Nope'"):
        parse_pins(op, {"Nope": "1"})
    with pytest.raises(ValueError, match="MaxResults"):
        parse_pins(op, {"MaxResults": "many"})


def test_query_lists_travel_as_repeated_keys_and_labels_percent_encoded() -> None:
    vectors = {v.id: v for v in model_vectors(_op("UntagResource"))}
    assert vectors["query-tagKeys-repeated-key"].path.count("tagKeys=") == 2
    assert vectors["query-tagKeys-above-max-items"].path.count("tagKeys=") == 51
    encoded = vectors["label-resourceArn-percent-encoded"]
    assert "%3A" in encoded.path and encoded.same_as == "label-resourceArn-plain-twin"
    assert len(encoded.path) == len(vectors["label-resourceArn-plain-twin"].path) + 2  # same length once decoded
