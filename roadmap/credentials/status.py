"""Revocation through the W3C Bitstring Status List: one bit per credential, published signed.

A list holds 131,072 entries (16 KiB, the specification's minimum, so a checker learns little
from which entry it asks about). Bit i is the (7 - i % 8)th bit of byte i // 8: the first
entry is the leftmost bit. The list is GZIP-compressed and written as multibase base64url
("u" then base64url without padding), inside a BitstringStatusListCredential that the
issuer signs like any credential.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import zlib
from typing import Any, Iterable

from roadmap.credentials.document import VC_CONTEXT, Issuer, STATUS_PATH, stamp
from roadmap.credentials.models import STATUS_LIST_SIZE

LIST_LIFETIME = dt.timedelta(days=1)  # a checker keeping a copy fetches a fresh one after this
LARGEST = 16 * 1024 * 1024  # refuse a list that unpacks to more (a compressed bomb)


class BadList(ValueError):
    """The encoded list cannot be read."""


def encode(revoked: Iterable[int], size: int = STATUS_LIST_SIZE) -> str:
    """The list with the given entries set, as encodedList."""
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """The bitstring of an encodedList; BadList when it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise BadList("the list is not multibase base64url")
    text = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        bits = unpacker.decompress(packed, LARGEST + 1)
    except (ValueError, zlib.error):
        raise BadList("the list is not GZIP-compressed base64url") from None
    if len(bits) > LARGEST or unpacker.unconsumed_tail:
        raise BadList("the list is too large")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    """Whether the entry is set (the credential revoked); an entry beyond the list is an error."""
    if not 0 <= index < len(bits) * 8:
        raise BadList(f"entry {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(issuer: Issuer, number: int, revoked: Iterable[int],
                    now: dt.datetime) -> dict[str, Any]:
    """The BitstringStatusListCredential of list NUMBER, valid for a day from now."""
    here = issuer.at(STATUS_PATH, number=number)
    return {
        "@context": [VC_CONTEXT],
        "id": here,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.id,
        "validFrom": stamp(now),
        "validUntil": stamp(now + LIST_LIFETIME),
        "credentialSubject": {"id": f"{here}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode(revoked)},
    }
