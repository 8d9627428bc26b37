"""Feedback latency on the member's phone page: from an upload to what it was read as.

Runs the service in embedded mode (SQLite, a local folder, the real OCR engine in the service's
own reader) on a free port, opens a member entry point, and RUNS times: identifies a member, fills
in an inpatient claim and uploads one phone photo of a synthetic invoice (2000 px on the long side,
as the page sends it after shrinking it on the phone), then polls the page's materials part once a
second as the page does, until the photo's feedback (what it was read as, the fields, the warnings)
is there. Prints the median and the spread of that time, against the 5 s target, and how long the
page's own requests took meanwhile (the page stays usable while the photo is read).

Usage: python benchmarks/member_feedback.py [--runs 10] [--poll 0.5]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import uvicorn

from claim_intake.intake.api.app import create_app
from claim_intake.intake.member.tables import MemberPortal
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import Organisation
from claim_intake.samples.capture import phone_photo
from claim_intake.samples.data import make_inpatient_case
from claim_intake.samples.defects import jpeg
from claim_intake.samples.page import rasterise
from claim_intake.samples.render import invoice_inpatient_page

TARGET_S = 5.0
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _photo(seed: int) -> bytes:
    rng = random.Random(seed)
    page, _ = invoice_inpatient_page(make_inpatient_case(rng))
    rgb = np.asarray(phone_photo(rasterise(page), rng).convert("RGB"))
    return jpeg(np.ascontiguousarray(rgb[:, :, ::-1]))


def _serve(data_dir: Path) -> tuple[str, uvicorn.Server, threading.Thread]:
    app = create_app(Settings(data_dir=data_dir))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    with app.state.service.sessions() as session:
        session.add(Organisation(id="org_bench", name="基准测试工会"))
        session.flush()
        session.add(MemberPortal(slug="bench", organisation_id="org_bench", title="基准测试工会", require_code=False))
        session.commit()
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread


def _one(url: str, n: int, photo: bytes, poll_s: float, page_seconds: list[float]) -> float:
    with httpx.Client(base_url=url, follow_redirects=False, timeout=60) as client:
        token = _CSRF.search(client.get("/m/bench").text).group(1)  # type: ignore[union-attr]
        client.post("/m/bench/identify", data={"csrf_token": token, "name": "张三", "id_number": "11010519491231002X",
                                               "phone": f"1390000{n:04d}", "unit": "基准测试公司"})
        created = client.post("/m/bench/new", data={
            "csrf_token": token, "claim_type": "inpatient", "hospital": "南宁市第一人民医院", "start_date": "2026-10-20",
            "end_date": "2026-10-27", "bank_choice": "enrolment", "consent": "yes"})
        claim = created.headers["location"].rsplit("/", 1)[1]
        started = time.perf_counter()
        answer = client.post(f"/m/c/{claim}/files", data={"csrf_token": token},
                             files=[("files", (f"photo{n}.jpg", photo, "image/jpeg"))],
                             headers={"Accept": "application/json"})
        document = answer.json()["queued"][0]
        while True:
            asked = time.perf_counter()
            part = client.get(f"/m/c/{claim}/part").text
            page_seconds.append(time.perf_counter() - asked)
            shown = re.search(rf'data-doc="{document}"[^>]*>(.*?)</li>', part, re.DOTALL)
            if shown and "识别为" in shown.group(1):
                return time.perf_counter() - started
            time.sleep(poll_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between the page's polls (the page: 1)")
    args = parser.parse_args()
    photos = [_photo(seed) for seed in range(args.runs)]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        url, server, thread = _serve(Path(folder))
        try:
            _one(url, 9999, photos[0], args.poll, [])  # the reader's models load once per process
            page_seconds: list[float] = []
            seconds = [_one(url, n, photo, args.poll, page_seconds) for n, photo in enumerate(photos)]
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    median = statistics.median(seconds)
    print(f"machine: {os.cpu_count()} cores, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"photo size: {statistics.median(len(p) for p in photos) / 1e6:.2f} MB (median); polled every {args.poll} s")
    print(f"feedback after upload: median {median:.2f} s, min {min(seconds):.2f} s, max {max(seconds):.2f} s "
          f"over {len(seconds)} uploads (target median < {TARGET_S:.0f} s: {'met' if median < TARGET_S else 'MISSED'})")
    print(f"page requests while reading: median {statistics.median(page_seconds) * 1000:.0f} ms, "
          f"max {max(page_seconds) * 1000:.0f} ms over {len(page_seconds)} requests")


if __name__ == "__main__":
    main()
