"""What an uploaded file really is, made safe to keep: images re-encoded, PDFs opened, names cleaned.

Everything here reads untrusted bytes. A file that cannot be fully read now would fail every
later export of the portfolio, so it is refused at upload, with the reason in the candidate's
words, before anything is stored.
"""
from __future__ import annotations

import io
import logging
import os
import re
import threading
import unicodedata
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional

from PIL import Image, ImageFile, ImageOps
from pypdf import PdfReader

from roadmap.fields import HIDDEN

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = "PDF, PNG, JPEG or Word (DOCX)"
# A 40-megapixel photo is larger than phones take by default; one decoded image of this size
# holds 160 MB in memory, so a request never decodes more than that.
MAX_PIXELS = 40_000_000
MAX_NAME = 150  # characters of a kept file name, extension included
JPEG_QUALITY = 90
_IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
_SEPARATORS = re.compile(r"[/\\]+")
log = logging.getLogger(__name__)


_STRICT = threading.Lock()


class UploadRefused(ValueError):
    """The file cannot be attached; the message says why, in the candidate's words."""


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: the bytes to keep (re-encoded for images) and what they are."""

    data: bytes
    media_type: str


def sniff(data: bytes) -> Optional[str]:
    """The media type the bytes claim to be by their signature, among those we accept."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Pillow set to fail on truncated or corrupt data, for the length of one decode.

    WeasyPrint switches Pillow's process-wide LOAD_TRUNCATED_IMAGES on when it is imported, so
    a cut-off image would otherwise load as grey and be kept. The switch is global, so decodes
    here take turns (only the decode: re-encoding runs outside the lock) and put it back as
    they found it.
    """
    with _STRICT:
        lenient = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def reencode_image(data: bytes, media_type: str) -> bytes:
    """Decode the whole image within the pixel limit, turn it upright, and save it afresh.

    Saving afresh keeps the pixels (and the colour profile and transparency) and drops
    everything else: EXIF (camera, place, time), text chunks, comments.
    """
    kind = _IMAGE_FORMATS[media_type]
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise UploadRefused(_too_large(width, height))
            with _strict_decoding():
                opened.load()  # a truncated or corrupt image fails here, not at export
            image = _upright(opened)
            keep = {k: v for k, v in image.info.items() if k in ("icc_profile", "transparency")}
            image.info = keep
            if kind == "JPEG" and image.mode not in ("L", "RGB", "CMYK"):
                image = image.convert("RGB")
            out = io.BytesIO()
            if kind == "JPEG":
                image.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=keep.get("icc_profile"))
            else:
                image.save(out, "PNG")
            return out.getvalue()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("The selected image is too large: it must be at most "
                            f"{MAX_PIXELS // 1_000_000} megapixels") from None
    except Exception as error:  # noqa: BLE001  any failure to decode hostile bytes is a refusal
        log.info("image refused at upload: %s: %s", type(error).__name__, error)
        raise UploadRefused(f"The selected file is not a {kind} image that can be opened. "
                            "It may be damaged: save or export it again and attach the new "
                            "file") from None


def _upright(image: Image.Image) -> Image.Image:
    """A copy turned as its EXIF orientation says; as it is when that tag cannot be read."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001  a damaged EXIF block must not refuse good pixels
        return image.copy()


def _too_large(width: int, height: int) -> str:
    return (f"The selected image is {width} × {height} pixels, which is too large: it must be "
            f"at most {MAX_PIXELS // 1_000_000} megapixels. Save a smaller copy and attach that")


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that pypdf cannot open, or whose pages cannot be read without a password."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRefused("The selected PDF is protected by a password. Attach a copy "
                                "without a password")
        pages = len(reader.pages)
    except UploadRefused:
        raise
    except Exception as error:  # noqa: BLE001  any failure to parse hostile bytes is a refusal
        log.info("PDF refused at upload: %s: %s", type(error).__name__, error)
        pages = 0
    if pages < 1:
        raise UploadRefused("The selected file is not a PDF that can be opened. It may be "
                            "damaged: save or export it as a PDF again and attach the new file")


def check(data: bytes) -> CheckedFile:
    """The file as it will be kept, or UploadRefused saying why not."""
    media_type = sniff(data)
    if media_type is None:
        raise UploadRefused(f"The selected file must be a {ACCEPTED} file")
    if media_type in _IMAGE_FORMATS:
        return CheckedFile(reencode_image(data, media_type), media_type)
    if media_type == "application/pdf":
        check_pdf(data)
    return CheckedFile(data, media_type)


# The extensions a kept file's name may end in, by what the file really is; the first is added
# when the name says otherwise ("scan.exe" holding a PNG is kept as "scan.exe.png").
EXTENSIONS = {"image/png": (".png",), "image/jpeg": (".jpg", ".jpeg"), "application/pdf": (".pdf",),
              DOCX: (".docx",)}


def kept_name(name: Optional[str], media_type: str) -> str:
    """The cleaned name, ending in an extension that matches what the file really is."""
    text = clean_filename(name)
    wanted = EXTENSIONS.get(media_type)
    if wanted and not text.lower().endswith(wanted):
        text = clean_filename(text[:MAX_NAME - len(wanted[0])] + wanted[0])
    return text


def clean_filename(name: Optional[str]) -> str:
    """A file name safe to show and to send in a header; "attachment" when nothing is left.

    Drops folders, control and invisible characters (CR, LF, NUL, bidi overrides) and leading
    dots, and shortens a long name while keeping its extension.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = _SEPARATORS.split(text)[-1]  # a browser may send C:\\fakepath\\x.pdf
    text = "".join(" " if ch.isspace() else ch for ch in text
                   if ch.isspace() or unicodedata.category(ch) not in HIDDEN)
    text = " ".join(text.split()).lstrip(". ").rstrip(" ")
    if len(text) > MAX_NAME:
        stem, extension = os.path.splitext(text)
        extension = extension if len(extension) <= 16 else ""
        text = stem[:MAX_NAME - len(extension)].rstrip(" .") + extension
    return text or "attachment"
