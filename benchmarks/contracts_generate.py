"""Time to generate one operation's contracts, as a ratio to the mission operation's, measured in the same run.

For each selected operation: the median over ``--rounds`` of a fresh generation (per-location
schemas, error schemas and the operation's OpenAPI document, rendered to text; botocore's model is
loaded once beforehand, as in a real run).  The baseline is ``connect:UpdateParticipantAuthentication``,
timed the same way in the same process.  Also prints the service document's generation time and,
with ``--validate``, the time to validate everything (openapi-spec-validator, the 2020-12 meta-schema).

    .venv/bin/python benchmarks/contracts_generate.py [--service connect] [--operation all] [--rounds 5] [--validate]
    .venv/bin/python benchmarks/contracts_generate.py --every-service   # one pass over all rest-json services
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from connect_contract.contracts.generate import render
from connect_contract.contracts.openapi_documents import openapi_document
from connect_contract.contracts.schemas import operation_schemas
from connect_contract.operations import (
    OperationLookupError,
    ServiceOperation,
    available_services,
    mission_operation,
    resolve_operations,
)


def generate(op: ServiceOperation) -> dict[str, str]:
    documents = operation_schemas(op)
    documents["openapi.json"] = openapi_document([op])
    return {path: render(document) for path, document in documents.items()}


def median_seconds(action: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", default="connect")
    parser.add_argument("--operation", default="all")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest operations to list")
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--every-service", action="store_true", help="generate every rest-json service once")
    args = parser.parse_args()
    if args.every_service:
        every_service()
        return

    mission = mission_operation()
    operations = resolve_operations(args.service, args.operation)
    baseline = median_seconds(lambda: generate(mission), args.rounds)
    timings = {op.name: median_seconds(lambda op=op: generate(op), args.rounds) for op in operations}
    baseline_after = median_seconds(lambda: generate(mission), args.rounds)  # drift check on the baseline
    service_seconds = median_seconds(lambda: render(openapi_document(operations)), max(1, args.rounds // 2))

    ratios = sorted(((seconds / baseline, name) for name, seconds in timings.items()), reverse=True)
    print(
        f"baseline {mission.service_name}:{mission.name}: {baseline * 1e3:.2f} ms "
        f"(after the run: {baseline_after * 1e3:.2f} ms)"
    )
    print(
        f"{len(operations)} operation(s) of {args.service}: total {sum(timings.values()):.2f} s, "
        f"median ratio {statistics.median(r for r, _ in ratios):.2f}x, max {ratios[0][0]:.2f}x"
    )
    print(
        f"service document ({len(operations)} operations): {service_seconds:.2f} s "
        f"= {service_seconds / baseline:.0f}x the baseline operation"
    )
    print(f"slowest {min(args.top, len(ratios))}:")
    for ratio, name in ratios[: args.top]:
        print(f"  {ratio:7.2f}x  {timings[name] * 1e3:8.2f} ms  {name}")
    if args.validate:
        start = time.perf_counter()
        for op in operations:
            for path, text in generate(op).items():
                document = json.loads(text)
                if path == "openapi.json":
                    validate(document)
                else:
                    Draft202012Validator.check_schema(document)
        print(f"validating every document: {time.perf_counter() - start:.2f} s")


def every_service() -> None:
    """Every operation and service document of every rest-json service once (loading each model included)."""
    baseline = median_seconds(lambda: generate(mission_operation()), 5)
    services = operations = 0
    start = time.perf_counter()
    for service in available_services():
        try:
            selected = resolve_operations(service, "all")
        except OperationLookupError:  # not rest-json
            continue
        services += 1
        operations += len(selected)
        for op in selected:
            generate(op)
        render(openapi_document(selected))
    seconds = time.perf_counter() - start
    print(f"{services} rest-json services, {operations} operations (and one document per service): {seconds:.1f} s")
    print(
        f"per operation: {seconds / operations * 1e3:.2f} ms = {seconds / operations / baseline:.2f}x the baseline "
        f"({baseline * 1e3:.2f} ms, connect:UpdateParticipantAuthentication)"
    )


if __name__ == "__main__":
    main()
