"""Proof: real boto3 calls every operation of rest-json services against the mock and parses each answer.

For each operation: a model-valid input (``connect_contract.mock.synth.sample_input``), the call through
boto3 (botocore validates it client-side, signs it with the service's signing name, parses the answer),
and the answer's status, headers and body judged against the operation's output contract
(``contracts.parts.response_errors``, from the mock's capture-free raw response).  Prints one line per
failure and a summary; exit 1 on any failure.

    .venv/bin/python benchmarks/mock_all_operations.py [--service connect] [--service lambda ...] [--seeds 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import boto3
from botocore.config import Config
from botocore.response import StreamingBody

from connect_contract.contracts.parts import response_errors, response_parts
from connect_contract.mock import MockConfig, running_mock
from connect_contract.mock.synth import intended_pattern, sample_input
from connect_contract.operations import ServiceOperation, load_service, resolve_operations


def client(service: str, url: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1}, inject_host_prefix=False, read_timeout=30),
    )


def call(boto: Any, op: ServiceOperation, seed: int) -> list[str]:
    """The problems of one call (empty: boto3 accepted the input, the mock answered 2xx, boto3 parsed it,
    and the raw answer meets the output contract)."""
    raw: dict[str, Any] = {}
    streaming = op.model.has_streaming_output

    def keep(http_response: Any, **_: Any) -> None:
        raw["status"], raw["headers"] = http_response.status_code, dict(http_response.headers)
        raw["body"] = b"" if streaming else http_response.content

    event = f"after-call.{boto.meta.service_model.service_id.hyphenize()}.{op.name}"
    boto.meta.events.register(event, keep)
    try:
        result = getattr(boto, boto.meta.method_to_api_mapping_inverse[op.name])(**sample_input(op, seed))
        for value in result.values():
            if isinstance(value, StreamingBody):
                raw["body"] = value.read()
    except Exception as exc:  # the proof is that nothing raises
        return [f"{type(exc).__name__}: {str(exc)[:300]}"]
    finally:
        boto.meta.events.unregister(event, keep)
    if not raw:
        return ["no raw response seen"]
    parts = response_parts(op, raw["status"], raw["headers"], raw["body"])
    return [f"output contract: {problem}" for problem in response_errors(op, parts) if not model_defect(problem)]


def unsatisfiable_patterns(service: str) -> tuple[str, ...]:
    """Model patterns written as JavaScript regex literals (``/^...$/``): no string can match them as JSON
    Schema patterns, so the output contract cannot be met there (see ``synth.intended_pattern``)."""
    model = load_service(service)
    found = []
    for name in model.shape_names:
        pattern = model.shape_for(name).metadata.get("pattern")
        if pattern and intended_pattern(pattern) != pattern:
            found.append(pattern)
    return tuple(found)


def model_defect(problem: str) -> bool:
    return any(repr(pattern) in problem for pattern in DEFECTS)


DEFECTS: list[str] = []


def run(services: list[str], seeds: int) -> int:
    started = time.perf_counter()
    failures = calls = 0
    with running_mock(MockConfig(services=tuple(services))) as url:
        for service in services:
            DEFECTS.extend(unsatisfiable_patterns(service))
            boto = client(service, url)
            boto.meta.method_to_api_mapping_inverse = {v: k for k, v in boto.meta.method_to_api_mapping.items()}
            for op in resolve_operations(service, "all"):
                for seed in range(seeds):
                    calls += 1
                    problems = call(boto, op, seed)
                    if problems:
                        failures += 1
                        print(f"FAIL {service}:{op.name} seed {seed}: {problems[0]}")
    elapsed = time.perf_counter() - started
    print(f"{calls} calls, {failures} failures, {elapsed:.1f} s ({', '.join(services)})")
    if DEFECTS:
        print(f"not counted: output values under model patterns no string can match: {', '.join(DEFECTS)}")
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", action="append", dest="services")
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    sys.exit(run(args.services or ["connect"], args.seeds))


if __name__ == "__main__":
    main()
