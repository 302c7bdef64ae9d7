"""Fuzz every operation the mock serves with schemathesis: valid and invalid input, never a 5xx.

Cases come from the service's OpenAPI document (``contracts.ondemand.service_openapi``), positive and
negative (invalid types, lengths, patterns, missing members) in every location: path, query, headers,
body.  Every answer must have a status below 500, and every 4xx an ``X-Amzn-Errortype``.  Whether a
negative case is truly invalid (so must be refused) is the server checks' judgement, not the fuzzer's.

The default run is small (``CONNECT_CONTRACT_ANYOP_FUZZ_CASES``, default 80, spread over a deterministic
sample of operations); the proof is::

    CONNECT_CONTRACT_ANYOP_FUZZ_CASES=10000 .venv/bin/pytest tests/mock/test_mock_anyop_fuzz.py -q -s
"""

from __future__ import annotations

import collections
import math
import os
import warnings
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from connect_contract.contracts.ondemand import service_openapi
from connect_contract.mock import running_mock

CASES = int(os.environ.get("CONNECT_CONTRACT_ANYOP_FUZZ_CASES", "80"))
NOISE = {"user-agent", "x-schemathesis-testcaseid"}


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_dict(service_openapi("connect"), config=SchemathesisConfig())
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda o: (o.path, o.method))
    if 4 * len(operations) <= CASES:
        return operations
    step = max(1, len(operations) // max(1, CASES // 10))
    return operations[::step]  # a deterministic sample: every step-th route


def test_no_input_gets_a_5xx() -> None:
    operations = _operations()
    per_mode = max(1, math.ceil(CASES / len(operations) / 2))
    statuses: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    session = requests.Session()
    with running_mock() as url:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @hypothesis.settings(
                    max_examples=per_mode,
                    database=None,
                    derandomize=True,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    phases=[hypothesis.Phase.generate],
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def send(case: Any) -> None:
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            response = case.call(base_url=url, session=session, timeout=30)
                    except (requests.exceptions.InvalidHeader, UnicodeEncodeError, ValueError):
                        statuses[0] += 1  # not sendable as HTTP (a header with a newline): it never reached the mock
                        return
                    statuses[response.status_code] += 1
                    route = f"{case.operation.method.upper()} {case.operation.path}"
                    if response.status_code >= 500:
                        failures.append(f"{route}: {response.status_code}")
                    elif response.status_code >= 400 and "x-amzn-errortype" not in response.headers:
                        failures.append(f"{route}: untyped {response.status_code}")

                send()
    total = sum(statuses.values())
    print(f"\n{total} cases over {len(operations)} operations; statuses: {dict(sorted(statuses.items()))}")
    assert failures == [], failures[:10]
    assert total >= min(CASES, len(operations) * 2) * 0.9
    assert statuses[200] and sum(count for status, count in statuses.items() if 400 <= status < 500)


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q", "-s"])
