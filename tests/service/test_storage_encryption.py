"""Stored originals encrypted with a key from the settings (envelope, chunked AES-GCM): what the
folder or the S3 server holds is not the upload, the service reads it back, altered or cut objects
do not open, and a key rotation re-encrypts everything under the new key."""

from __future__ import annotations

import base64
import io
import os
import secrets

import pytest
from materials import invoice_pdf

from claim_intake.intake.settings import Settings
from claim_intake.intake.store.crypto import (
    CHUNK,
    EncryptedStore,
    Keyring,
    UnreadableObjectError,
    decrypt,
)
from claim_intake.intake.store.objects import _plain_store, open_store

from .conftest import Backend, start_api


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _keyring(**keys: str) -> Keyring:
    return Keyring.from_settings(Settings(storage_keys=keys))


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_round_trip_at_chunk_edges(size: int) -> None:
    keyring = _keyring(k1=_key())
    data = os.urandom(size)
    sealed = io.BytesIO()
    from claim_intake.intake.store.crypto import encrypt

    encrypt(io.BytesIO(data), sealed, keyring)
    assert decrypt(sealed.getvalue(), keyring) == data
    if size > 16:  # a longer run of the plaintext would be a leak; a byte or two is chance
        assert data not in sealed.getvalue()


def test_altered_truncated_and_unknown_key_objects_do_not_open() -> None:
    from claim_intake.intake.store.crypto import encrypt

    keyring = _keyring(k1=_key())
    sealed = io.BytesIO()
    encrypt(io.BytesIO(os.urandom(2 * CHUNK + 5)), sealed, keyring)
    data = sealed.getvalue()
    flipped = bytearray(data)
    flipped[-100] ^= 1
    cut_at_chunk = data[: len(data) - (5 + 16)]  # the last chunk dropped whole
    for bad in (bytes(flipped), data[:-3], cut_at_chunk):
        with pytest.raises(UnreadableObjectError):
            decrypt(bad, keyring)
    with pytest.raises(UnreadableObjectError, match="not in the keyring"):
        decrypt(data, _keyring(k2=_key()))


def test_the_service_stores_ciphertext_and_reads_it_back_then_rotates(backend: Backend) -> None:
    old, new = _key(), _key()
    settings = backend.make_settings(storage_keys={"old": old})
    client, api = start_api(settings)
    key, claim = api.new_key(), None
    try:
        invoice = invoice_pdf(number=f"{secrets.randbelow(10**10):010d}")
        claim = api.submit(key, [("invoice.pdf", invoice)]).json()
        assessed = api.wait_assessed(key, claim["id"])
        assert assessed["documents"][0]["status"] == "read"  # the reader opened it
        document = claim["documents"][0]
        raw = _plain_store(settings).get(document["sha256"])
        assert raw != invoice and invoice[:200] not in raw and b"%PDF" not in raw
        download = api.client.get(f"/v1/claims/{claim['id']}/documents/{document['id']}/file", headers=key)
        assert download.content == invoice

        rotated = settings.model_copy(update={"storage_keys": Settings(storage_keys={"new": new, "old": old}).storage_keys})
        store = open_store(rotated)
        assert isinstance(store, EncryptedStore)
        assert store.get(document["sha256"]) == invoice  # the old key still opens old objects
        assert store.rekey() >= 1
        only_new = open_store(settings.model_copy(update={"storage_keys": Settings(storage_keys={"new": new}).storage_keys}))
        assert only_new.get(document["sha256"]) == invoice
    finally:
        # The database is the session's: no value sealed under keys the other tests do not hold.
        if claim is not None:
            api.client.delete(f"/v1/claims/{claim['id']}", headers=key)
        client.__exit__(None, None, None)
