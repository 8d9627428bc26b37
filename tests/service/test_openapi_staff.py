"""Fuzzing the staff routes (approval, payouts) with a staff admin's own key, which gets past the
role checks into the use cases: whatever a client sends, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from materials import invoice_pdf

from claim_intake.intake.auth import create_key
from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.roles import Role
from claim_intake.intake.settings import Settings

from .conftest import Api, start_api


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, str]]]:
    client, api = start_api(Settings(data_dir=tmp_path_factory.mktemp("fuzz-staff")))
    with api.service.sessions.begin() as session:
        member = create_staff(session, "fuzz", "admin@example.org", "correct horse battery staple", Role.admin)
        key = {"Authorization": f"Bearer {create_key(session, 'fuzz', member.id)}"}
    api.submit(key, [("invoice.pdf", invoice_pdf())])
    try:
        yield api, key
    finally:
        client.__exit__(None, None, None)


def test_no_staff_request_gets_a_server_error(fuzzed: tuple[Api, dict[str, str]]) -> None:
    api, key = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = [op for op in (result.ok() for result in schema.get_all_operations())
                  if {"payouts", "figures"} & set(op.tags or ())]
    assert len(operations) >= 9

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: Any) -> None:
            response = case.call(headers=key)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:500]}"
            )

        no_server_error()
