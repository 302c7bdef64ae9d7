"""The pytest plugin's mock fixtures, as another area's tests would use them."""

from __future__ import annotations

import requests

from connect_contract.model import load_operation

OP = load_operation()


def test_mock_reset_gives_a_clean_running_mock(mock_reset: str, mock_url: str) -> None:
    assert mock_reset == mock_url
    assert requests.get(f"{mock_url}/_mock/requests", timeout=10).json()["requests"] == []
    response = requests.post(mock_url + OP.request_uri, json={"InstanceId": "i", "State": "s", "Code": "c"}, timeout=10)
    assert response.status_code == 200
    requests.post(f"{mock_url}/_mock/faults", json={"error": OP.error_names[0]}, timeout=10)


def test_faults_from_an_earlier_test_are_gone(mock_reset: str) -> None:
    assert requests.get(f"{mock_reset}/_mock/faults", timeout=10).json()["faults"] == []
