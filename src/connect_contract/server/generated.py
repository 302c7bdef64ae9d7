"""Generated cases: schemathesis (examples, coverage and fuzzing phases) from the OpenAPI fragment.

Schemathesis generates; the harness sends and judges.  Each case goes through the shared
:class:`~connect_contract.server.transport.Sender` (timeouts, rate limit, SigV4) and is judged by
:func:`connect_contract.server.classify.classify` plus the checks -- not by schemathesis' built-in
checks, which are replaced as follows (docs/server-checks.md has the table):

- ``not_a_server_error`` -> ``no_server_error``; ``positive_data_acceptance`` -> ``accepts_valid``;
  ``negative_data_rejection`` -> ``rejects_invalid`` (with the harness's own judge of validity);
  ``response_headers_conformance`` -> ``error_type``; ``content_type_conformance`` and
  ``response_schema_conformance`` -> ``success_body`` / ``error_body``;
- ``status_code_conformance`` is not used: 413/415/404/405 are legitimate protocol answers that the
  fragment does not list; ``error_status`` checks status against type instead;
- ``ignored_auth`` is not used: the fragment's ``sigv4`` scheme is documentation (SigV4 is not a
  static key) and is removed for generation, so schemathesis neither sends an empty
  ``Authorization`` header nor expects a 401; with ``--sigv4`` every request is signed instead;
- ``unsupported_method`` (RFC 9110 ``Allow`` header) is not an AWS contract; other methods are
  only required not to crash the server.

Cases come from ``create_test``, the builder schemathesis' own engine and pytest plugin use (the
dependency is pinned below 5); the test function it wraps sends and judges, and never raises, so
Hypothesis neither stops early nor shrinks.

Unknown extra members are not invalid for a server, so the request schema is opened
(``additionalProperties: true``) for generation only: they appear in positive cases and are never
generated as negative ones.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test

from connect_contract.contracts import openapi
from connect_contract.model import load_operation
from connect_contract.operations import ServiceOperation
from connect_contract.server.classify import classify, classify_operation, operation_secrets, sensitive_values
from connect_contract.server.transport import Exchange, Sender

PHASES = ("examples", "coverage", "fuzzing")
# Headers schemathesis adds that say nothing about the contract; dropped before sending.
_NOISE_HEADERS = {"user-agent", "x-schemathesis-testcaseid", "accept-encoding", "accept", "connection"}
_JSON_KEYS = ("json", "data")


def generation_document(op: ServiceOperation | None = None) -> dict[str, Any]:
    """The OpenAPI document as schemathesis should see it (an in-memory copy; contracts/ is untouched).

    ``op`` ``None``: the mission operation's committed fragment.  Any other operation: its generated
    per-operation document (:mod:`connect_contract.contracts.ondemand`), with path, query and header
    parameters; its JSON request body is opened the same way.
    """
    if op is None:
        document = copy.deepcopy(openapi())
        mission = load_operation()
        request_schema = document["components"]["schemas"][mission.input.name]
        request_schema["additionalProperties"] = True
    else:
        from connect_contract.contracts.ondemand import operation_documents

        document = copy.deepcopy(operation_documents(op)["openapi.json"])
        for item in document["paths"].values():
            for operation in item.values():
                content = operation.get("requestBody", {}).get("content", {})
                for media in content.values():
                    if media.get("schema", {}).get("type") == "object":
                        media["schema"]["additionalProperties"] = True
    document["components"].pop("securitySchemes", None)
    for item in document["paths"].values():
        for operation in item.values():
            operation.pop("security", None)
    return document


def load_schema(base_url: str, op: ServiceOperation | None = None) -> Any:
    # SchemathesisConfig() is the defaults: no schemathesis.toml is auto-discovered from the cwd.
    schema = schemathesis.openapi.from_dict(generation_document(op), config=SchemathesisConfig())
    schema.config.update(base_url=base_url)
    return schema


def new_seed() -> int:
    return random.SystemRandom().randrange(2**31)


def run_generated(
    sender: Sender,
    base_url: str,
    *,
    max_examples: int,
    seed: int,
    on_exchange: Callable[[Exchange], None],
    stopped: Callable[[], bool],
    operation: ServiceOperation | None = None,
    pins: Mapping[str, Any] | None = None,
) -> None:
    """Generate and send every case; ``on_exchange`` judges each; ``stopped`` short-circuits sending.

    ``operation`` ``None`` is the mission operation; ``pins`` (``--set``) overwrite members of every case.
    """
    schema = load_schema(base_url, operation)
    settings = hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        database=None,  # no example database: runs are reproduced with --seed
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # explicit carries examples + coverage; no shrinking
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
    )
    modes = [HypothesisTestMode(phase) for phase in PHASES]

    def one_case(case: Any) -> None:
        if stopped():
            return
        if operation is not None:
            pin_case(operation, case, pins or {})
        on_exchange(send_case(sender, base_url, case, operation))

    with without_source_constants():
        for result in schema.get_all_operations():
            test = create_test(
                operation=result.ok(),
                test_func=one_case,
                config=HypothesisTestConfig(
                    project=schema.config, modes=modes, settings=settings, seed=seed, apply_ci_profile=False
                ),
            )
            test()


@contextmanager
def without_source_constants() -> Iterator[None]:
    """Generate without the constants Hypothesis reads from the source of the loaded "local" modules.

    Since 6.131 Hypothesis draws about 5 % of its strings and numbers from the literals of every loaded
    module it deems local (not site-packages: this package installed editable, a user's hook modules).
    For a conformance harness that goes wrong twice. What a seed generates depends on which modules
    happen to be loaded, so ``--seed`` does not replay a case across invocations. And the harness's own
    vocabulary comes back as generated values: a sensitive member sent as ``"sensitive"`` or
    ``"ValidationException"`` is then found in an answer that only said those words of its own, and
    check ``no_secret_echo`` failed a correct server (seen on SearchContacts).  Hypothesis has no setting
    for it, so its provider's lookup is swapped for the run (the constants cache cleared on both sides);
    ``tests/server/test_source_constants.py`` fails if a Hypothesis release moves it.
    """
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    original = getattr(providers, "_get_local_constants", None)
    if original is None:  # pragma: no cover - a Hypothesis without source constants: nothing to turn off
        yield
        return
    none = Constants()
    providers._get_local_constants = lambda: none
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def pin_case(op: ServiceOperation, case: Any, pins: Mapping[str, Any]) -> None:
    """Overwrite the ``--set`` members in a generated case, in the location each travels in."""
    from connect_contract.server.inputs import set_dotted

    by_name = {b.name: b for b in op.input}
    for path, value in pins.items():
        top = by_name.get(path.split(".", 1)[0])
        if top is None:
            continue
        if top.location == "label":
            case.path_parameters = {**(case.path_parameters or {}), top.wire_name: _text(value)}
        elif top.location == "query":
            case.query = {**(case.query or {}), top.wire_name: _text(value)}
        elif top.location == "header":
            case.headers = {**(case.headers or {}), top.wire_name: _text(value)}
        elif top.location == "body" and isinstance(case.body, dict):
            set_dotted(case.body, top.wire_name + path[len(top.name) :], value)


def send_case(sender: Sender, base_url: str, case: Any, operation: ServiceOperation | None = None) -> Exchange:
    """Send one schemathesis case through the harness's sender, judged by the harness's classifier."""
    kwargs = case.as_transport_kwargs(base_url=base_url)
    headers = {k: str(v) for k, v in kwargs.get("headers", {}).items() if k.lower() not in _NOISE_HEADERS}
    body = b""
    if "json" in kwargs:
        body = json.dumps(kwargs["json"]).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body = data if isinstance(data, bytes) else str(data).encode("utf-8")
    source = describe(case)
    method = str(kwargs["method"]).upper()
    url = str(kwargs["url"])
    if operation is not None:
        return sender.send(
            method,
            url,
            headers,
            body,
            intent=classify_operation(operation, method, url, headers, body),
            source=source,
            secrets=operation_secrets(operation, url, body),
            operation=operation,
        )
    return sender.send(
        method,
        url,
        headers,
        body,
        intent=classify(method, url, headers, body),
        source=source,
        secrets=sensitive_values(body),
    )


def describe(case: Any) -> str:
    """Where a case came from, e.g. "coverage: State: String larger than maxLength" (never a value)."""
    meta = case.meta
    if meta is None:
        return "generated"
    phase = meta.phase.name.value
    description = getattr(getattr(meta.phase, "data", None), "description", "") or f"{meta.generation.mode.value} case"
    text = f"{phase}: {description}"
    return text if len(text) <= 100 else text[:99] + "…"
