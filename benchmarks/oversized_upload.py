"""Oversized uploads against `claim-intake serve` (embedded): refused early, memory flat.

Three requests, each while the server's resident memory (RSS, the serve process and its
children) is sampled every 20 ms:
1. 1 GB declared (Content-Length), the body sent slowly (64 KiB every 10 ms): the answer should
   come before the body, and nothing of it be kept;
2. an undeclared (chunked) body streamed as fast as loopback allows until the server stops it:
   cut off at the request limit (CLAIM_INTAKE_MAX_REQUEST_BYTES, 200 MB by default);
3. an upload at the limits that is accepted: 20 files of 9.5 MB (190 MB), spooled to disk.
It prints, for each, the status, the time to the answer, the bytes sent before it, and the peak RSS.

Usage: python benchmarks/oversized_upload.py
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from typing import Self

import httpx
import psutil
from load_api import embedded_server

SLOW_CHUNK = 64 * 1024
GIB = 1024**3


class PeakRss:
    """The highest RSS of a process and its children, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _rss(self) -> int:
        total = 0
        for p in [self.process, *self.process.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> Self:
        self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _head(address: str, key: str, extra: str) -> bytes:
    return (f"POST /v1/claims HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: multipart/form-data; boundary=b0undary\r\n{extra}\r\n").encode()


def _status(sock: socket.socket) -> int:
    answer = sock.recv(65536)
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1") else 0


def _send_until_answered(address: str, head: bytes, body_chunks: Iterator[bytes]) -> tuple[int, float, int]:
    """Sends ``head`` and then chunks until the server answers (or the body ends / the server
    closes): (status, seconds to the answer, body bytes sent)."""
    host, port = address.split(":")
    sent = 0
    with socket.create_connection((host, int(port))) as sock:
        started = time.perf_counter()
        sock.sendall(head)
        sock.setblocking(False)
        for chunk in body_chunks:
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except BlockingIOError:
                pass
            try:
                sock.setblocking(True)
                sock.sendall(chunk)
                sock.setblocking(False)
                sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(30)
        status = _status(sock)
        return status, time.perf_counter() - started, sent


def declared_slowly(address: str, key: str, declared: int = GIB) -> tuple[int, float, int]:
    def chunks() -> Iterator[bytes]:
        preamble = b'--b0undary\r\nContent-Disposition: form-data; name="files"; filename="big.jpg"\r\n\r\n\xff\xd8\xff'
        yield preamble
        filler = secrets.token_bytes(SLOW_CHUNK)
        for _ in range(declared // SLOW_CHUNK):
            time.sleep(0.01)
            yield filler

    return _send_until_answered(address, _head(address, key, f"Content-Length: {declared}\r\n"), chunks())


def undeclared_fast(address: str, key: str, up_to: int = GIB) -> tuple[int, float, int]:
    filler = secrets.token_bytes(SLOW_CHUNK)
    framed = f"{len(filler):x}\r\n".encode() + filler + b"\r\n"

    def chunks() -> Iterator[bytes]:
        preamble = b'--b0undary\r\nContent-Disposition: form-data; name="files"; filename="big.jpg"\r\n\r\n\xff\xd8\xff'
        yield f"{len(preamble):x}\r\n".encode() + preamble + b"\r\n"
        for _ in range(up_to // SLOW_CHUNK):
            yield framed

    return _send_until_answered(address, _head(address, key, "Transfer-Encoding: chunked\r\n"), chunks())


def accepted_at_the_limits(address: str, key: str, files: int = 20, size: int = 9_500_000) -> tuple[int, float, int]:
    jpeg = b"\xff\xd8\xff" + secrets.token_bytes(size - 3)
    started = time.perf_counter()
    response = httpx.post(f"http://{address}/v1/claims", headers={"Authorization": f"Bearer {key}"},
                          data={"claim_type": "inpatient"},
                          files=[("files", (f"{i}.jpg", jpeg)) for i in range(files)], timeout=300)
    return response.status_code, time.perf_counter() - started, files * size


def main() -> None:
    with embedded_server() as (url, key, pid):
        address = url.removeprefix("http://")
        for name, run in (("1 GB declared, sent slowly", declared_slowly),
                          ("1 GB undeclared (chunked), sent fast", undeclared_fast),
                          ("20 files of 9.5 MB, accepted", accepted_at_the_limits)):
            with PeakRss(pid) as rss:
                before = rss.peak
                status, seconds, sent = run(address, key)
            print(f"{name}: HTTP {status} after {seconds:.2f} s, {sent / 1e6:.1f} MB of body sent; "
                  f"server RSS {before / 1e6:.0f} MB before, peak {rss.peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
