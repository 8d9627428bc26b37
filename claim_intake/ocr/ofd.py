"""OFD (GB/T 33190) electronic invoices: text and positions read from the XML, no OCR.

An OFD is a zip: OFD.xml points at each document's Document.xml, which lists the pages; a page's
Content.xml (and its template pages, where e-invoices put the pre-printed labels) holds
TextObjects with a Boundary in millimetres. An OFD page without text (a scanned image) is
refused with a clear error rather than rendered: no maintained Python renderer exists.
"""

from __future__ import annotations

import io
import posixpath
import time
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from claim_intake.errors import CorruptFileError, OfdWithoutTextError, TooManyPagesError
from claim_intake.ocr.models import Page, text_layer_page
from claim_intake.ocr.options import ReadOptions

_MM_PER_INCH = 25.4
_DEFAULT_PAGE_MM = (210.0, 297.0)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> Iterator[Element]:
    for child in element.iter():
        if _local(child.tag) == name:
            yield child


def _first_text(element: Element, name: str) -> str | None:
    for child in _children(element, name):
        return (child.text or "").strip()
    return None


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    try:
        x, y, w, h = (float(v) for v in (text or "").split())
    except ValueError:
        return None
    return x, y, w, h


MAX_XML_BYTES = 16 * 1024 * 1024
"""The largest XML part read (parsed whole); an invoice's parts are kilobytes."""


class _Archive:
    def __init__(self, data: bytes, max_bytes: int) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise CorruptFileError(f"the OFD archive cannot be opened: {exc}") from exc
        # A zip bomb declares its expanded size (zipfile never inflates past it): refuse before
        # inflating anything, the whole and each XML part (an invoice's are kilobytes).
        infos = self._zip.infolist()
        if sum(info.file_size for info in infos) > max_bytes * 20:
            raise CorruptFileError("the OFD archive expands to an implausible size")
        if any(info.file_size > MAX_XML_BYTES for info in infos if info.filename.lower().endswith(".xml")):
            raise CorruptFileError("an OFD part expands to an implausible size")
        self._names = {name.lower().lstrip("/"): name for name in self._zip.namelist()}

    def xml(self, path: str) -> Element:
        name = self._names.get(posixpath.normpath(path).lower().lstrip("/"))
        if name is None:
            raise CorruptFileError(f"the OFD archive lacks {path}")
        try:
            return ElementTree.fromstring(self._zip.read(name))
        except Exception as exc:  # defusedxml raises several unrelated types
            raise CorruptFileError(f"the OFD part {path} is not valid XML: {exc}") from exc


def _text_objects(root: Element) -> Iterator[tuple[str, tuple[float, float, float, float]]]:
    for obj in _children(root, "TextObject"):
        boundary = _box(obj.get("Boundary"))
        text = "".join((code.text or "") for code in _children(obj, "TextCode")).strip()
        if boundary and text:
            yield text, boundary


def read_ofd(data: bytes, options: ReadOptions) -> Iterator[Page]:
    archive = _Archive(data, options.limits.max_file_bytes)
    scale = options.pdf_render_dpi / _MM_PER_INCH
    number = 0
    for doc_root in _children(archive.xml("OFD.xml"), "DocRoot"):
        doc_path = (doc_root.text or "").strip()
        base = posixpath.dirname(doc_path)
        document = archive.xml(doc_path)
        default_box = _box(_first_text(document, "PhysicalBox")) or (0, 0, *_DEFAULT_PAGE_MM)
        templates = {
            t.get("ID"): posixpath.join(base, t.get("BaseLoc", "")) for t in _children(document, "TemplatePage")
        }
        for page_ref in _children(document, "Page"):
            number += 1
            if number > options.limits.max_pages:
                raise TooManyPagesError(f"the OFD has more than {options.limits.max_pages} pages")
            started = time.perf_counter()
            content = archive.xml(posixpath.join(base, page_ref.get("BaseLoc", "")))
            page_box = _box(_first_text(content, "PhysicalBox")) or default_box
            width, height = round(page_box[2] * scale), round(page_box[3] * scale)
            parts = [content] + [
                archive.xml(templates[t.get("TemplateID")])
                for t in _children(content, "Template")
                if t.get("TemplateID") in templates
            ]
            boxes = [
                (text, x * scale, y * scale, (x + w) * scale, (y + h) * scale)
                for part in parts
                for text, (x, y, w, h) in _text_objects(part)
            ]
            if not boxes:
                raise OfdWithoutTextError(
                    f"page {number} of the OFD holds no text (a scanned image?); "
                    "upload it as a PDF or a photo instead"
                )
            # Template pages (pre-printed labels) come after the content: restore reading order.
            boxes.sort(key=lambda box: (box[2] + box[4], box[1]))
            yield text_layer_page(number, (width, height), boxes, time.perf_counter() - started)
    if number == 0:
        raise CorruptFileError("the OFD lists no pages")
