"""Fuzzing the staff routes (approval, payouts) with a staff admin's own key, which gets past the
role checks into the use cases: whatever a client sends, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claim_intake.intake.auth import create_key
from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.roles import Role

from .conftest import Api
from .fuzzing import assert_no_server_error, fuzzed_api, operations


def _admin_key(api: Api) -> dict[str, str]:
    with api.service.sessions.begin() as session:
        member = create_staff(session, "fuzz", "admin@example.org", "correct horse battery staple", Role.admin)
        return {"Authorization": f"Bearer {create_key(session, 'fuzz', member.id)}"}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, str]]]:
    with fuzzed_api(tmp_path_factory, _admin_key) as fuzzed:
        yield fuzzed


def test_no_staff_request_gets_a_server_error(fuzzed: tuple[Api, dict[str, str]]) -> None:
    api, key = fuzzed
    staff = operations(api, {"payouts", "figures"})
    assert len(staff) >= 9
    assert_no_server_error(staff, key)
