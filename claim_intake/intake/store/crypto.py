"""Envelope encryption of the stored originals and of the database's personal data, with keys
from the settings.

Each object gets a data key of its own (AES-256-GCM, ``cryptography``), wrapped by the current
master key of ``CLAIM_INTAKE_STORAGE_KEYS`` (named, so that old keys still open old objects). The
file is encrypted in 1 MiB chunks as it is streamed to storage, each chunk sealed with its number
and a last-chunk flag in its nonce (the STREAM construction), so that no upload is held whole in
memory and a reordered, dropped or truncated chunk fails to open. The object key stays the
sha256 of the plaintext: identical uploads are still stored once.

Layout: ``MAGIC | len(key id) | key id | nonce(12) + wrapped data key(48) | prefix(7) | chunks``.
Objects stored before encryption was set have no MAGIC and are read as they are.

Values in the database (``seal_text``: OCR text, field values, ...; ``db.SealedText``) use the
same scheme on a small scale: a data key per value, wrapped by the current master key, stored as
``enc1:<base64 of wrap nonce, wrapped key, nonce, ciphertext>:<key id>``. A value without the
prefix was stored before encryption was set and is read as it is.

Rotation: put a new key first in ``CLAIM_INTAKE_STORAGE_KEYS`` (new objects use it, old ones open
with the old key), run ``claim-intake storage rekey`` (every object rewritten under the new key),
then drop the old key. ``rekey`` also re-seals the database's values (and seals those stored in
the clear before keys were set).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from claim_intake.errors import ConfigurationError, StorageUnavailableError
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.objects import ObjectStore

MAGIC = b"CIENC1\n"
CHUNK = 1 << 20
_TAG = 16
_PREFIX = 7


class UnreadableObjectError(StorageUnavailableError):
    """A stored object that does not open: a key missing from the keyring, or altered bytes."""

    code = "storage_key_error"
    retryable = False


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        keys: dict[str, bytes] = {}
        for key_id, secret in settings.storage_keys.items():
            try:
                raw = base64.urlsafe_b64decode(secret.get_secret_value() + "==")
            except (binascii.Error, ValueError) as exc:
                raise ConfigurationError(f"storage key {key_id!r} is not base64") from exc
            if len(raw) != 32:
                raise ConfigurationError(f"storage key {key_id!r} must be 32 bytes (base64 of 32 random bytes)")
            keys[key_id] = raw
        return cls(current=next(iter(keys)), keys=keys)


def keyring_from_settings(settings: Settings) -> Keyring | None:
    """The keyring, or None when ``storage_keys`` is not set (nothing is encrypted)."""
    return Keyring.from_settings(settings) if settings.storage_keys else None


# --- values in the database -----------------------------------------------------------------

SEALED = "enc1:"


def _wrap(master: bytes, data_key: bytes, key_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(master).encrypt(nonce, data_key, SEALED.encode() + key_id.encode())


def seal_text(text: str, keyring: Keyring) -> str:
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    body = _wrap(keyring.keys[keyring.current], data_key, keyring.current) + nonce + AESGCM(data_key).encrypt(
        nonce, text.encode(), None)
    # base64url has no ':', so the key id after the last payload character may hold any.
    return f"{SEALED}{base64.urlsafe_b64encode(body).decode()}:{keyring.current}"


def open_text(stored: str, keyring: Keyring | None) -> str:
    if not stored.startswith(SEALED):
        return stored  # stored before encryption was set
    payload, _, key_id = stored[len(SEALED):].partition(":")
    master = keyring.keys.get(key_id) if keyring else None
    if master is None:
        raise UnreadableObjectError(f"a database value was encrypted with key {key_id!r}, not in the keyring")
    try:
        body = base64.urlsafe_b64decode(payload)
        wrap_nonce, wrapped, nonce, sealed = body[:12], body[12:60], body[60:72], body[72:]
        data_key = AESGCM(master).decrypt(wrap_nonce, wrapped, SEALED.encode() + key_id.encode())
        return AESGCM(data_key).decrypt(nonce, sealed, None).decode()
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise UnreadableObjectError("a database value does not open: altered, or cut short") from exc


def lookups(value: str, keyring: Keyring | None) -> list[str]:
    """Digests that find an encrypted value by equality (a search by ID number): an HMAC keyed
    from each master key (rows sealed before a rotation's rekey are still found), and the plain
    sha256 of rows written before keys were set. The first is what a new row stores."""
    keyed = [hmac.new(hashlib.sha256(b"claim-intake lookup\0" + key).digest(), value.encode(), "sha256").hexdigest()
             for key in (keyring.keys.values() if keyring else ())]
    return [*keyed, hashlib.sha256(value.encode()).hexdigest()]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _chunks(source: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """The source's chunks, each with whether it is the last (an empty file: one empty chunk)."""
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        yield chunk, not following
        if not following:
            return
        chunk = following


def encrypt(source: BinaryIO, sink: BinaryIO, keyring: Keyring) -> None:
    key_id = keyring.current.encode()
    data_key = AESGCM.generate_key(bit_length=256)
    wrap_nonce = os.urandom(12)
    wrapped = AESGCM(keyring.keys[keyring.current]).encrypt(wrap_nonce, data_key, MAGIC + key_id)
    prefix = os.urandom(_PREFIX)
    sink.write(MAGIC + bytes([len(key_id)]) + key_id + wrap_nonce + wrapped + prefix)
    sealer = AESGCM(data_key)
    sink.writelines(sealer.encrypt(_nonce(prefix, counter, last), chunk, None) for counter, (chunk, last) in enumerate(_chunks(source)))


def decrypt(data: bytes, keyring: Keyring) -> bytes:
    if not data.startswith(MAGIC):
        return data  # stored before encryption was set
    try:
        at = len(MAGIC)
        key_id = data[at + 1: at + 1 + data[at]].decode()
        at += 1 + len(key_id)
        wrap_nonce, wrapped, prefix = data[at:at + 12], data[at + 12:at + 60], data[at + 60:at + 60 + _PREFIX]
        at += 60 + _PREFIX
        master = keyring.keys.get(key_id)
        if master is None:
            raise UnreadableObjectError(f"a stored object was encrypted with key {key_id!r}, not in the keyring")
        opener = AESGCM(AESGCM(master).decrypt(wrap_nonce, wrapped, MAGIC + key_id.encode()))
        out = io.BytesIO()
        counter = 0
        while True:
            sealed = data[at:at + CHUNK + _TAG]
            at += len(sealed)
            last = at >= len(data)
            out.write(opener.decrypt(_nonce(prefix, counter, last), sealed, None))
            if last:
                return out.getvalue()
            counter += 1
    except (InvalidTag, IndexError, UnicodeDecodeError) as exc:
        raise UnreadableObjectError("a stored object does not open: altered, or cut short") from exc


class EncryptedStore(ObjectStore):
    """An ObjectStore that encrypts what it puts and decrypts what it gets."""

    def __init__(self, inner: ObjectStore, keyring: Keyring) -> None:
        self.inner = inner
        self.keyring = keyring

    def put_as(self, key: str, source: BinaryIO, replace: bool = False) -> None:
        # Encrypted into a spooled file (memory up to one chunk, then disk), then stored.
        with tempfile.SpooledTemporaryFile(max_size=CHUNK) as sealed:
            encrypt(source, sealed, self.keyring)  # type: ignore[arg-type]
            sealed.seek(0)
            self.inner.put_as(key, sealed, replace)  # type: ignore[arg-type]

    def get(self, key: str) -> bytes:
        return decrypt(self.inner.get(key), self.keyring)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def keys_older_than(self, age_s: float) -> Iterator[str]:
        return self.inner.keys_older_than(age_s)

    def check(self) -> None:
        self.inner.check()

    def rekey(self) -> int:
        """Rewrites every object under the current key (after a rotation). Returns how many."""
        done = 0
        for key in list(self.inner.keys_older_than(-3600)):
            self.put_as(key, io.BytesIO(self.get(key)), replace=True)
            done += 1
        return done
