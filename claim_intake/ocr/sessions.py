"""ONNX Runtime sessions built from our settings, not RapidOCR's, so every knob is ours to set."""

from __future__ import annotations

from pathlib import Path

import onnxruntime as ort

from claim_intake.ocr.options import RapidOcrOptions

_LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


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
