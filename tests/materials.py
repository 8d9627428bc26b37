"""Claim materials as small text-layer PDFs and OFDs (read for real by the pipeline, without OCR
models), and photos in each kind phones send (read by whatever engine the test injects).

Shared by the service, console and browser tests.
"""

from __future__ import annotations

import functools
import io
import zipfile

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


INVOICE_LINES = [
    "广西壮族自治区医疗住院收费票据（电子）",
    "票据代码：45060121    票据号码：0099887766",
    "交款人：张三    开票日期：2026-11-01",
    "住院时间：2026-10-20至2026-10-27",
    "金额合计（大写）叁佰伍拾叁圆整   （小写）353.00",
    "收款单位（章）：南宁市第一人民医院",
]


def ofd_bytes(texts: list[str]) -> bytes:
    """A one-page OFD (GB/T 33190) holding the texts as text objects, one per line."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    objects = "".join(
        f'<ofd:TextObject ID="{i + 10}" Boundary="10 {10 + 8 * i} 150 6" Font="1" Size="4">'
        f'<ofd:TextCode X="0" Y="4">{t}</ofd:TextCode></ofd:TextObject>'
        for i, t in enumerate(texts)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", f'<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        z.writestr(
            "Doc_0/Document.xml",
            f'<ofd:Document {ns}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox>'
            f'</ofd:PageArea></ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
            f"</ofd:Pages></ofd:Document>",
        )
        z.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{objects}</ofd:Layer></ofd:Content></ofd:Page>",
        )
    return buf.getvalue()


@functools.cache
def ofd_invoice() -> bytes:
    return ofd_bytes(INVOICE_LINES)


def _photo(fmt: str, pages: int = 1, **options: object) -> bytes:
    """A blank sheet in the given format (``pages`` > 1: a multi-page file)."""
    import pillow_heif
    from PIL import Image, ImageDraw

    pillow_heif.register_heif_opener()
    sheets = []
    for n in range(pages):
        sheet = Image.new("RGB", (640, 400), "white")
        ImageDraw.Draw(sheet).rectangle((40 + 10 * n, 40, 600, 360), outline="black", width=3)
        sheets.append(sheet)
    buf = io.BytesIO()
    sheets[0].save(buf, fmt, save_all=pages > 1, append_images=sheets[1:], **options)
    return buf.getvalue()


@functools.cache
def heic_photo() -> bytes:
    return _photo("HEIF", quality=80)


@functools.cache
def webp_photo() -> bytes:
    return _photo("WEBP", quality=80)


@functools.cache
def tiff_scan(pages: int = 2) -> bytes:
    return _photo("TIFF", pages=pages, compression="tiff_lzw")


APPLICANT_ID_NUMBER = "450103199001011234"
APPLICANT_ACCOUNT = "6222021234567890123"


def application_form_pdf() -> bytes:
    """An application form with an ID number and a bank account: what masking hides."""
    return pdf_bytes(["职工医疗互助保障金申请表", f"申请人：李四    身份证号：{APPLICANT_ID_NUMBER}",
                      "开户银行：中国工商银行", f"银行账号：{APPLICANT_ACCOUNT}", "申请日期：2026-11-02"])
