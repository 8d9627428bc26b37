"""Fuzzing the API from its own OpenAPI document: whatever a client sends, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from materials import invoice_pdf

from claim_intake.intake.settings import Settings

from .conftest import Api, start_api


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, str]]]:
    client, api = start_api(Settings(data_dir=tmp_path_factory.mktemp("fuzz")))
    key = api.new_key()
    # Something to find: real ids are a path away from random ones.
    api.submit(key, [("invoice.pdf", invoice_pdf())])
    try:
        yield api, key
    finally:
        client.__exit__(None, None, None)


def test_no_request_gets_a_server_error(fuzzed: tuple[Api, dict[str, str]]) -> None:
    # Schemathesis's Python API (its pytest plugin does not run under this pytest): a Hypothesis
    # strategy of requests per operation, a few examples each.
    api, key = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9

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
