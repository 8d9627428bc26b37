"""A real server and a real browser: uvicorn on a free port in a background thread (SQLite and a
local folder in a temporary directory), and Debian's chromium driven by Playwright.

Reading replays the real engine's recorded answers for the sample bundles (tests/recordings), so
the pages, boxes and fields are those of real PP-OCR on the sample photos, in a fraction of a second.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest
import uvicorn

from claim_intake.intake.api.app import create_app
from claim_intake.intake.service import Service
from claim_intake.intake.settings import Settings
from claim_intake.ocr.replay import ReplayEngine

ROOT = Path(__file__).resolve().parents[2]
RECORDING = ROOT / "tests" / "recordings" / "sample_bundles.json"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class MisreadingEngine:
    """The recorded answers, with one character misread the way OCR does (蒙 -> 家 in the payer's
    name), so that the claim has a finding with evidence for staff to correct."""

    def __init__(self, replay: ReplayEngine, line: str, misread: str) -> None:
        self._replay = replay
        self._line, self._misread = line, misread
        self.info = replay.info

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        return self._replay.detect(image)

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        return self._replay.classify(crops)

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(self._misread if text == self._line else text, score) for text, score in self._replay.recognise(crops)]


@dataclass
class Server:
    url: str
    service: Service


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    engine = MisreadingEngine(ReplayEngine(RECORDING), "交款人：蒙强", "交款人：家强")
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("browser")), engine_factory=lambda: engine)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uvi = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=uvi.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not uvi.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Server(url, app.state.service)
    finally:
        uvi.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("chromium is missing: apt-get install -y chromium (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Screenshots:
    """Every page the walk sees, kept under test-artifacts/; the README's two are refreshed in
    docs/screenshots only when asked (CLAIM_INTAKE_UPDATE_SCREENSHOTS=1), so that a test run
    never changes committed files."""

    def __init__(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._update_docs = os.environ.get("CLAIM_INTAKE_UPDATE_SCREENSHOTS") == "1"

    def take(self, page: object, name: str, *, for_readme: bool = False, full_page: bool = True) -> None:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
        if for_readme and self._update_docs:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, SCREENSHOTS / f"{name.split('-', 1)[1]}.png")


@pytest.fixture
def screenshots() -> Screenshots:
    return Screenshots()


def submit(server: Server, key: str, files: list[Path] | list[tuple[str, bytes]], claimant_name: str) -> str:
    """A claim through the API, as a programme's intake system would send it (files from disk or
    named bytes); waits for its assessment."""
    parts = [(f.name, f.read_bytes()) if isinstance(f, Path) else f for f in files]
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        response = client.post("/v1/claims", data={"claim_type": "inpatient", "claimant_name": claimant_name},
                               files=[("files", part) for part in parts])
        assert response.status_code == 202, response.text
        claim_id = response.json()["id"]
        deadline = time.monotonic() + 60
        while client.get(f"/v1/claims/{claim_id}").json()["status"] == "processing":
            assert time.monotonic() < deadline, f"claim {claim_id} still processing"
            time.sleep(0.1)
    return claim_id
