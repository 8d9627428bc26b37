"""Fuzzing the API from its own OpenAPI document: whatever a client sends, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import Api
from .fuzzing import assert_no_server_error, fuzzed_api, operations


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, str]]]:
    with fuzzed_api(tmp_path_factory, lambda api: api.new_key()) as fuzzed:
        yield fuzzed


def test_no_request_gets_a_server_error(fuzzed: tuple[Api, dict[str, str]]) -> None:
    api, key = fuzzed
    every = operations(api)
    assert len(every) >= 9
    assert_no_server_error(every, key)
