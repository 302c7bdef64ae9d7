"""Helpers for the reference-mock tests (a uniquely named module: tests/ has no packages)."""

from __future__ import annotations

from typing import Any

import boto3
import requests
from botocore.config import Config

from connect_contract.model import load_operation

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"


def boto3_client(
    url: str,
    *,
    key: str = ACCESS_KEY,
    secret: str = SECRET_KEY,
    region: str = REGION,
    token: str | None = None,
    read_timeout: float = 10,
    **config: Any,
) -> Any:
    return boto3.client(
        "connect",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            connect_timeout=5,
            read_timeout=read_timeout,
            **config,
        ),
    )


class Mock:
    """A running mock: its URL, a requests session, and shortcuts to its control routes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.operation_url = url + load_operation().request_uri

    def reset(self) -> None:
        self.http.post(f"{self.url}/_mock/reset", timeout=10).raise_for_status()

    def control(self, method: str, route: str, body: Any = None) -> requests.Response:
        return self.http.request(method, f"{self.url}/_mock/{route}", json=body, timeout=10)

    def post(self, body: bytes | str, headers: dict[str, str] | None = None, timeout: float = 10) -> requests.Response:
        merged = {"Content-Type": "application/json", **(headers or {})}
        return self.http.post(self.operation_url, data=body, headers=merged, timeout=timeout)

    def client(self, **kw: Any) -> Any:
        return boto3_client(self.url, **kw)
