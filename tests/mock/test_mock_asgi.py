"""The mock as an in-process ASGI app (Starlette's TestClient): routing, methods, lifespan, config."""

from __future__ import annotations

import warnings

import pytest

from connect_contract.contracts import ERROR_TYPE_HEADER, REQUEST_ID_HEADER
from connect_contract.mock import MockConfig, create_app, responses
from connect_contract.model import load_operation

with warnings.catch_warnings():  # starlette 1.10 suggests httpx2 for its TestClient; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

OP = load_operation()
BODY = {"InstanceId": "i", "State": "s", "Code": "c"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app()) as test_client:  # runs the lifespan protocol too
        yield test_client  # type: ignore[misc]


def test_success_in_process(client: TestClient) -> None:
    response = client.post(OP.request_uri, json=BODY)
    assert (response.status_code, response.json()) == (200, {})
    assert response.headers[REQUEST_ID_HEADER]


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"])
def test_other_methods_get_405_with_allow_and_error_type(client: TestClient, method: str) -> None:
    response = client.request(method, OP.request_uri, json=BODY)
    assert response.status_code == 405
    assert response.headers["allow"] == OP.http_method
    assert response.headers[ERROR_TYPE_HEADER] == responses.METHOD_NOT_ALLOWED
    assert response.headers[REQUEST_ID_HEADER]


@pytest.mark.parametrize("path", ["/", "/contact", OP.request_uri + "/", OP.request_uri + "x", "/_mock/nope"])
def test_unknown_paths_get_404_with_error_type(client: TestClient, path: str) -> None:
    response = client.post(path, json=BODY)
    assert response.status_code == 404
    assert response.headers[ERROR_TYPE_HEADER] == responses.UNKNOWN_OPERATION
    assert response.headers[REQUEST_ID_HEADER]


def test_control_route_with_wrong_method(client: TestClient) -> None:
    response = client.put("/_mock/faults")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"DELETE", "GET", "POST"}


def test_request_ids_are_unique(client: TestClient) -> None:
    ids = {client.post(OP.request_uri, json=BODY).headers[REQUEST_ID_HEADER] for _ in range(20)}
    assert len(ids) == 20


def test_capture_keeps_only_the_newest() -> None:
    with TestClient(create_app(MockConfig(capture_limit=3))) as small:
        for index in range(5):
            small.post(OP.request_uri, json={**BODY, "InstanceId": f"i{index}"})
        bodies = [r["body"] for r in small.get("/_mock/requests").json()["requests"]]
    assert [b.split('"InstanceId": "')[1][:2] for b in bodies] == ["i2", "i3", "i4"]


def test_each_app_has_its_own_state() -> None:
    first, second = TestClient(create_app()), TestClient(create_app())
    first.post("/_mock/faults", json={"error": OP.error_names[0]})
    assert second.post(OP.request_uri, json=BODY).status_code == 200
    assert first.post(OP.request_uri, json=BODY).headers[ERROR_TYPE_HEADER] == OP.error_names[0]


@pytest.mark.parametrize(
    "kwargs",
    [{"mode": "strict"}, {"auth": "basic"}, {"auth": "sigv4"}, {"max_body_bytes": 0}],
    ids=repr,
)
def test_invalid_configurations_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        MockConfig(**kwargs)  # type: ignore[arg-type]


def test_credentials_never_appear_in_the_config_repr() -> None:
    assert "s3cret" not in repr(MockConfig(auth="sigv4", credentials={"AKID": "s3cret"}))


def test_a_bug_in_the_mock_is_reported_as_its_own_500_not_a_modeled_error() -> None:
    app = create_app()

    def broken(document: object) -> object:
        raise RuntimeError("deliberately broken validator")

    app.validator.check = broken  # type: ignore[method-assign,assignment]
    with TestClient(app, raise_server_exceptions=False) as broken_client:
        response = broken_client.post(OP.request_uri, json=BODY)
    assert response.status_code == 500
    assert response.headers[ERROR_TYPE_HEADER] == responses.MOCK_FAILURE
    assert response.headers[ERROR_TYPE_HEADER] not in OP.error_names
    assert response.headers[REQUEST_ID_HEADER]
