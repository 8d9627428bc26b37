"""The console against a running app: SQLite and a local folder in a temporary directory, text-
layer PDFs read for real (no OCR models), each test with organisations and staff of its own."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import CountingEngine
from fastapi.testclient import TestClient
from materials import expense_list_pdf, invoice_pdf, settlement_pdf

from claim_intake.intake.api.app import create_app
from claim_intake.intake.auth import create_key
from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.service import Service
from claim_intake.intake.settings import Settings

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def chosen(html: str, select: str) -> tuple[list[str], list[str]]:
    """The values of a drop-down on the page: all of them, and those selected."""
    match = re.search(rf'<select name="{select}">(.*?)</select>', html, re.DOTALL)
    assert match, f"no drop-down {select} on the page"
    options = re.findall(r'<option value="([^"]*)"\s*(selected)?', match.group(1))
    return [value for value, _ in options], [value for value, on in options if on]


@dataclass
class Org:
    """An organisation with an API key (to submit claims) and a member of staff."""

    name: str
    api_headers: dict[str, str]
    email: str


@dataclass
class Console:
    app: Any
    service: Service
    settings: Settings

    def client(self) -> TestClient:
        """A browser of its own: its own cookies."""
        return TestClient(self.app, follow_redirects=False)

    def new_org(self) -> Org:
        name = f"工会-{secrets.token_hex(4)}"
        email = f"staff-{secrets.token_hex(4)}@example.org"
        with self.service.sessions.begin() as session:
            key = create_key(session, name)
            create_staff(session, name, email, PASSWORD)
        return Org(name, {"Authorization": f"Bearer {key}"}, email)

    def add_staff(self, org: Org) -> str:
        email = f"colleague-{secrets.token_hex(4)}@example.org"
        with self.service.sessions.begin() as session:
            create_staff(session, org.name, email, PASSWORD)
        return email

    def login(self, email: str, password: str = PASSWORD) -> TestClient:
        client = self.client()
        token = csrf_of(client.get("/console/login").text)
        response = client.post("/console/login", data={"email": email, "password": password, "csrf_token": token})
        assert response.status_code == 303, response.text
        return client

    def submit(self, org: Org, files: list[tuple[str, bytes]], claimant_name: str = "张三") -> str:
        response = self.client().post(
            "/v1/claims", headers=org.api_headers, data={"claim_type": "inpatient", "claimant_name": claimant_name},
            files=[("files", f) for f in files],
        )
        assert response.status_code == 202, response.text
        return self.wait_assessed(org, response.json()["id"])["id"]

    def claim(self, org: Org, claim_id: str) -> dict[str, Any]:
        return self.client().get(f"/v1/claims/{claim_id}", headers=org.api_headers).json()

    def wait_assessed(self, org: Org, claim_id: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (claim := self.claim(org, claim_id))["status"] == "processing":
            assert time.monotonic() < deadline, f"claim {claim_id} still processing"
            time.sleep(0.05)
        return claim


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("console"))
    engine = CountingEngine()
    app = create_app(settings, engine_factory=lambda: engine)
    with TestClient(app):  # the lifespan: migrations, executor
        yield Console(app, app.state.service, settings)


def missing_discharge_summary() -> list[tuple[str, bytes]]:
    return [("invoice.pdf", invoice_pdf()), ("expense_list.pdf", expense_list_pdf()),
            ("settlement.pdf", settlement_pdf())]
