"""A burst of uploads is stored a few at a time (``upload_threads``), every one acknowledged, and
uploads that arrive together at a new S3 bucket all land."""

from __future__ import annotations

import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from claim_intake.intake.settings import Settings
from claim_intake.intake.store.objects import ObjectStore, open_store

from .conftest import S3_ACCESS_KEY, S3_SECRET_KEY, Backend, png_bytes, start_api


def test_a_burst_is_stored_at_most_upload_threads_at_a_time(backend: Backend) -> None:
    client, api = start_api(backend.make_settings(upload_threads=2))
    storing, most = 0, 0
    lock = threading.Lock()
    put_file = api.service.store.put_file

    def slow_put_file(source: BinaryIO) -> str:
        nonlocal storing, most
        with lock:
            storing += 1
            most = max(most, storing)
        try:
            time.sleep(0.2)  # a slow disk: the others arrive meanwhile
            return put_file(source)
        finally:
            with lock:
                storing -= 1

    api.service.store.put_file = slow_put_file  # type: ignore[method-assign]
    try:
        key = api.new_key()
        photos = [(f"{n}.png", png_bytes() + secrets.token_bytes(8)) for n in range(6)]
        with ThreadPoolExecutor(len(photos)) as pool:
            answers = list(pool.map(lambda photo: api.submit(key, [photo]), photos))

        assert [a.status_code for a in answers] == [202] * len(photos), [a.text[:300] for a in answers if a.status_code != 202]
        assert most == 2
        stored = {d["sha256"] for a in answers for d in a.json()["documents"]}
        assert all(api.service.store.get(k) for k in stored) and len(stored) == len(photos)
    finally:
        client.__exit__(None, None, None)


def test_first_uploads_to_a_new_bucket_at_once_all_land(s3_endpoint: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, storage_url=f"s3://fresh-{secrets.token_hex(4)}", s3_endpoint=s3_endpoint,
                        s3_access_key=S3_ACCESS_KEY, s3_secret_key=S3_SECRET_KEY)
    stores = [open_store(settings) for _ in range(8)]  # none has seen the bucket, which is not there yet
    ready = threading.Barrier(len(stores))

    def put(store: ObjectStore, n: int) -> str:
        ready.wait()
        return store.put(f"upload {n}".encode())

    with ThreadPoolExecutor(len(stores)) as pool:
        keys = list(pool.map(put, stores, range(len(stores))))

    assert [stores[0].get(key) for key in keys] == [f"upload {n}".encode() for n in range(len(stores))]
