"""Claim materials as small text-layer PDFs: read for real by the pipeline, without OCR models.

Shared by the service, console and browser tests.
"""

from __future__ import annotations

import functools

from conftest import pdf_bytes


@functools.cache
def invoice_pdf(*, number: str = "0012345678", payer: str = "张三") -> bytes:
    return pdf_bytes([
        "广西壮族自治区医疗住院收费票据（电子）",
        f"票据代码：45060121    票据号码：{number}",
        f"交款人：{payer}    开票日期：2026-11-01",
        "住院时间：2026-10-20至2026-10-27",
        "金额合计（大写）叁佰伍拾叁圆整   （小写）353.00",
        "收款单位（章）：南宁市第一人民医院",
    ])


@functools.cache
def discharge_summary_pdf(patient: str = "张三") -> bytes:
    return pdf_bytes([
        "南宁市第一人民医院 出院记录",
        f"姓名：{patient}  入院日期：2026-10-20  出院日期：2026-10-27",
        "入院诊断：社区获得性肺炎",
        "出院诊断：社区获得性肺炎",
        "诊疗经过：入院后予抗感染治疗，症状好转。",
    ])


@functools.cache
def expense_list_pdf() -> bytes:
    return pdf_bytes(["住院费用明细清单", "姓名：张三  住院号：A20261020", "项目名称  单价  数量  金额", "合计：353.00"])


@functools.cache
def settlement_pdf() -> bytes:
    return pdf_bytes(["医疗保障基金结算清单", "姓名：张三", "医疗费总额：353.00", "统筹基金支付：200.00"])
