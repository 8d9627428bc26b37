"""Request bodies are bounded while they arrive, on a real server (uvicorn over loopback): an
oversized upload is refused before its body is read, an anonymous one is never read, and the
server's memory stays flat whatever is sent."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import psutil
import pytest
import uvicorn
from materials import invoice_pdf

from claim_intake.intake.api.app import create_app
from claim_intake.intake.auth import create_key
from claim_intake.intake.settings import Settings
from claim_intake.ocr.options import Limits, ReadOptions

from .conftest import CountingEngine

MAX_FILE = 2_000_000
MAX_REQUEST = 5_000_000
CHUNK = 64 * 1024
BOUNDARY = "b0undary"
FILE_PART = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="big.jpg"\r\n\r\n'
             ).encode() + b"\xff\xd8\xff"


@dataclass
class Server:
    host: str
    port: int
    key: str
    app: object


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("limits"), max_request_bytes=MAX_REQUEST,
                        read=ReadOptions(limits=Limits(max_file_bytes=MAX_FILE)))
    app = create_app(settings, engine_factory=lambda: CountingEngine("医疗保障基金结算清单"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    with app.state.service.sessions.begin() as session:
        key = create_key(session, f"org-{secrets.token_hex(3)}")
    try:
        yield Server("127.0.0.1", port, key, app)
    finally:
        uv.should_exit = True
        thread.join(timeout=30)


def _head(server: Server, path: str, framing: str, key: str | None) -> bytes:
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    return (f"POST {path} HTTP/1.1\r\nHost: {server.host}\r\n{auth}"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{framing}\r\n").encode()


@dataclass
class Outcome:
    status: int
    body: bytes
    sent: int
    seconds: float
    rss_growth: int


def _send(server: Server, head: bytes, chunks: Iterator[bytes]) -> Outcome:
    """Sends until the server answers; the answer, how much of the body it took, and how much the
    process (server and this client) grew meanwhile."""
    process = psutil.Process()
    rss_before = process.memory_info().rss
    peak = rss_before
    sent = 0
    with socket.create_connection((server.host, server.port)) as sock:
        started = time.perf_counter()
        sock.sendall(head)
        sock.setblocking(False)
        for chunk in chunks:
            peak = max(peak, process.memory_info().rss)
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except BlockingIOError:
                pass
            try:
                sock.setblocking(True)
                sock.sendall(chunk)
                sock.setblocking(False)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        sock.setblocking(True)
        sock.settimeout(30)
        answer = b""
        while b"\r\n\r\n" not in answer and (part := sock.recv(65536)):
            answer += part
        seconds = time.perf_counter() - started
        head_part, body = answer.split(b"\r\n\r\n", 1)
        length = next(int(line.split(b":")[1]) for line in head_part.lower().split(b"\r\n")
                      if line.startswith(b"content-length:"))
        while len(body) < length and (part := sock.recv(65536)):
            body += part
    status = int(head_part.split(b" ", 2)[1])
    return Outcome(status, body, sent, seconds, max(peak, process.memory_info().rss) - rss_before)


def _slow(total: int) -> Iterator[bytes]:
    yield FILE_PART
    filler = secrets.token_bytes(CHUNK)
    for _ in range(total // CHUNK):
        time.sleep(0.01)
        yield filler


def _chunked(total: int) -> Iterator[bytes]:
    filler = secrets.token_bytes(CHUNK)
    yield f"{len(FILE_PART):x}\r\n".encode() + FILE_PART + b"\r\n"
    for _ in range(total // CHUNK):
        yield f"{CHUNK:x}\r\n".encode() + filler + b"\r\n"


def test_a_declared_gigabyte_sent_slowly_is_refused_before_its_body(server: Server) -> None:
    outcome = _send(server, _head(server, "/v1/claims", f"Content-Length: {1024**3}\r\n", server.key),
                    _slow(1024**3))
    assert outcome.status == 413
    assert b"request_too_large" in outcome.body
    assert outcome.seconds < 10 and outcome.sent < 1_000_000
    # The server shares this process (the suite's other tests live in it too): its growth is
    # what this request cost. benchmarks/oversized_upload.py measures a server of its own.
    assert outcome.rss_growth < 50e6


def test_an_undeclared_body_is_cut_off_at_the_request_limit_with_memory_flat(server: Server) -> None:
    outcome = _send(server, _head(server, "/v1/claims", "Transfer-Encoding: chunked\r\n", server.key),
                    _chunked(200_000_000))
    assert outcome.status == 413
    # The refusal comes once the limit is passed (socket buffers hold a few MB more in flight).
    assert MAX_REQUEST < outcome.sent < MAX_REQUEST + 20_000_000
    assert outcome.rss_growth < 50e6


def test_without_an_api_key_an_upload_body_is_not_read(server: Server) -> None:
    # Under the request limit, so only the missing key can stop it; and before the body is sent.
    outcome = _send(server, _head(server, "/v1/claims", f"Content-Length: {MAX_REQUEST - 1000}\r\n", None),
                    _slow(MAX_REQUEST))
    assert outcome.status == 401
    assert outcome.sent < 2_000_000


def test_a_follow_up_upload_under_a_forged_link_is_not_read(server: Server) -> None:
    outcome = _send(server, _head(server, "/f/some-claim/forged-token", f"Content-Length: {MAX_REQUEST - 1000}\r\n",
                                  None), _slow(MAX_REQUEST))
    assert outcome.status == 403
    assert outcome.sent < 2_000_000


def test_a_json_body_past_the_form_limit_is_refused(server: Server) -> None:
    import httpx

    response = httpx.post(f"http://{server.host}:{server.port}/v1/webhooks",
                          headers={"Authorization": f"Bearer {server.key}"},
                          content=b'{"url": "' + b"a" * 2_000_000 + b'"}', timeout=30)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_file_past_its_limit_is_reported_and_the_others_accepted(server: Server) -> None:
    import httpx

    base = f"http://{server.host}:{server.port}"
    headers = {"Authorization": f"Bearer {server.key}"}
    response = httpx.post(f"{base}/v1/claims", headers=headers, data={"claim_type": "inpatient"}, timeout=30,
                          files=[("files", ("invoice.pdf", invoice_pdf())),
                                 ("files", ("huge.jpg", b"\xff\xd8\xff" + b"0" * (MAX_FILE + 10)))])
    assert response.status_code == 202, response.text
    documents = response.json()["documents"]
    assert documents[1]["error"]["reason"] == "file_too_large"
    assert documents[0].get("error") is None


def test_too_many_files_are_refused_as_the_form_is_read(server: Server) -> None:
    import httpx

    response = httpx.post(f"http://{server.host}:{server.port}/v1/claims",
                          headers={"Authorization": f"Bearer {server.key}"}, data={"claim_type": "inpatient"},
                          files=[("files", (f"{i}.pdf", invoice_pdf())) for i in range(21)], timeout=30)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
