"""Line recognition: crops batched by width and run on one or more ONNX Runtime sessions.

RapidOCR pads every line to at least 320 px (at height 48) and its batches to the widest member;
on bills half the lines are short numbers, so most of what it computes is padding. Here the
floor is a setting, batches are formed after sorting by width (each padded only to its own
widest line), and batches go to whichever session is free: two single-threaded sessions keep
two cores busy without the spinning and synchronisation of one two-threaded session
(either runtime: see sessions).
Batches are formed the same way whatever the number of sessions, so the text read does not
depend on it.
"""

from __future__ import annotations

import math
import queue
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode

from claim_intake.ocr.sessions import ModelRunner

HEIGHT = 48
"""The PP-OCR recognisers' input height."""


def _normalised(crop: np.ndarray, width: int) -> np.ndarray:
    """The crop at HEIGHT, scaled to [-1, 1], CHW, zero-padded on the right to ``width``."""
    h, w = crop.shape[:2]
    scaled_w = min(width, math.ceil(HEIGHT * w / h))
    resized = cv2.resize(crop, (scaled_w, HEIGHT)).astype(np.float32)
    out = np.zeros((3, HEIGHT, width), dtype=np.float32)
    out[:, :, :scaled_w] = resized.transpose(2, 0, 1) / 127.5 - 1.0
    return out


class LineRecogniser:
    def __init__(self, sessions: list[ModelRunner], batch_size: int, min_width: int) -> None:
        character = sessions[0].metadata("character")
        if not character:
            raise ValueError("the recognition model carries no character list")
        self._decode = CTCLabelDecode(character=character.splitlines())
        self._free: queue.Queue[ModelRunner] = queue.Queue()
        for session in sessions:
            self._free.put(session)
        self._pool = ThreadPoolExecutor(max_workers=len(sessions), thread_name_prefix="ocr-rec") if len(sessions) > 1 else None
        self._batch_size = batch_size
        self._min_ratio = min_width / HEIGHT

    def _batches(self, crops: list[np.ndarray]) -> list[list[int]]:
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        return [order[start:start + self._batch_size] for start in range(0, len(order), self._batch_size)]

    def _run(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        ratios = [c.shape[1] / c.shape[0] for c in crops]
        max_ratio = max(self._min_ratio, *ratios)
        width = int(HEIGHT * max_ratio)
        batch = np.stack([_normalised(c, width) for c in crops])
        session = self._free.get()
        try:
            preds = session(batch)
        finally:
            self._free.put(session)
        lines, _ = self._decode(preds, wh_ratio_list=ratios, max_wh_ratio=max_ratio)
        return [(str(text), float(score)) for text, score in lines]

    def __call__(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        batches = self._batches(crops)
        members = [[crops[i] for i in batch] for batch in batches]
        if self._pool is None or len(batches) == 1:
            results = [self._run(m) for m in members]
        else:
            results = list(self._pool.map(self._run, members))
        read: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for batch, result in zip(batches, results, strict=True):
            for index, line in zip(batch, result, strict=True):
                read[index] = line
        return read
