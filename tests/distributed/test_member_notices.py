"""A member's notices in the Celery mode: the assessment a worker makes tells the member, through
the same outbox (and the same status link) as the embedded mode. The API, a reading worker and a
webhook worker, each its own process; the materials are text-layer PDFs (no OCR models needed)."""

from __future__ import annotations

import re
import secrets
import time

from fastapi.testclient import TestClient
from materials import discharge_summary_pdf, invoice_pdf
from sqlalchemy import select

from claim_intake.intake.member.tables import MemberPortal, Notification
from claim_intake.intake.store.db import ClaimRow, Organisation, new_id
from tests.console.conftest import csrf_of

from .conftest import Cluster, wait_for

MEMBER = {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000", "unit": "某某公司工会"}


def _notices(cluster: Cluster, claim_id: str, kind: str) -> list[Notification]:
    assert cluster.service is not None
    with cluster.service.sessions() as session:
        return list(session.scalars(select(Notification).where(Notification.claim_id == claim_id, Notification.kind == kind)
                                    .order_by(Notification.created_at)))


def _status(cluster: Cluster, claim_id: str) -> str:
    assert cluster.service is not None
    with cluster.service.sessions() as session:
        return session.get_one(ClaimRow, claim_id).status


def _upload(member: TestClient, claim_id: str, name: str, data: bytes) -> None:
    token = csrf_of(member.get(f"/m/c/{claim_id}").text)
    answer = member.post(f"/m/c/{claim_id}/files", data={"csrf_token": token}, files=[("files", (name, data))],
                         headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.text


def test_a_workers_assessment_tells_the_member_through_the_outbox(broker_url, make_cluster) -> None:
    cluster: Cluster = make_cluster(broker_url)
    cluster.start_worker(concurrency=1)
    cluster.start_webhook_worker()
    assert cluster.client is not None and cluster.service is not None
    slug = f"p{secrets.token_hex(5)}"
    with cluster.service.sessions.begin() as session:
        organisation = Organisation(id=new_id("org"), name=f"工会-{slug}")
        session.add(organisation)
        session.flush()
        session.add(MemberPortal(slug=slug, organisation_id=organisation.id, title=organisation.name, require_code=False))
    member = TestClient(cluster.client.app, follow_redirects=False)
    token = csrf_of(member.get(f"/m/{slug}").text)
    assert member.post(f"/m/{slug}/identify", data={"csrf_token": token, **MEMBER}).status_code == 303
    token = csrf_of(member.get(f"/m/{slug}/new").text)
    created = member.post(f"/m/{slug}/new", data={
        "csrf_token": token, "claim_type": "inpatient", "hospital": "南宁市第一人民医院", "start_date": "2026-10-20",
        "end_date": "2026-10-27", "bank_choice": "enrolment", "consent": "yes"})
    claim_id = created.headers["location"].rsplit("/", 1)[1]

    _upload(member, claim_id, "票据.pdf", invoice_pdf())
    wait_for(lambda: _status(cluster, claim_id) == "needs_follow_up", 90, "the worker to assess the claim")
    time.sleep(2)  # what the webhook worker would have sent by now, had it been told
    assert _notices(cluster, claim_id, "needs_follow_up") == []  # a draft on the phone: the page itself says it
    token = csrf_of(member.get(f"/m/c/{claim_id}").text)
    assert member.post(f"/m/c/{claim_id}/submit", data={"csrf_token": token}).status_code == 303
    (at_submit,) = _notices(cluster, claim_id, "needs_follow_up")  # the API's own, as the member sends it

    # Later, from the status page: the discharge summary. The worker's assessment still wants more,
    # and the member hears it from the webhook worker, with what is asked now.
    _upload(member, claim_id, "出院.pdf", discharge_summary_pdf())
    notices = wait_for(lambda: len(n := _notices(cluster, claim_id, "needs_follow_up")) == 2 and n, 90,
                       "the member's notice from the workers")
    later = notices[1]
    assert later.channel == "outbox" and later.status == "kept" and later.phone == MEMBER["phone"]
    assert "您的互助金申请还需要补充材料" in later.body and "出院小结" not in later.body
    assert later.body != at_submit.body
    link = re.search(r"/m/s/[^\s。]+", later.body)
    assert link is not None
    # Signed with the API's secret: the status link opens (asking for the code sent to the phone).
    opened = TestClient(cluster.client.app, follow_redirects=False).get(link.group(0))
    assert opened.status_code == 200 and "138****8000" in opened.text
