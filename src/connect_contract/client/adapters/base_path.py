"""The base path a client's own endpoint rules put in front of every request path.

An endpoint rule set may resolve a service's endpoint to a URL with a path.  geo-maps is the one rest-json
service where this differs between clients: the AWS CLI 1.46's botocore (1.43.62) and
``@aws-sdk/client-geo-maps`` 3.1000.0 resolve ``https://maps.geo.<region>.amazonaws.com/v2`` and have
requestUri ``/static/{FileName}``; botocore 1.44.8 resolves ``https://maps.geo.<region>.amazonaws.com`` and
has ``/v2/static/{FileName}``.  All three send ``/v2/static/...`` to AWS.

An explicit endpoint URL replaces the rules' URL, path included (the rule sets' first rule: ``Endpoint`` set
-> that URL), so a user pointing such a client at another endpoint gives the path too.  The built-in adapters
do what that user does: they configure ``CONNECT_CONTRACT_ENDPOINT`` + the path their own client's rules
resolve (:func:`with_base_path`).  The judge expects the path AWS receives from botocore's model: its rules'
base path + its requestUri.  So the client's model and rules are judged by what they add up to: a client that
drops its endpoint's path, or whose model and rules add up to another path than botocore's, fails
``req.path``.

No botocore import at module level: the AWS CLI adapter imports botocore only after ``awscli`` (which aliases
``botocore`` to the CLI's own copy), and then these functions resolve with the CLI's rules.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any
from urllib.parse import urlsplit

_LOCK = threading.Lock()  # the judge asks from every lane's thread; a botocore session is not thread-safe


@cache
def _session(plain_loader: bool) -> Any:
    import botocore.loaders
    import botocore.session

    session = botocore.session.get_session()
    if plain_loader:  # the loader connect_contract.operations reads models with (no AWS_DATA_PATH): rules, model agree
        session.register_component("data_loader", botocore.loaders.Loader())
    return session


def client_session() -> Any:
    """The botocore session :func:`rules_base_path` resolves with: build the client under test on it too, and the
    two share one loader (the model is read once, and from the same files)."""
    return _session(False)


@cache
def rules_base_path(service: str, operation: str, region: str, *, plain_loader: bool = False) -> str:
    """The path of the endpoint the imported botocore's rules resolve for ``operation`` in ``region`` when
    no endpoint is configured: ``""`` for every rest-json service of botocore 1.44.8, ``"/v2"`` for geo-maps
    in the AWS CLI's botocore 1.43.62.

    ``""`` when the rules cannot resolve without more input than a region (cloudfront-keyvaluestore wants
    an ARN): the request path is then judged against the requestUri alone, as before base paths were known.

    A client resolves with its session's loader (models from ``AWS_DATA_PATH`` too, as the client reads its
    model); the judge with ``plain_loader``, the loader that read the model it judges by.
    """
    with _LOCK:
        return _resolve(service, operation, region, plain_loader)


def _resolve(service: str, operation: str, region: str, plain_loader: bool) -> str:
    from botocore.config import Config

    # Nothing configured may stand in for the rules: no endpoint_url from the environment or a config file,
    # no FIPS or dual-stack variant.
    config = Config(ignore_configured_endpoint_urls=True, use_fips_endpoint=False, use_dualstack_endpoint=False)
    try:
        client = _session(plain_loader).create_client(
            service, region_name=region, aws_access_key_id="probe", aws_secret_access_key="probe", config=config
        )
        # The client's own resolver (what it calls before sending; botocore has no public way to ask it).
        resolver = getattr(client, "_ruleset_resolver", None)
        if resolver is None:
            return ""
        model = client.meta.service_model.operation_model(operation)
        endpoint = resolver.construct_endpoint(operation_model=model, call_args={}, request_context={})
    except Exception:  # EndpointResolutionError and kin: the rules want more input than a region
        return ""
    return urlsplit(str(endpoint.url)).path.rstrip("/")


def with_base_path(endpoint: str, base_path: str) -> str:
    """``CONNECT_CONTRACT_ENDPOINT`` with the base path a client's rules put on the service's endpoint."""
    return endpoint.rstrip("/") + base_path if base_path else endpoint


if __name__ == "__main__":  # run by another interpreter's AWS CLI v1 (awscli_adapter._foreign): its own rules
    import contextlib
    import sys

    with contextlib.suppress(ImportError):
        import awscli  # noqa: F401  (aliases botocore to the CLI's own copy, when it has one)
    print(rules_base_path(*sys.argv[1:4]))
