"""The console against a running app: SQLite and a local folder in a temporary directory, text-
layer PDFs read for real (no OCR models), each test with organisations and staff of its own."""

from __future__ import annotations

import functools
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import CountingEngine, pdf_bytes
from fastapi.testclient import TestClient

from claim_intake.intake.api import create_app
from claim_intake.intake.auth import create_key
from claim_intake.intake.service import Service
from claim_intake.intake.settings import Settings
from claim_intake.intake.web.accounts import create_staff

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@functools.cache
def invoice_pdf(payer: str = "张三", number: str = "0012345678") -> bytes:
    return pdf_bytes([
        "广西壮族自治区医疗住院收费票据（电子）",
        f"票据代码：45060121    票据号码：{number}",
        f"交款人：{payer}    开票日期：2026-11-01",
        "住院时间：2026-10-20至2026-10-27",
        "金额合计（大写）叁佰伍拾叁圆整   （小写）353.00",
        "收款单位（章）：南宁市第一人民医院",
    ])


@functools.cache
def discharge_summary_pdf() -> bytes:
    return pdf_bytes([
        "南宁市第一人民医院 出院记录",
        "姓名：张三  入院日期：2026-10-20  出院日期：2026-10-27",
        "入院诊断：社区获得性肺炎",
        "出院诊断：社区获得性肺炎",
    ])


@functools.cache
def expense_list_pdf() -> bytes:
    return pdf_bytes(["住院费用明细清单", "姓名：张三  住院号：A20261020", "项目名称  单价  数量  金额", "合计：353.00"])


@functools.cache
def settlement_pdf() -> bytes:
    return pdf_bytes(["医疗保障基金结算清单", "姓名：张三", "医疗费总额：353.00", "统筹基金支付：200.00"])


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


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
