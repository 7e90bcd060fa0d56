"""The demo's uploaded files: one-page PDF certificates and transcripts, written by hand.

Small, real PDFs, so they pass the upload checks (they open, with a page) and print in the
portfolio like any certificate a candidate would scan.
"""
from __future__ import annotations


def _escaped(text: str) -> str:
    """Text as a PDF string literal holds it (Latin-1, with its three special characters)."""
    plain = text.encode("latin-1", "replace").decode("latin-1")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def document(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF: a title and some lines of text in Helvetica."""
    text = ["BT", "/F1 20 Tf", "72 760 Td", f"({_escaped(title)}) Tj", "/F1 12 Tf", "0 -36 Td"]
    for line in lines:
        text += [f"({_escaped(line)}) Tj", "0 -20 Td"]
    stream = "\n".join(text + ["ET"]).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


class Upload:
    """A file as a form would send it (the attachments' Upload): a name and a stream."""

    def __init__(self, filename: str, data: bytes) -> None:
        import io

        self.filename, self.stream = filename, io.BytesIO(data)
