"""Object storage for the original uploads, addressed by the sha256 of their bytes.

Content addressing makes a retried upload free and a stored object immutable: the key says what
the bytes are. Two stores: a local folder (the embedded default) and S3 (MinIO, SeaweedFS, AWS)
through the ``minio`` SDK.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.error import S3Error

from claim_intake.errors import ConfigurationError, NotFoundError, StorageUnavailableError
from claim_intake.intake.settings import Settings

_CHUNK = 1 << 20


def content_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_key(source: BinaryIO) -> str:
    """The content key of a seekable file, read a chunk at a time; left at its start."""
    source.seek(0)
    digest = hashlib.sha256()
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


class ObjectStore(ABC):
    """A content-addressed store: ``put`` and ``put_file`` key the bytes by their sha256 and store
    them through ``put_as``, the one write each store implements."""

    def put(self, data: bytes) -> str:
        """Stores the bytes (once) and returns their key."""
        return self.put_file(io.BytesIO(data))

    def put_file(self, source: BinaryIO) -> str:
        """Stores a seekable file (once), streamed from its start, and returns its key."""
        key = file_key(source)
        self.put_as(key, source)
        return key

    @abstractmethod
    def put_as(self, key: str, source: BinaryIO, replace: bool = False) -> None:
        """Stores ``source`` (from where it is) under ``key`` (its plaintext's content key when it
        holds ciphertext: ``crypto``); ``replace`` rewrites an existing object (re-encryption)."""

    @abstractmethod
    def get(self, key: str) -> bytes: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Removes the object; nothing when it is already gone."""

    @abstractmethod
    def keys_older_than(self, age_s: float) -> Iterator[str]:
        """Keys of objects stored more than ``age_s`` ago (the orphan sweep)."""

    @abstractmethod
    def check(self) -> None:
        """Raises StorageUnavailableError when the store cannot be used."""


class LocalStore(ObjectStore):
    """``ROOT/ab/cd/abcd...``: two levels of fan-out keep folders small."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key[2:4] / key

    def put_file(self, source: BinaryIO) -> str:
        """One pass over the upload: hashed as it is written aside, then renamed to its key."""
        source.seek(0)
        digest = hashlib.sha256()
        try:
            with self._aside() as (tmp, name):
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    tmp.write(chunk)
                key = digest.hexdigest()
                path = self._path(key)
                if not path.exists():  # else stored before: the same bytes
                    self._settle(tmp, name, path)
        except OSError as exc:
            raise StorageUnavailableError(f"cannot write to the object folder: {exc}") from exc
        return key

    def put_as(self, key: str, source: BinaryIO, replace: bool = False) -> None:
        path = self._path(key)
        if path.exists() and not replace:
            return
        try:
            with self._aside() as (tmp, name):
                shutil.copyfileobj(source, tmp, _CHUNK)
                self._settle(tmp, name, path)
        except OSError as exc:
            raise StorageUnavailableError(f"cannot write to the object folder: {exc}") from exc

    @contextmanager
    def _aside(self) -> Iterator[tuple[BinaryIO, str]]:
        """A new file in the store's root and its name, removed unless ``_settle`` moved it to
        its key: a reader never sees half an object."""
        try:
            fd, name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        except FileNotFoundError:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with open(fd, "wb") as tmp:
                yield tmp, name
        finally:
            with suppress(FileNotFoundError):
                os.unlink(name)

    @staticmethod
    def _settle(tmp: BinaryIO, name: str, path: Path) -> None:
        tmp.flush()
        os.fsync(tmp.fileno())
        try:
            os.replace(name, path)
        except FileNotFoundError:  # the key's folders are made once, when the first object needs them
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(name, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError(f"stored object {key} not found") from exc
        except OSError as exc:
            raise StorageUnavailableError(f"cannot read the object folder: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailableError(f"cannot delete from the object folder: {exc}") from exc

    def keys_older_than(self, age_s: float) -> Iterator[str]:
        cutoff = time.time() - age_s
        for path in self.root.glob("??/??/*"):
            if len(path.name) == 64 and path.stat().st_mtime < cutoff:
                yield path.name

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailableError(f"cannot create the object folder: {exc}") from exc
        if not os.access(self.root, os.W_OK):
            raise StorageUnavailableError(f"the object folder {self.root} is not writable")


# Connection failures surface as urllib3's errors, S3 refusals as S3Error: both mean "unavailable"
# to a caller, except a missing object.
_UNAVAILABLE = (urllib3.exceptions.HTTPError, S3Error, OSError)


class S3Store(ObjectStore):
    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket
        self._bucket_ready = False

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as exc:
                # Two first uploads at once both find no bucket; the second to make it is told so.
                if exc.code != "BucketAlreadyOwnedByYou":
                    raise
        self._bucket_ready = True

    def put_as(self, key: str, source: BinaryIO, replace: bool = False) -> None:
        start = source.tell()
        size = source.seek(0, os.SEEK_END) - start
        source.seek(start)
        try:
            self._ensure_bucket()
            self.client.put_object(self.bucket, key, source, size)
        except _UNAVAILABLE as exc:
            raise StorageUnavailableError(f"the object store cannot be reached: {exc}") from exc

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code == "NoSuchKey":
                raise NotFoundError(f"stored object {key} not found") from exc
            raise StorageUnavailableError(f"the object store refused: {exc}") from exc
        except _UNAVAILABLE as exc:
            raise StorageUnavailableError(f"the object store cannot be reached: {exc}") from exc
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)
        except _UNAVAILABLE as exc:
            raise StorageUnavailableError(f"the object store cannot be reached: {exc}") from exc

    def keys_older_than(self, age_s: float) -> Iterator[str]:
        cutoff = datetime.now(UTC) - timedelta(seconds=age_s)
        try:
            for item in self.client.list_objects(self.bucket):
                if item.object_name and item.last_modified and item.last_modified < cutoff:
                    yield item.object_name
        except _UNAVAILABLE as exc:
            raise StorageUnavailableError(f"the object store cannot be reached: {exc}") from exc

    def check(self) -> None:
        try:
            self._ensure_bucket()
        except _UNAVAILABLE as exc:
            raise StorageUnavailableError(f"the object store cannot be reached: {exc}") from exc


def open_store(settings: Settings) -> ObjectStore:
    """The configured store, encrypting what it keeps when ``storage_keys`` are set (``crypto``)."""
    store = _plain_store(settings)
    if not settings.storage_keys:
        return store
    from claim_intake.intake.store.crypto import EncryptedStore, Keyring

    return EncryptedStore(store, Keyring.from_settings(settings))


def _plain_store(settings: Settings) -> ObjectStore:
    url = settings.resolved_storage_url
    if not url.startswith("s3://"):
        return LocalStore(Path(url))
    bucket = url.removeprefix("s3://").strip("/")
    if not bucket or "/" in bucket:
        raise ConfigurationError(f"storage_url {url!r}: expected s3://BUCKET")
    timeout = urllib3.Timeout(connect=settings.s3_timeout_s, read=settings.s3_timeout_s)
    # Few quick retries: a client waiting on an upload must hear "unavailable" in seconds.
    http = urllib3.PoolManager(
        timeout=timeout, maxsize=10, retries=urllib3.Retry(total=1, backoff_factor=0.2)
    )
    client = Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else None,
        secure=settings.s3_secure,
        http_client=http,
    )
    return S3Store(client, bucket)
