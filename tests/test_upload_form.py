"""Reading an upload form as it streams in: every file's bytes intact, whatever the chunks, with
the request's memory allowance held in memory and the rest spooled to disk."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx
import pytest
from starlette.requests import Request

from claim_intake.intake.upload_form import UploadLimits, files_of, text_of, upload_form

MIB = 1024 * 1024
LIMITS = UploadLimits(max_files=5, max_file_bytes=4 * MIB, max_request_bytes=30 * MIB, memory_bytes=3 * MIB)


def _request(files: list[tuple[str, bytes]], chunk: int) -> Request:
    """The request a phone's browser sends, arriving ``chunk`` bytes at a time."""
    built = httpx.Request("POST", "http://test/v1/claims", data={"claim_type": "inpatient"},
                          files=[("files", f) for f in files])
    body = built.read()
    pieces = [body[i:i + chunk] for i in range(0, len(body), chunk)]
    scope = {"type": "http", "method": "POST", "path": "/v1/claims", "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in built.headers.items()]}

    async def receive() -> dict:
        piece = pieces.pop(0)
        return {"type": "http.request", "body": piece, "more_body": bool(pieces)}

    return Request(scope, receive)


async def _parse(files: list[tuple[str, bytes]], chunk: int) -> list[tuple[str, bytes, int, bool]]:
    async with upload_form(_request(files, chunk), LIMITS) as form:
        assert text_of(form, "claim_type") == "inpatient"
        return [(f.filename or "", await f.read(), f.size or 0, f._in_memory) for f in files_of(form)]


def _read(files: list[tuple[str, bytes]], chunk: int) -> list[tuple[str, bytes, int, bool]]:
    """Each file's name, bytes, size and whether it stayed in memory. In a thread of its own: the
    browser tests' session leaves an event loop running in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, _parse, files, chunk).result()


@pytest.mark.parametrize("chunk", [997, 64 * 1024, 256 * 1024])
def test_files_arrive_whole_and_memory_holds_only_the_allowance(chunk: int) -> None:
    photos = [(f"photo{n}.jpg", secrets.token_bytes(size)) for n, size in
              enumerate([1 * MIB, MIB + 12345, 2 * MIB, 1000])]

    read = _read(photos, chunk)

    assert [(name, data, size) for name, data, size, _ in read] == [(n, d, len(d)) for n, d in photos]
    # 1 MiB, then 1 MiB and a bit (2 MiB and a bit held), then 2 MiB more than the 3 MiB allow:
    # that one goes to disk, and the small one after it still fits in memory.
    assert [in_memory for *_, in_memory in read] == [True, True, False, True]


def test_a_file_past_its_limit_is_cut_one_byte_over_it() -> None:
    big = secrets.token_bytes(LIMITS.max_file_bytes + 5000)

    [(_, data, size, _)] = _read([("big.jpg", big)], 64 * 1024)

    assert data == big[:LIMITS.max_file_bytes + 1] and size == LIMITS.max_file_bytes + 1
