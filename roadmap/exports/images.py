"""Print copies of image attachments: decoded once, checked, and saved again for the renderer.

A stored "image" may be anything that began with an image's signature: bytes that do not
decode, a picture of hundreds of millions of pixels, a file gone from the store or changed
behind the app's back. Such a file is left out, and the PDF shows a box naming it, instead of
failing every export of the portfolio for good. What does decode is turned upright, scaled to
print size and saved as a plain 8-bit PNG or JPEG (a mode WeasyPrint draws, no metadata),
once per content hash, under EXPORT_DIR/images: the renderer reads these copies only.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
from pathlib import Path
from typing import Optional

from PIL import Image, ImageOps

from roadmap.storage import mirror
from roadmap.storage.base import MissingObject, StorageError, Store, checked
from roadmap.storage.local import write_atomically

MAX_PIXELS = 40_000_000  # beyond any phone's photo; a decompression bomb is far beyond that
PRINT_SIDE = 2000  # pixels on the long side: the 120 mm the page gives an image, at 400 dpi
VERSION = 1  # part of the copies' names: a change to how they are made makes new ones
log = logging.getLogger(__name__)


def folder(export_dir: Path) -> Path:
    """Where the print copies are kept (a folder the renderer may read)."""
    return Path(export_dir) / "images"


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """The picture upright, at print size, in RGB, RGBA or L; and the format to save it in."""
    with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"{image.width} x {image.height} pixels is more than we print")
        image.draft("RGB", (PRINT_SIDE, PRINT_SIDE))  # a JPEG decodes at a smaller scale
        source = image.format
        picture = ImageOps.exif_transpose(image)  # loads every pixel: damage shows here
    picture.thumbnail((PRINT_SIDE, PRINT_SIDE))
    if picture.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit grey: scale, not clip
        picture = picture.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    elif picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        picture = picture.convert("RGBA")
    elif picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    return picture, "JPEG" if source == "JPEG" and picture.mode != "RGBA" else "PNG"


def print_copy(store: Store, key: str, image_dir: Path, filename: str = "") -> Optional[Path]:
    """A file the renderer can draw for the image stored under `key` (kept in `image_dir`, see
    folder()), or None if there is none.

    None means the PDF shows a box naming the file; why is logged for the export's log.
    """
    try:
        target = Path(image_dir) / key[:2] / f"{checked(key)}.{VERSION}"
    except ValueError as error:
        return _left_out(filename, key, error)
    try:
        os.utime(target)  # made before, and now recently used
        return target
    except FileNotFoundError:
        pass
    try:
        try:
            data = store.get(key)
        except MissingObject:
            raise LookupError("the file is not in the attachment store") from None
        if hashlib.sha256(data).hexdigest() != key:
            raise ValueError("the stored file is not the one that was uploaded")
        picture, kind = _decode(data)
        buffer = io.BytesIO()
        picture.save(buffer, format=kind, **({"quality": 88} if kind == "JPEG" else {}))
    except StorageError:
        raise  # the store is down for now: the export fails and says "try again", no box
    except Exception as error:  # noqa: BLE001 - any failure to read user bytes means the box
        return _left_out(filename, key, error)
    write_atomically(target, buffer.getvalue())
    return target


def _left_out(filename: str, key: str, error: Exception) -> None:
    log.warning("image %r (%s) is left out of the PDF: %s", filename, key[:12], error)


def prune(image_dir: Path, max_age_days: float = 1) -> int:
    """Delete print copies no export has used for `max_age_days` (they are personal data)."""
    return mirror.prune_older(image_dir, max_age_days)
