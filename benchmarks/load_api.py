"""Load on the intake API: acknowledgement latency under concurrent uploads, and claims per
minute end to end.

CLIENTS concurrent clients each post CLAIMS claims of 4 files (~4 MB: the sample bundle
inpatient_complete, images padded with random bytes so that every claim is new to the store) to
POST /v1/claims over loopback. It prints the median and p95 time to the 202, then waits until
every claim is assessed and prints claims per minute from the first submission to the last
assessment.

Without --url it starts `claim-intake serve` itself in embedded mode (SQLite, a local folder, the
in-process executor with the real OCR engine) in a temporary folder, with a fresh API key.

Usage: python benchmarks/load_api.py [--clients 20] [--claims 1] [--url URL --key KEY]
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "samples" / "bundles" / "inpatient_complete"
IMAGE_SIZE = 1_300_000
"""Each image padded to this; with the PDF the bundle is ~4 MB."""


def bundle(image_size: int = IMAGE_SIZE) -> list[tuple[str, bytes]]:
    """A fresh copy of the bundle: decoders ignore bytes after an image's end, and a PDF comment
    after %%EOF changes its hash without changing its pages."""
    files = []
    for path in sorted(BUNDLE.iterdir()):
        data = path.read_bytes()
        if path.suffix == ".pdf":
            data += f"\n%{secrets.token_hex(16)}\n".encode()
        else:
            data += secrets.token_bytes(max(16, image_size - len(data)))
        files.append((path.name, data))
    return files


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def embedded_server() -> Iterator[tuple[str, str, int]]:
    """The URL, an API key and the server's process id."""
    cli = Path(sys.executable).parent / "claim-intake"
    with tempfile.TemporaryDirectory(prefix="claim-intake-load-") as data_dir:
        env = {**os.environ, "CLAIM_INTAKE_DATA_DIR": data_dir}
        key = subprocess.run([cli, "keys", "create", "--org", "load", "--new-org"], env=env, check=True,
                             capture_output=True, text=True).stdout.strip()
        port = _free_port()
        server = subprocess.Popen([cli, "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("claim-intake serve did not start")
                time.sleep(0.2)
            yield url, key, server.pid
        finally:
            server.terminate()
            server.wait(timeout=30)


def submit(client: httpx.Client, files: list[tuple[str, bytes]]) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.post("/v1/claims", data={"claim_type": "inpatient"},
                           files=[("files", f) for f in files])
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()["id"]


def run(url: str, key: str, clients: int, claims: int) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    payloads = [bundle() for _ in range(clients * claims)]
    size = sum(len(d) for _, d in payloads[0]) / 1e6
    print(f"{clients} clients x {claims} claim(s) of 4 files ({size:.1f} MB) -> {url}")

    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        first_submit = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            results = list(pool.map(lambda files: submit(client, files), payloads))
        latencies = sorted(r[0] for r in results)
        p95 = latencies[min(len(latencies) - 1, round(0.95 * len(latencies)) - 1)]
        print(f"acknowledgement: median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms ({len(latencies)} requests)")

        ids = {r[1] for r in results}
        while True:
            waiting = sum(1 for claim_id in ids if client.get(f"/v1/claims/{claim_id}").json()["status"] == "processing")
            if not waiting:
                break
            time.sleep(1)
        elapsed = time.perf_counter() - first_submit
    print(f"end to end: {len(ids)} claims assessed in {elapsed:.1f} s = {len(ids) / elapsed * 60:.1f} claims/min")


def add_target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="a running `claim-intake serve`; default: start one (embedded)")
    parser.add_argument("--key", default=os.environ.get("CLAIM_INTAKE_API_KEY"), help="API key for --url")


@contextmanager
def target(args: argparse.Namespace) -> Iterator[tuple[str, str, int | None]]:
    """The service to load: ``--url`` with its ``--key``, else an embedded one started here (then
    its process id too)."""
    if not args.url:
        with embedded_server() as found:
            yield found
        return
    if not args.key:
        raise SystemExit("--key (or CLAIM_INTAKE_API_KEY) is needed with --url")
    yield args.url, args.key, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--claims", type=int, default=1, help="claims per client")
    add_target_options(parser)
    args = parser.parse_args()
    with target(args) as (url, key, _pid):
        run(url, key, args.clients, args.claims)


if __name__ == "__main__":
    main()
