"""The OCR stage's own settings; the edge (intake.settings) composes them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from claim_intake.ocr.models import Frozen
from claim_intake.ocr.quality import QualityOptions


class Limits(Frozen):
    """Checked before any heavy work, so a hostile upload costs almost nothing."""

    max_file_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    max_pixels: int = Field(default=40_000_000, gt=0)
    """Per page; a 4000x3000 phone photo is 12 Mpx. Larger is a decompression bomb."""
    max_pages: int = Field(default=50, gt=0)


Runtime = Literal["onnxruntime", "openvino"]
Precision = Literal["f32", "bf16", "f16"]


class RapidOcrOptions(Frozen):
    """PP-OCR on ONNX Runtime. Defaults measured on a shared 2-core server (README, Performance)."""

    threads: int = Field(default=1, ge=0)
    """ONNX Runtime intra-op threads of each recognition (and angle) session; 0 = one per core.
    Processes x sessions x threads <= cores."""
    det_threads: int = Field(default=2, ge=0)
    """Intra-op threads of the detection session: one large input, which two threads share well
    (the recognition sessions are idle meanwhile)."""
    rec_sessions: int = Field(default=2, ge=1, le=8)
    """Recognition sessions working on different batches of a page's lines side by side."""
    spinning: bool = False
    """Let idle ONNX Runtime threads spin waiting for work (its default; costly on busy cores)."""
    memory_arena: bool = False
    """ONNX Runtime's CPU arena: off keeps a long-running worker's RSS flat."""
    graph_optimization: Literal["disable", "basic", "extended", "all"] = "all"
    """ONNX Runtime's graph optimisation level."""
    det_runtime: Runtime = "openvino"
    """Runs the detector (and the angle classifier). OpenVINO reads the same boxes (float32, outputs
    within 1e-4) with about a third of ONNX Runtime's CPU time on this detector."""
    det_precision: Precision = "f32"
    """OpenVINO's inference precision; bf16/f16 only take effect on CPUs with those units."""
    rec_runtime: Runtime = "onnxruntime"
    rec_precision: Precision = "f32"
    openvino_shape_cache: int = Field(default=200, ge=0)
    """Input shapes whose compiled OpenVINO kernels are kept (CPU_RUNTIME_CACHE_CAPACITY)."""
    det_limit_side_len: int = Field(default=1280, ge=320, le=4096)
    det_limit_type: Literal["max", "min"] = "max"
    """Detection cost grows with the input area. Smaller inputs (960-1152) were faster but each
    lost accuracy somewhere (README, Performance)."""
    rec_batch_num: int = Field(default=2, ge=1, le=64)
    """Lines per recognition batch; each batch is padded to its widest line."""
    rec_min_width: int = Field(default=320, ge=16, le=640)
    """Narrowest batch width at the recogniser's height of 48 px. RapidOCR's 320 is kept: on the
    real development set 96 read 6 key fields fewer (0.783 against 0.806 key-field exact match,
    192: 0.794), though it makes a short amount cost as much as a long line."""


class PaddleOcrOptions(Frozen):
    """Local model directories for the optional ``paddleocr`` engine (``claim-intake[paddle]``)."""

    det_model_dir: Path | None = None
    rec_model_dir: Path | None = None
    cls_model_dir: Path | None = None
    det_model_name: str = "PP-OCRv5_mobile_det"
    rec_model_name: str = "PP-OCRv5_mobile_rec"
    cls_model_name: str = "PP-LCNet_x0_25_textline_ori"
    device: str = "cpu"
    """``cpu`` or ``gpu:0``: the reason to prefer Paddle Inference."""


class PreprocessOptions(Frozen):
    """Each step can be switched off; every geometric one is recorded on the page."""

    max_side: int = Field(default=2400, ge=640)
    """Longer photos are shrunk first: the models gain nothing from more pixels."""
    perspective: bool = True
    """Find the sheet in a photo of a desk and flatten it."""
    seal_suppression: bool = True
    """Fade red seals and stamps before reading (the upload itself is kept as it was)."""
    orientation: bool = True
    """Detect pages turned by 90, 180 or 270 degrees and read them upright."""
    deskew: bool = True
    """Measure the slant of the text lines and straighten the page's frame."""
    min_line_score: float = Field(default=0.5, ge=0.0, le=1.0)
    """Recognised lines below this confidence are noise (texture, seal rims), not text."""
    black_layer_reread: bool = True
    """Read a line again on its black print alone where its reading holds a form's title and more:
    a hospital name printed across a coloured title (ocr/layers.py). Costs one recognition of the
    few such crops; the second readings are the page's ``rereads``, its lines stay as read."""
    reread_titles: tuple[str, ...] = ("收费票据", "收费收据")
    """The title words that mark such a line (the ends of medical bills' titles)."""
    band_redetect: bool = True
    """Detect a bill page again band by band where no line names its issuer (ocr/bands.py): a name
    printed beside a seal or faint across a ruled line that detection over the whole page missed.
    Costs a second detection and the reading of the lines it adds, on such pages only."""
    issuer_pattern: str = (
        r"(?<!级)(?<!专科)(?<!综合)(?<!中医)(?<!结合)医院|卫生院|诊所|门诊部|卫生服务中心|保健院"
    )
    """What names an issuer in a line: a hospital's or clinic's ending, not a grade (三级甲等专科医院)."""
    quality: QualityOptions = QualityOptions()
    """When a photo is too blurred, dark, glared or cut off to read reliably (``poor_image``)."""


class ReadOptions(Frozen):
    limits: Limits = Limits()
    pdf_render_dpi: int = Field(default=150, ge=72, le=400)
    """Also the resolution of text-layer boxes, so boxes of both kinds of page line up."""
    text_layer_min_chars: int = Field(default=20, ge=1)
    """A page with fewer readable characters in its text layer is rendered and OCRed."""
    preprocess: PreprocessOptions = PreprocessOptions()
    child_process: bool = True
    """The embedded service reads in a child process rather than a thread of the API process,
    whose requests would otherwise wait on the reader for the GIL."""
    engine: Literal["rapidocr", "paddleocr"] = "rapidocr"
    rapidocr: RapidOcrOptions = RapidOcrOptions()
    paddleocr: PaddleOcrOptions = PaddleOcrOptions()
