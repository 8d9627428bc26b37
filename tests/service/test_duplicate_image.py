"""``duplicate_image`` through the service: a photo sent again in a later claim, re-compressed, is
flagged there naming the earlier claim; the earlier claim is not, and another bill's photo is not.
The engine is a fake that finds one text line over the middle of each page (no models), so the
hash is framed the way the real detector frames it."""

from __future__ import annotations

import functools
import random
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from claim_intake.intake.api.app import create_app
from claim_intake.ocr.models import EngineInfo
from claim_intake.samples.capture import jpeg_bytes, phone_photo
from claim_intake.samples.data import make_inpatient_case
from claim_intake.samples.render import render_invoice_inpatient

from .conftest import Api, Backend


class MiddleLineEngine:
    info = EngineInfo(name="middle-line", version="0")

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        h, w = image.shape[:2]
        return [np.array([[w * 0.1, h * 0.1], [w * 0.9, h * 0.1], [w * 0.9, h * 0.9], [w * 0.1, h * 0.9]], np.float32)]

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        return [(0, 1.0) for _ in crops]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [("住院收费票据", 0.99) for _ in crops]


@functools.cache
def _photo(seed: int) -> Any:
    photo = phone_photo(render_invoice_inpatient(make_inpatient_case(random.Random(seed)))[0], random.Random(seed))
    photo.thumbnail((1000, 1000))  # small: the reader's preprocessing takes its time on large photos
    return photo


def _codes(claim: dict[str, Any]) -> list[str]:
    return [f["code"] for f in claim["findings"]]


def test_a_photo_sent_again_is_flagged_naming_the_earlier_claim(backend: Backend) -> None:
    engine = MiddleLineEngine()
    app = create_app(backend.make_settings(), engine_factory=lambda: engine)
    with TestClient(app) as client:
        api = Api(client, app.state.service, engine)  # type: ignore[arg-type]
        key = api.new_key()

        def submit(data: bytes) -> dict[str, Any]:
            response = api.submit(key, [("invoice.jpg", data)])
            assert response.status_code == 202, response.text
            return api.wait_assessed(key, response.json()["id"])

        first = submit(jpeg_bytes(_photo(1), 90))
        assert "duplicate_image" not in _codes(first)
        again = submit(jpeg_bytes(_photo(1), 60))
        finding = next(f for f in again["findings"] if f["code"] == "duplicate_image")
        assert (finding["severity"], finding["documents"]) == ("follow_up", [again["documents"][0]["id"]])
        assert first["id"] in finding["message_staff"]
        assert again["status"] == "needs_follow_up"
        assert "duplicate_image" not in _codes(submit(jpeg_bytes(_photo(2), 90)))

        # The earlier claim assessed again (a document added) is not the copy.
        response = client.post(f"/v1/claims/{first['id']}/documents", headers=key,
                               files=[("files", ("more.jpg", jpeg_bytes(_photo(3), 90)))])
        assert response.status_code == 202
        assert "duplicate_image" not in _codes(api.wait_assessed(key, first["id"]))
