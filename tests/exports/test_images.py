"""A stored image that cannot be printed becomes a box naming it: the export still works."""
from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader

from roadmap import storage
from roadmap.portfolio.models import Attachment


def _png(width: int, height: int, rows: bytes, depth: int = 1, colour: int = 0) -> bytes:
    """A PNG written by hand, so its header may claim anything."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def _photo(mode: str = "RGB", size: tuple[int, int] = (40, 30), kind: str = "PNG") -> bytes:
    image = Image.new(mode, size)
    for x in range(size[0]):
        image.putpixel((x, x % size[1]), 200 * x if mode == "I;16" else (x * 6, 90, 30)[:len(mode)]
                       if mode != "L" else x * 6)
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


BOMB = _png(20000, 20000, b"\x00" * (20000 // 8 + 1) * 20000)  # 400 million pixels, 50 KB
GOOD = Image.frombytes("RGB", (64, 64), random.Random(5).randbytes(64 * 64 * 3))
GOOD.save(buffer := io.BytesIO(), format="PNG")
GOOD = buffer.getvalue()
BROKEN = {  # file name: the bytes the store holds
    "not-an-image.png": b"\x89PNG\r\n\x1a\n" + b"this is not an image at all" * 20,
    "huge.png": BOMB,
    "cut-short.png": GOOD[:30],  # damage after the header prints what decodes, as WeasyPrint does
    "cut-short.jpg": _photo(kind="JPEG")[:200],
}



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1,
                      ATTACHMENT_DIR=str(tmp_path / "attachments"))
    return app_config


@pytest.fixture
def attach(app, session, team):
    """Put bytes straight into the store and attach them, as an older release could have."""
    def add(item, filename: str, data: bytes | None, key: str | None = None) -> None:
        key = key or hashlib.sha256(data or filename.encode()).hexdigest()
        if data is not None:
            with app.app_context():
                storage.current().put(key, data)
        media_type = "image/jpeg" if filename.endswith(".jpg") else "image/png"
        session.add(Attachment(evidence_id=item.id, filename=filename, media_type=media_type,
                               size_bytes=len(data or b"?"), sha256=key,
                               uploaded_by_id=team.candidate.id))
        session.commit()
    return add


def _export_over_http(client, login, person, enrolment_id) -> tuple[PdfReader, str]:
    login(client, person)
    started = client.post(f"/exports/enrolment/{enrolment_id}/pdf")
    assert started.status_code == 302
    page = client.get(started.headers["Location"])
    assert page.status_code == 200 and b"Your download is ready" in page.data, page.data[-800:]
    download = client.get(started.headers["Location"] + "/download")
    pdf = download.get_data()
    download.close()
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def _images(reader: PdfReader) -> int:
    """How many different images the PDF draws (pages may share their resources)."""
    return len({image.name for page in reader.pages for image in page.images})


def test_images_that_cannot_be_printed_become_named_boxes(client, login, team, make_item,
                                                          attach):
    item = make_item("cbd", status="submitted")
    attach(item, "good.png", GOOD)
    for filename, data in BROKEN.items():
        attach(item, filename, data)
    attach(item, "gone.png", None)  # in the database, not in the store
    swapped = _photo(size=(12, 12))  # stored under the hash of other bytes
    attach(item, "swapped.png", swapped, key=hashlib.sha256(b"what was uploaded").hexdigest())
    for person in (team.candidate, team.primary):
        reader, text = _export_over_http(client, login, person, team.enrolment.id)
        for filename in (*BROKEN, "gone.png", "swapped.png"):
            assert f"Image could not be included: {filename}" in text, filename
        assert "Image could not be included: good.png" not in text
        assert _images(reader) == 1


def test_images_the_renderer_could_not_draw_are_printed(client, login, team, make_item, attach):
    """16-bit grey (a scan), CMYK and a transparent palette image, saved again for print."""
    item = make_item("cbd", status="submitted")
    attach(item, "scan-16-bit.png", _photo("I;16"))
    attach(item, "print-cmyk.jpg", _photo("CMYK", kind="JPEG"))
    palette = Image.new("P", (20, 20))
    palette.info["transparency"] = 0
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", transparency=0)
    attach(item, "palette.png", buffer.getvalue())
    reader, text = _export_over_http(client, login, team.candidate, team.enrolment.id)
    assert "could not be included" not in text
    assert _images(reader) == 3


def test_a_print_copy_keeps_no_metadata_and_fits_the_page(app, team, make_item, attach, session):
    from roadmap.exports import images, portfolio

    photo = Image.new("RGB", (4000, 1000), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x0132] = "2026:01:01 10:00:00"
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    key = hashlib.sha256(data).hexdigest()
    with app.app_context():
        storage.current().put(key, data)
        copy = images.print_copy(storage.current(), key, portfolio.setup().image_dir, "p.jpg")
    with Image.open(copy) as printed:
        assert printed.size == (images.PRINT_SIDE, images.PRINT_SIDE // 4)
        assert not printed.getexif() and "exif" not in printed.info
