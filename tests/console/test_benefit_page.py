"""The claim page shows the estimate as a person reads it: each step, and each value read in a
document linked to its box on the page."""

from __future__ import annotations

import re

from conftest import pdf_bytes
from materials import discharge_summary_pdf, expense_list_pdf, invoice_pdf

from .conftest import Console, csrf_of

ROSTER = ("姓名,身份证号,手机号,基层工会,参保方案,起始日期,终止日期\n"
          "张三,11010519491231002X,13800000000,市一中工会,住院医疗互助,2025-01-01,2026-12-31\n").encode()


def test_the_estimate_with_its_steps_linked_to_the_boxes(console: Console) -> None:
    org = console.new_org()
    imported = console.client().post("/v1/members/import", headers=org.api_headers,
                                     files=[("file", ("roster.csv", ROSTER))])
    assert imported.status_code == 200 and imported.json()["members_added"] == 1
    settlement = pdf_bytes(["医疗保障基金结算清单", "姓名：张三", "医疗费总额：353.00", "个人自付：1200.00", "个人自费：300.00"])
    files = [("invoice.pdf", invoice_pdf()), ("discharge.pdf", discharge_summary_pdf()),
             ("list.pdf", expense_list_pdf()), ("settlement.pdf", settlement)]
    submitted = console.client().post(
        "/v1/claims", headers=org.api_headers, files=[("files", f) for f in files],
        data={"claim_type": "inpatient", "claimant_name": "张三", "claimant_id_number": "11010519491231002X"})
    claim = console.wait_assessed(org, submitted.json()["id"])
    claim_id = claim["id"]
    assert claim["benefit"]["amount"] == "500.00"
    settlement_id = claim["documents"][3]["id"]

    page = console.login(org.email).get(f"/console/claims/{claim_id}").text
    assert 'id="benefit-amount">¥500.00<' in page
    assert "张三（110***********002X），市一中工会" in page  # the member, masked
    assert "示例数字" in page  # the demo rules say they are examples
    links = re.findall(r'<a href="#([^"]+)" class="field-link" title="([^"]+)">([^<]+)</a>', page)
    assert (f"{settlement_id}-0-self_pay", "settlement.self_pay", "医保结算单·个人自付") in links
    for anchor, _, _ in links:
        assert f'id="{anchor}"' in page, f"the step links to #{anchor}, which is not on the page"
    steps = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', page)
    assert ("超过起付线部分", "1000.00") in steps and ("住院医疗互助 核定金额", "500.00") in steps


def test_the_roster_page_imports_a_file_and_lists_its_bad_rows(console: Console) -> None:
    org = console.new_org()
    staff = console.login(org.email)
    page = staff.get("/console/members").text
    assert "名单中共有 0 名成员" in page
    bad = ROSTER + "李四,110105194912310021,,,住院医疗互助,2026-01-01,2026-12-31\n".encode()
    response = staff.post("/console/members/import", data={"csrf_token": csrf_of(page)},
                          files={"file": ("名单.csv", bad, "text/csv")})
    assert response.status_code == 303
    page = staff.get("/console/members").text
    assert "名单中共有 1 名成员" in page and "新增成员 1" in page and "1 行未导入" in page
    assert re.search(r'<td class="num">3</td><td>身份证号校验位错误</td>', page)
    # Without the session's token the import is refused.
    refused = console.login(org.email).post("/console/members/import", files={"file": ("名单.csv", bad, "text/csv")})
    assert refused.status_code == 403
    # A file that is no roster: the page says why, nothing is imported.
    staff.post("/console/members/import", data={"csrf_token": csrf_of(page)},
               files={"file": ("x.csv", "姓名\n张三\n".encode(), "text/csv")})
    page = staff.get("/console/members").text
    assert "not a member roster" in page and "名单中共有 1 名成员" in page
