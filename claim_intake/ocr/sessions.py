"""Model runners built from our settings, not RapidOCR's, so every knob is ours to set.

A runner maps one input batch to the model's first output. Two runtimes run the same ONNX files:
ONNX Runtime, and OpenVINO, whose CPU kernels run the PP-OCR detector with a third of ONNX
Runtime's CPU time here at the same float32 precision (README, Performance).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort

from claim_intake.errors import ConfigurationError
from claim_intake.ocr.options import Precision, RapidOcrOptions, Runtime

_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


class ModelRunner(Protocol):
    def __call__(self, batch: np.ndarray) -> np.ndarray:
        """The model's first output for one input batch."""
        ...

    def metadata(self, key: str) -> str | None:
        """A string the model file carries (the recogniser's character list)."""
        ...


def cpu_session(model: Path, options: RapidOcrOptions, threads: int) -> ort.InferenceSession:
    """``threads``: intra-op threads, 0 = one per core."""
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = _LEVELS[options.graph_optimization]
    # Off keeps RSS flat in long-running workers (see shared/notes/performance.md).
    opts.enable_cpu_mem_arena = options.memory_arena
    if threads:
        opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    # Spinning threads burn the cores other processes (and the other session) need while they
    # wait for work: on a shared 2-core server that costs more than it saves.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if options.spinning else "0")
    return ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])


class OrtRunner:
    def __init__(self, model: Path, options: RapidOcrOptions, threads: int) -> None:
        self._session = cpu_session(model, options, threads)
        self._input = self._session.get_inputs()[0].name

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: batch})[0]

    def metadata(self, key: str) -> str | None:
        return self._session.get_modelmeta().custom_metadata_map.get(key)


_M_MMAP_THRESHOLD = -3
"""glibc's mallopt parameter number."""


@functools.cache
def _return_large_blocks_to_the_os() -> None:
    """Serve blocks of 1 MiB and more from their own mappings, unmapped when freed.

    OpenVINO allocates each new input shape's buffers (tens of MB for a page) afresh; glibc's
    adaptive threshold would keep them on its heap once freed, and a worker reading pages of many
    sizes grew by ~200 MB per new size (to 2.5 GB after 12 sizes); with this, ~14 MB per size
    and flat after. A no-op where the C library is not glibc.
    """
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)


class OpenVinoRunner:
    """One compiled model and one infer request: a runner serves one caller at a time."""

    def __init__(self, model: Path, options: RapidOcrOptions, threads: int, precision: Precision) -> None:
        try:
            import openvino as ov
        except ImportError as exc:  # the wheel exists for the usual platforms, not every one
            raise ConfigurationError(
                "the openvino runtime is not installed; pip install openvino, or set "
                "CLAIM_INTAKE_READ__RAPIDOCR__DET_RUNTIME / REC_RUNTIME to onnxruntime"
            ) from exc
        _return_large_blocks_to_the_os()
        core = ov.Core()
        self._model = core.read_model(str(model))
        config: dict[str, object] = {
            "PERFORMANCE_HINT": "LATENCY",
            "NUM_STREAMS": 1,
            # f32 by default: OpenVINO would otherwise pick bf16 on CPUs that have it (AMX),
            # which is faster but reads some lines differently.
            "INFERENCE_PRECISION_HINT": precision,
            # Threads pinned to cores fight the other processes of a shared server.
            "ENABLE_CPU_PINNING": False,
            # Compiled kernels are cached per input shape (page sizes and line widths vary):
            # a bounded cache keeps a long-running worker's RSS flat.
            "CPU_RUNTIME_CACHE_CAPACITY": options.openvino_shape_cache,
        }
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self._request = core.compile_model(self._model, "CPU", config).create_infer_request()

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        # infer() releases the GIL, so runners on different threads run side by side.
        return np.array(self._request.infer({0: batch})[0], copy=True)

    def metadata(self, key: str) -> str | None:
        if not self._model.has_rt_info(["framework", key]):
            return None
        return self._model.get_rt_info(["framework", key]).astype(str)


def model_runner(
    model: Path, options: RapidOcrOptions, threads: int, runtime: Runtime, precision: Precision = "f32"
) -> ModelRunner:
    if runtime == "openvino":
        return OpenVinoRunner(model, options, threads, precision)
    return OrtRunner(model, options, threads)
