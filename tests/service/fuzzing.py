"""What the fuzzing tests share: an API of their own with a claim to find, and the check that no
request Schemathesis generates from the API's OpenAPI document gets a server error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from materials import invoice_pdf

from claim_intake.intake.settings import Settings

from .conftest import Api, start_api


@contextmanager
def fuzzed_api(tmp_path_factory: pytest.TempPathFactory,
               key_of: Callable[[Api], dict[str, str]]) -> Iterator[tuple[Api, dict[str, str]]]:
    """An API on a folder of its own and the headers of the key ``key_of`` makes, with a claim
    submitted: real ids are a path away from random ones."""
    client, api = start_api(Settings(data_dir=tmp_path_factory.mktemp("fuzz")))
    try:
        key = key_of(api)
        api.submit(key, [("invoice.pdf", invoice_pdf())])
        yield api, key
    finally:
        client.__exit__(None, None, None)


def operations(api: Api, tags: set[str] | None = None) -> list[Any]:
    """The API's operations (those with one of ``tags``, when given)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if tags is None or tags & set(op.tags or ())]


def assert_no_server_error(operations: list[Any], key: dict[str, str]) -> None:
    """A few generated requests per operation, sent with ``key``: none gets a 5xx, and every JSON
    error is the API's one error body. (Schemathesis's Python API: its pytest plugin does not run
    under this pytest.)"""
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: Any) -> None:
            response = case.call(headers=key)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
            )
            if response.status_code >= 400 and "json" in response.headers.get("content-type", [""])[0]:
                assert set(response.json()) == {"error"}

        no_server_error()
