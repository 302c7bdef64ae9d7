"""The covering set: operations chosen from botocore's models so that every (location x type) pair of
restJson1 that the models use is exercised by at least one client vector.

Connect has no payload, greedy-label, prefix-header, ``statusCode``, blob or document bindings
(restjson-bindings.md §9), so the set adds operations of other rest-json services.  ``pairs`` derives
the pairs from the model (never from this list), and :data:`UNCOVERED` names, with a reason, the pairs
botocore's models hold that the set leaves out.
"""

from __future__ import annotations

from collections.abc import Iterable

import botocore.model

from connect_contract.operations import ServiceOperation, load_service_operation

COVERING_SET: tuple[tuple[str, str], ...] = (
    ("connect", "UpdateParticipantAuthentication"),  # the mission operation: body strings, sensitive members
    ("connect", "DescribeInstance"),  # label; output body timestamps, nested structures
    ("connect", "ListAgentStatuses"),  # query list of enums, query integer and string
    ("connect", "CreateTestCase"),  # header strings and an http-date header timestamp, body
    ("connect", "UntagResource"),  # label holding an ARN, query list, DELETE without body
    ("connect", "DeleteContactFlowVersion"),  # integer label
    ("connect", "AssociateUserProficiencies"),  # body list of structures with a float
    ("connect", "DeleteInstance"),  # idempotency token in the query
    ("connect", "StartTestCaseExecution"),  # idempotency token in the body
    ("connect", "DescribeContact"),  # output floats, booleans, maps, unions
    ("connect", "ListRealtimeContactAnalysisSegmentsV2"),  # output timestamps in iso8601 format, inside unions
    ("lambda", "Invoke"),  # blob payload in and out, headers in and out, statusCode
    ("lambda", "DeleteFunction"),  # statusCode (204)
    ("lambda", "ListDurableExecutionsByFunction"),  # query timestamps, boolean, list
    ("lambda", "GetLayerVersionByArn"),  # fixed query literal in requestUri (?find=LayerVersion)
    ("lambda", "CreateFunction"),  # blob nested in the body, body maps/lists/booleans
    ("lambda", "StopDurableExecution"),  # structure payload
    ("lambda", "CreateEventSourceMapping"),  # body timestamp, nested structures
    ("mediastore-data", "PutObject"),  # greedy label, streaming blob payload, headers
    ("mediastore-data", "GetObject"),  # output headers: long, timestamp (http-date); blob payload; statusCode
    ("dataexchange", "SendApiAsset"),  # query map, prefix headers in and out, string payload in and out
    ("entityresolution", "BatchDeleteUniqueId"),  # header list
    ("entityresolution", "CreateIdNamespace"),  # documents in and out
    ("appconfig", "StopDeployment"),  # boolean header
    ("appconfig", "CreateHostedConfigurationVersion"),  # integer header in and out, blob payload
    ("amp", "GetDefaultScraperConfiguration"),  # blob in the output body (base64), no input
    ("codeguruprofiler", "DescribeProfilingGroup"),  # structure payload as the whole output body
    ("bedrock-agentcore", "GetAgentCard"),  # document payload as the whole output body, statusCode
    # float query member (Zoom): the only operation of botocore 1.44.8 with the pair.  Its path is /v2/static/...
    # in botocore's model; the AWS CLI's and the JS SDK's models have /static/... and put /v2 in their endpoint
    # rules (the adapters give their endpoint that base path; adapters/base_path.py).
    ("geo-maps", "GetStaticMap"),
)

# Pairs botocore's rest-json models hold (49, counted with ``pairs`` over all 265 services of botocore 1.44.8)
# that the set does not exercise, with the reason: none since geo-maps:GetStaticMap joined the set.
UNCOVERED: dict[tuple[str, str, str], str] = {}

_NUMERIC = {"integer": "integer", "long": "integer", "float": "float", "double": "float"}


def type_name(shape: botocore.model.Shape) -> str:
    if shape.type_name == "structure" and shape.is_document_type:
        return "document"
    return _NUMERIC.get(shape.type_name, str(shape.type_name))


def _nested(shape: botocore.model.Shape) -> Iterable[botocore.model.Shape]:
    seen: set[str] = set()
    todo = [shape]
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        yield current
        if current.type_name == "structure" and not current.is_document_type:
            todo += list(current.members.values())
        elif current.type_name == "list":
            todo.append(current.member)
        elif current.type_name == "map":
            todo += [current.key, current.value]


def pairs(op: ServiceOperation) -> set[tuple[str, str, str]]:
    """(side, location, type) of every binding of ``op``; body members count at every depth."""
    found: set[tuple[str, str, str]] = set()
    for side, bindings in (("in", op.input), ("out", op.output)):
        for binding in bindings:
            if binding.event_stream:
                continue
            if binding.location == "body":
                found |= {(side, "body", type_name(s)) for s in _nested(binding.shape)}
            else:
                found.add((side, binding.location, type_name(binding.shape)))
            if binding.greedy:
                found.add((side, "label", "greedy"))
    if op.fixed_query:
        found.add(("in", "query", "fixed-literal"))
    return found


def covering_operations() -> tuple[ServiceOperation, ...]:
    return tuple(load_service_operation(service, name) for service, name in COVERING_SET)


def coverage() -> dict[tuple[str, str, str], list[str]]:
    """Each pair the set exercises, with the operations that carry it."""
    covered: dict[tuple[str, str, str], list[str]] = {}
    for op in covering_operations():
        for pair in sorted(pairs(op)):
            covered.setdefault(pair, []).append(f"{op.service_name}:{op.name}")
    return dict(sorted(covered.items()))
