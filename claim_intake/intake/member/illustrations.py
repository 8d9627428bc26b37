"""Small drawings of each document type, so a member sees which paper is meant: a sheet with its
title, a few lines where the print is, a red seal where the real one has one. Drawn here, from
the names staff use; nothing of a real bill."""

from __future__ import annotations

import functools
from html import escape

from claim_intake.extract.models import DocType
from claim_intake.validators.messages import builtin_messages

_SEALED = {DocType.invoice_inpatient, DocType.invoice_outpatient, DocType.discharge_summary, DocType.settlement,
           DocType.diagnosis_certificate, DocType.accident_proof}
_TABLE = {DocType.expense_list, DocType.settlement, DocType.invoice_inpatient, DocType.invoice_outpatient}


@functools.cache
def illustration_svg(doc_type: str) -> str | None:
    try:
        kind = DocType(doc_type)
    except ValueError:
        return None
    name = escape(builtin_messages().name(kind))
    wide = kind in (DocType.invoice_inpatient, DocType.invoice_outpatient)
    width, height = (160, 100) if wide else (100, 140)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
              f'height="{height}" role="img" aria-label="{name}示意图">'),
             f'<rect x="2" y="2" width="{width - 4}" height="{height - 4}" rx="3" fill="#fffdf7" stroke="#8a8a8a"/>',
             f'<text x="{width / 2}" y="18" font-size="9" text-anchor="middle" fill="#222">{name}</text>']
    top = 28
    if kind in _TABLE:
        parts.append(f'<rect x="10" y="{top}" width="{width - 20}" height="{height - top - 14}" fill="none" stroke="#bbb"/>')
        rows = range(top + 10, height - 14, 10)
        parts += [f'<line x1="10" y1="{y}" x2="{width - 10}" y2="{y}" stroke="#ddd"/>' for y in rows]
        parts.append(f'<line x1="{width // 2}" y1="{top}" x2="{width // 2}" y2="{height - 14}" stroke="#ddd"/>')
    else:
        parts += [f'<rect x="10" y="{y}" width="{width - 20 - (y * 7) % 30}" height="3" fill="#ccc"/>'
                  for y in range(top, height - 14, 8)]
    if kind in _SEALED:
        parts.append(f'<circle cx="{width - 28}" cy="{height - 26}" r="15" fill="none" stroke="#d33" stroke-width="2"/>'
                     f'<text x="{width - 28}" y="{height - 23}" font-size="7" text-anchor="middle" fill="#d33">盖章</text>')
    parts.append("</svg>")
    return "".join(parts)
