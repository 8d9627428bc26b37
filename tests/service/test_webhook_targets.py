"""Webhooks point at public addresses only: every forbidden address class is refused at
registration (the API, real name resolution of literal addresses and ``localhost``) and again at
delivery; redirects are not followed; a failure is recorded as a summary, not the receiver's text."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from materials import invoice_pdf

from claim_intake.errors import WebhookTargetError
from claim_intake.intake.store.db import WebhookDelivery
from claim_intake.intake.webhook_targets import check_target
from claim_intake.intake.webhooks import WebhookDispatcher
from claim_intake.workers.jobs import StatusChanged

from .conftest import Api

FORBIDDEN = {
    "loopback": "http://127.0.0.1:6379/",
    "loopback by name": "http://localhost/hook",
    "loopback IPv6": "http://[::1]/hook",
    "private 10/8": "http://10.1.2.3/hook",
    "private 172.16/12": "https://172.16.0.5/hook",
    "private 192.168/16": "http://192.168.1.1/hook",
    "link-local (cloud metadata)": "http://169.254.169.254/latest/meta-data/",
    "link-local IPv6": "http://[fe80::1]/hook",
    "multicast": "http://224.0.0.251/hook",
    "multicast IPv6": "http://[ff02::1]/hook",
    "unspecified": "http://0.0.0.0/hook",
    "shared address space (CGNAT)": "http://100.64.0.1/hook",
    "IPv4-mapped loopback": "http://[::ffff:127.0.0.1]/hook",
    "unique local IPv6": "http://[fd00::1]/hook",
}


@pytest.mark.parametrize("url", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_a_webhook_into_a_forbidden_address_class_is_refused(api: Api, url: str) -> None:
    key = api.new_key()
    # The suite's service allows 127.0.0.0/8 for its receivers; the check itself allows nothing here.
    with pytest.raises(WebhookTargetError):
        check_target(url)
    if not url.startswith("http://127.") and "localhost" not in url:
        response = api.client.post("/v1/webhooks", headers=key, json={"url": url})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "webhook_target_refused"


def test_a_name_that_resolves_to_a_private_address_among_public_ones_is_refused() -> None:
    with pytest.raises(WebhookTargetError, match="private"):
        check_target("https://hooks.example.org/x", resolver=lambda host, port: ["93.184.215.14", "10.0.0.7"])
    target = check_target("https://hooks.example.org:8443/x?a=1", resolver=lambda host, port: ["93.184.215.14"])
    assert target.pinned_url() == "https://93.184.215.14:8443/x?a=1" and target.host == "hooks.example.org"


def test_an_operator_allow_list_opens_its_networks_only() -> None:
    from ipaddress import ip_network

    assert check_target("http://10.20.0.5/hook", [ip_network("10.20.0.0/16")]).address == "10.20.0.5"
    with pytest.raises(WebhookTargetError):
        check_target("http://10.21.0.5/hook", [ip_network("10.20.0.0/16")])


def test_credentials_and_other_schemes_are_refused() -> None:
    for url in ("ftp://example.org/x", "http://user:pw@example.org/x", "file:///etc/passwd", "http://[::1/x"):
        with pytest.raises(WebhookTargetError):
            check_target(url, resolver=lambda host, port: ["93.184.215.14"])


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []
    answer: ClassVar[tuple[int, dict[str, str], bytes]] = (200, {}, b"")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).hits.append(self.path)
        status, headers, body = type(self).answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[HTTPServer]:
    _Handler.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _deliveries(api: Api, key: dict[str, str], hook_id: str) -> list[dict]:
    deadline = time.monotonic() + 30
    while True:
        done = [d for d in api.client.get(f"/v1/webhooks/{hook_id}/deliveries", headers=key).json()
                if d["status"] != "pending"]
        if done or time.monotonic() > deadline:
            return done
        time.sleep(0.05)


def test_redirects_are_not_followed_and_the_answer_is_not_echoed(api: Api, receiver: HTTPServer) -> None:
    _Handler.answer = (302, {"Location": f"http://127.0.0.1:{receiver.server_port}/elsewhere"},
                       b"internal secret page body")
    key = api.new_key()
    hook = api.client.post("/v1/webhooks", headers=key,
                           json={"url": f"http://127.0.0.1:{receiver.server_port}/hook"}).json()
    claim = api.submit(key, [("invoice.pdf", invoice_pdf())]).json()
    api.wait_assessed(key, claim["id"])
    [delivery] = _deliveries(api, key, hook["id"])
    assert delivery["status"] == "failed"
    assert delivery["error"] == "the receiver answered 302"
    assert "/elsewhere" not in _Handler.hits and set(_Handler.hits) == {"/hook"}


def test_a_target_that_became_private_is_refused_at_delivery(api: Api, receiver: HTTPServer) -> None:
    # Registered while the operator allowed loopback; delivered by a dispatcher that no longer does.
    key = api.new_key()
    hook = api.client.post("/v1/webhooks", headers=key,
                           json={"url": f"http://127.0.0.1:{receiver.server_port}/hook"}).json()
    claim = api.submit(key, [("invoice.pdf", invoice_pdf())]).json()
    api.wait_assessed(key, claim["id"])
    _deliveries(api, key, hook["id"])
    _Handler.hits.clear()
    strict = api.service.settings.model_copy(update={"webhook_allowed_networks": []})
    WebhookDispatcher(api.service.sessions, strict, api.service.metrics).deliver(
        StatusChanged(claim["id"], "processing", "needs_follow_up"))
    assert _Handler.hits == []
    with api.service.sessions() as session:
        rows = session.query(WebhookDelivery).filter_by(webhook_id=hook["id"]).order_by(WebhookDelivery.created_at)
        last = list(rows)[-1]
    assert last.status == "failed" and last.error == "refused: the target is not a public address"


def test_a_connection_failure_is_summarised(api: Api) -> None:
    key = api.new_key()
    hook = api.client.post("/v1/webhooks", headers=key, json={"url": "http://127.0.0.1:9/hook"}).json()
    claim = api.submit(key, [("invoice.pdf", invoice_pdf())]).json()
    api.wait_assessed(key, claim["id"])
    [delivery] = _deliveries(api, key, hook["id"])
    assert delivery["status"] == "failed" and delivery["error"] == "could not connect"
