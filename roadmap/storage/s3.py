"""Attachments in an S3-compatible bucket (AWS S3, MinIO, Ceph...), through boto3.

Objects sit under PREFIX + sha[:2]/sha, the same layout as the local folder, so an existing
folder can be copied into the bucket as it is (for example with `aws s3 sync`). Credentials
come from boto3's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an
instance or task role); the application never holds them in its settings.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any, BinaryIO, Optional

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from roadmap.storage.base import MissingObject, StorageError, Store, checked

CHECK_KEY = ".roadmap-check"  # never a content hash, so it cannot meet an attachment
WRITE_CHECK_SECONDS = 300
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _config(endpoint_url: Optional[str], quick: bool) -> Config:
    """Bounded timeouts and retries: a slow store must not hold a request for minutes.

    Checksums only where the API requires them: boto3's newer default trailing checksums are
    refused by several S3-compatible servers. Path-style addresses for a named endpoint, as
    MinIO, Ceph and test servers on localhost expect.
    """
    return Config(
        connect_timeout=2 if quick else 5, read_timeout=5 if quick else 60,
        retries={"mode": "standard", "max_attempts": 1 if quick else 3},
        s3={"addressing_style": "path"} if endpoint_url else None,
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class S3Store(Store):
    """One bucket (and optional prefix) of an S3-compatible service."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: Optional[str] = None,
                 region: Optional[str] = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url or None
        self.region = region or None
        self._clients: dict[tuple[int, bool], Any] = {}
        self._lock = threading.Lock()
        self._written_at = -float(WRITE_CHECK_SECONDS)  # when check() last wrote successfully

    def _client(self, quick: bool = False) -> Any:
        """A client for this process (a client must not cross a fork: it holds sockets)."""
        slot = (os.getpid(), quick)
        client = self._clients.get(slot)
        if client is None:
            with self._lock:
                client = self._clients.get(slot)
                if client is None:
                    client = boto3.session.Session().client(
                        "s3", endpoint_url=self.endpoint_url, region_name=self.region,
                        config=_config(self.endpoint_url, quick))
                    self._clients = {k: v for k, v in self._clients.items()
                                     if k[0] == os.getpid()} | {slot: client}
        return client

    def name(self, key: str) -> str:
        """The object name of a key in the bucket."""
        key = checked(key)
        return f"{self.prefix}{key[:2]}/{key}"

    def _where(self) -> str:
        return self.describe() + (f" at {self.endpoint_url}" if self.endpoint_url else "")

    def _failed(self, doing: str, error: Exception) -> StorageError:
        if isinstance(error, NoCredentialsError):
            detail = ("no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                      "a profile, or an instance role")
        elif isinstance(error, ClientError):
            code = _code(error)
            detail = {"NoSuchBucket": "the bucket does not exist",
                      "AccessDenied": "access denied (check the credentials and bucket policy)",
                      "403": "access denied (check the credentials and bucket policy)"}.get(
                code, f"the service answered {code or 'an error'}")
        else:
            detail = str(error)
        return StorageError(f"{self._where()}: could not {doing}: {detail}")

    def put(self, key: str, data: bytes) -> None:
        if self.exists(key):
            return  # content-addressed: the same bytes are already kept
        try:
            self._client().put_object(Bucket=self.bucket, Key=self.name(key), Body=data)
        except (BotoCoreError, ClientError) as error:
            raise self._failed("store a file", error) from error

    def _get_object(self, key: str) -> Any:
        try:
            return self._client().get_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as error:
            if _code(error) in _MISSING:
                raise MissingObject(key) from None
            raise self._failed("read a file", error) from error
        except BotoCoreError as error:
            raise self._failed("read a file", error) from error

    def get(self, key: str) -> bytes:
        body = self._get_object(key)["Body"]
        try:
            return body.read()
        except BotoCoreError as error:
            raise self._failed("read a file", error) from error
        finally:
            body.close()

    def open(self, key: str) -> BinaryIO:
        # botocore's StreamingBody is a readable io stream over the open HTTP response.
        return self._get_object(key)["Body"]

    def exists(self, key: str) -> bool:
        try:
            self._client().head_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as error:
            if _code(error) in _MISSING:
                return False
            raise self._failed("look for a file", error) from error
        except BotoCoreError as error:
            raise self._failed("look for a file", error) from error
        return True

    def check(self) -> None:
        """The bucket answers, and takes a write (one tiny object under the prefix).

        The write is tried at most every WRITE_CHECK_SECONDS per process: health checks come
        every few seconds, and on a versioned bucket each write keeps another version.
        """
        client = self._client(quick=True)
        try:
            client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if _code(error) in {"404", "NoSuchBucket"}:
                raise StorageError(f"{self._where()}: the bucket does not exist") from error
            raise self._failed("reach the bucket", error) from error
        except BotoCoreError as error:
            raise self._failed("reach the bucket", error) from error
        if time.monotonic() - self._written_at < WRITE_CHECK_SECONDS:
            return
        try:
            client.put_object(Bucket=self.bucket, Key=self.prefix + CHECK_KEY, Body=b"ok")
        except (BotoCoreError, ClientError) as error:
            raise self._failed("write", error) from error
        self._written_at = time.monotonic()

    def describe(self) -> str:
        return f"s3 bucket {self.bucket}"
