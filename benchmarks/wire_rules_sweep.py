"""No false verdicts from the wire rules: every rest-json operation of botocore, serialized by botocore.

    .venv/bin/python benchmarks/wire_rules_sweep.py

The proxy judges a request by :mod:`connect_contract.client.wirerules` alone, so a rule that failed a
correct client would fail every exchange of that client.  For every operation of every rest-json service
in the installed botocore, the model-valid inputs of :func:`connect_contract.cassettes.inputs.model_inputs`
(required members only, then every member; idempotency tokens filled as botocore's handler does) are
serialized by botocore's own rest-json serializer and judged.  Prints the count, the time, and every
finding by rule; exits 1 if any was found.  (The defects next to them: tests/client/test_anyop_judge.py
and tests/proxy/test_proxy_verdicts.py.)
"""

from __future__ import annotations

import sys
import time
from collections import Counter

import botocore.session

from connect_contract.cassettes.inputs import model_inputs, serialize
from connect_contract.client.scripted_server import Captured
from connect_contract.client.wirerules import judge_form
from connect_contract.operations import resolve_operations

TOKEN = "00000000-0000-4000-8000-000000000000"  # botocore's generate_idempotent_uuid fills a uuid4


def main() -> int:
    started = time.perf_counter()
    session = botocore.session.get_session()
    services = [s for s in session.get_available_services() if session.get_service_model(s).protocol == "rest-json"]
    judged = 0
    found: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = {}
    for service in services:
        for op in resolve_operations(service, "all"):
            for scenario, _, given in model_inputs(op):
                params = {**{t.name: TOKEN for t in op.idempotency_tokens}, **given}
                wire = serialize(op, params)
                path, _, query = wire.target.partition("?")
                headers = [*wire.headers.items(), *([("Content-Length", str(len(wire.body)))] if wire.body else [])]
                judged += 1
                for problem in judge_form(op, Captured(wire.method, path, query, tuple(headers), wire.body, 0.0)):
                    found[(problem.rule, problem.level)] += 1
                    examples.setdefault((problem.rule, problem.level), []).append(
                        f"{service}:{op.name}/{scenario}: {problem.detail[:120]}"
                    )
    print(f"{judged} requests ({len(services)} services) judged in {time.perf_counter() - started:.0f} s")
    for (rule, level), count in found.most_common():
        print(f"{count:>6} {rule} ({level})")
        for example in examples[(rule, level)][:5]:
            print(f"         {example}")
    print("no finding: OK" if not found else "findings: FAIL")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
