"""Forgeries of a made PDF that put one object where the check (qpdf) looks and another where a
viewer (pdf.js) looks, as a sixth outsider made them: each draws a "STAGE 2 SIGNED OFF" banner
on the cover that only the viewer sees. Used by test_archival_layout.py."""
from __future__ import annotations

import io
import re
import zlib

import pikepdf

BANNER = "STAGE 2 SIGNED OFF"


def classic(made: bytes) -> bytes:
    """The file saved whole again with a plain index table (no compressed groups), as qpdf or
    an editor's Save As writes it: nothing forged."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(made)) as pdf:
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def _stamped(pdf: pikepdf.Pdf) -> tuple[bytes, pikepdf.Dictionary]:
    """Page 1's drawing with the banner over it, and its resources with the banner's font."""
    page = pdf.pages[0]
    drawing = (b"q\n" + page.Contents.read_bytes() + b"\nQ\nq 1 0 0 rg 40 430 515 120 re f Q\n"
               b"BT /FX 30 Tf 1 1 1 rg 60 500 Td (" + BANNER.encode() + b") Tj ET\n")
    resources = pikepdf.Dictionary(page.obj.Resources)
    fonts = pikepdf.Dictionary(resources.Font)
    fonts.FX = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                  BaseFont=pikepdf.Name.Helvetica)
    resources.Font = fonts
    return drawing, resources


def _stream(number: int, data: bytes) -> bytes:
    packed = zlib.compress(data)
    return (b"%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % (number, len(packed))
            + packed + b"\nendstream\nendobj\n")


def after_a_false_end(made: bytes) -> bytes:
    """Copies of page 1's drawing and resources written before the index, which lists the
    originals; the file then ends "startxref N startxrefX": qpdf reads the index, pdf.js finds
    no offset after the last "startxref", rebuilds the index by scanning, and the last copy
    of each object wins."""
    raw = classic(made)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        drawing, resources = _stamped(pdf)
        page = pdf.pages[0].obj
        copies = (_stream(page.Contents.objgen[0], drawing) + b"%d 0 obj\n" % page.Resources.objgen[0]
                  + resources.unparse(resolved=False) + b"\nendobj\n")
    last = raw.rfind(b"startxref")
    index = int(re.match(rb"startxref\s+(\d+)", raw[last:]).group(1))
    return (raw[:index] + copies + raw[index:last]
            + b"startxref\n%d\nstartxrefX\n%%%%EOF\n" % (index + len(copies)))


def linearized(made: bytes) -> bytes:
    """A linearization dictionary first, naming as the first page a forged page object that no
    page tree holds: pdf.js shows it as page 1, qpdf walks the page tree."""
    raw = classic(made)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        drawing, resources = _stamped(pdf)
        first = pdf.pages[0].obj
        count, trailer = len(pdf.pages), pikepdf.Dictionary(pdf.trailer)
        last = raw.rfind(b"startxref")
        index = int(re.match(rb"startxref\s+(\d+)", raw[last:]).group(1))
        size = int(trailer.Size)
        page, drawn, lin = size, size + 1, size + 2
        added = {page: b"<< /Type /Page /MediaBox %s /Parent %d 0 R /Resources %s /Contents %d 0 R >>"
                 % (first.MediaBox.unparse(), first.Parent.objgen[0],
                    resources.unparse(resolved=False), drawn)}
        trailer.Size = size + 3
        trailer_bytes = b"trailer\n" + trailer.unparse(resolved=False) + b"\n"
    offsets = [int(line[:10]) for line in raw[index:].split(b"\n")[2:2 + size]]
    start = raw.find(b"1 0 obj")
    body = raw[start:index]
    extra = b"%d 0 obj\n" % page + added[page] + b"\nendobj\n" + _stream(drawn, drawing)

    def build(length: int) -> bytes:
        head = raw[:start] + (b"%d 0 obj\n<< /Linearized 1 /L %010d /H [ 1 1 ] /O %d /E 1 /N %d "
                              b"/T 1 >>\nendobj\n" % (lin, length, page, count))
        table_length = len(b"xref\n0 %d\n" % (size + 3)) + 20 * (size + 3) + len(trailer_bytes)
        shift = len(head) + table_length - start
        at = len(head) + table_length + len(body)
        rows = [b"0000000000 65535 f \n"] + [b"%010d 00000 n \n" % (o + shift) for o in offsets[1:]]
        rows += [b"%010d 00000 n \n" % at,
                 b"%010d 00000 n \n" % (at + extra.index(b"%d 0 obj" % drawn)),
                 b"%010d 00000 n \n" % len(raw[:start])]
        table = b"xref\n0 %d\n" % (size + 3) + b"".join(rows) + trailer_bytes
        return head + table + body + extra + b"startxref\n%d\n%%%%EOF\n" % len(head)

    data = build(0)
    return build(len(data))


def renumbered_in_group(made: bytes) -> bytes:
    """Every object rewritten into one compressed group, with a forged page 1 added under an
    unused number; the index sends page 1 to the forged page's position: pdf.js takes the
    object at that position, qpdf the one whose number the group lists."""
    with pikepdf.open(io.BytesIO(made)) as pdf:
        plain, streams = {}, {}
        for item in pdf.objects:
            number = item.objgen[0]
            if number == 0:
                continue
            if isinstance(item, pikepdf.Stream):
                data = item.read_raw_bytes()
                kept = pikepdf.Dictionary(item.stream_dict)
                kept.Length = len(data)
                streams[number] = (kept.unparse(resolved=False) + b"\nstream\n" + data
                                   + b"\nendstream")
            else:
                plain[number] = item.unparse(resolved=True)
        top = max([*plain, *streams])
        group, index_number, drawn, unused = top + 1, top + 2, top + 3, top + 4
        first = pdf.pages[0].obj
        drawing, resources = _stamped(pdf)
        forged = pikepdf.Dictionary(first)
        forged.Resources = resources
        forged.Contents = pikepdf.Name.Null
        forged_bytes = forged.unparse(resolved=False).replace(b"/Contents /Null",
                                                              b"/Contents %d 0 R" % drawn)
        trailer = pdf.trailer
        root, info, ids = trailer.Root.objgen[0], trailer.Info.objgen[0], trailer.ID.unparse()
        page_number = first.objgen[0]
    packed = zlib.compress(drawing)
    streams[drawn] = (b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
                      + b"\nendstream")
    order = sorted(plain)
    bodies, labels = [plain[n] for n in order] + [forged_bytes], order + [unused]
    places, at = [], 0
    for body in bodies:
        places.append(at)
        at += len(body) + 1
    header = b" ".join(b"%d %d" % pair for pair in zip(labels, places)) + b"\n"
    packed = zlib.compress(header + b"".join(body + b"\n" for body in bodies))
    streams[group] = (b"<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>\n"
                      b"stream\n" % (len(bodies), len(header), len(packed)) + packed
                      + b"\nendstream")
    position = {n: i for i, n in enumerate(order)}
    position[page_number] = len(bodies) - 1
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), {}
    for number in sorted(streams):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + streams[number] + b"\nendobj\n"
    size = unused
    rows = []
    for number in range(size):
        if number in offsets:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\0\0")
        elif number in position:
            rows.append(b"\x02" + group.to_bytes(4, "big") + position[number].to_bytes(2, "big"))
        elif number == index_number:
            rows.append(b"\x01" + len(out).to_bytes(4, "big") + b"\0\0")
        else:
            rows.append(b"\0" * 7)
    data = b"".join(rows)
    start = len(out)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R /Info %d 0 R /ID %s "
            b"/Length %d >>\nstream\n" % (index_number, size, root, info, ids, len(data))
            + data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)
    return bytes(out)


def in_two_sections(made: bytes) -> bytes:
    """The plain table with a /Prev to a second, empty section: readers that combine sections
    in another order would read another object."""
    raw = classic(made)
    last = raw.rfind(b"startxref")
    index = int(re.match(rb"startxref\s+(\d+)", raw[last:]).group(1))
    return raw[:last].replace(b"trailer <<", b"trailer << /Prev %d" % index, 1) + raw[last:]


def _replace_object(raw: bytes, number: int, written: bytes) -> bytes:
    """A plain-table file with one object written anew (`written`, from "N 0 obj" to
    "endobj"), every offset after it moved."""
    last = raw.rfind(b"startxref")
    index = int(re.match(rb"startxref\s+(\d+)", raw[last:]).group(1))
    rows = raw.index(b"\n", raw.index(b"\n", index) + 1) + 1  # past "xref" and "0 N"
    count = int(raw[index:rows].split()[2])
    offsets = [int(raw[rows + 20 * n:rows + 20 * n + 10]) for n in range(count)]
    start = offsets[number]
    end = raw.index(b"endobj", start) + len(b"endobj")
    shift = len(written) - (end - start)
    table = b"".join(raw[rows + 20 * n:rows + 20 * n + 20] if offsets[n] <= start else
                     b"%010d" % (offsets[n] + shift) + raw[rows + 20 * n + 10:rows + 20 * n + 20]
                     for n in range(count))
    rest = raw[rows + 20 * count:last]
    return (raw[:start] + written + raw[end:index] + raw[index:rows] + table + rest
            + b"startxref\n%d\n%%%%EOF\n" % (index + shift))


def stream_begun_twice(made: bytes) -> tuple[bytes, str]:
    """The metadata stream written "stream A\\nB": qpdf starts its data at A (the packet as
    made, packed so that no line end is in it), pdf.js and poppler at B (a packet with another
    title). Returns the file and the title a viewer shows."""
    raw = classic(made)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        stream = pdf.Root.Metadata
        number, packet = stream.objgen[0], stream.read_bytes()
        title = str(pdf.docinfo.Title)
    forged_title = title + " - " + BANNER
    forged = packet.replace(title.encode(), forged_title.encode())
    plain = packet.replace(b"\r", b" ").replace(b"\n", b" ")
    for pad in range(500):  # stored (unpacked) deflate blocks: only its frame may hold a line end
        first = zlib.compress(plain + b" " * pad, 0)
        if b"\n" not in first and b"\r" not in first:
            break
    second = zlib.compress(forged)
    data = first + b"\n" + second
    written = (b"%d 0 obj\n<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length %d >>\n"
               b"stream " % (number, len(data)) + data + b"\nendstream\nendobj")
    return _replace_object(raw, number, written), forged_title


def _saved(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def annotations_on_the_list(made: bytes) -> bytes:
    """A stamp put on the list of pages, not on any page: pdf.js draws it on every page that
    has no annotations of its own (the cover has none), qpdf reads no page's annotations there
    (an eighth outsider's)."""
    with pikepdf.open(io.BytesIO(made)) as pdf:
        stamp = pdf.make_stream(b"q 1 0 0 rg 0 0 300 40 re f Q BT /FX 20 Tf 10 10 Td ("
                                + BANNER.encode() + b") Tj ET")
        stamp.Type, stamp.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        stamp.BBox = [0, 0, 300, 40]
        stamp.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(FX=pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))
        pdf.Root.Pages.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Stamp, F=132,
                               Rect=[100, 400, 400, 440],
                               AP=pikepdf.Dictionary(N=stamp)))]))
        return _saved(pdf)


def size_from_a_list_and_null_on_the_page(made: bytes) -> bytes:
    """The cover's size moved to a list of pages holding it alone, and the cover's own written
    as null: qpdf takes a null for no key and gives the cover the list's size, pdf.js stops at
    the null and shows the cover at its default (Letter) size."""
    with pikepdf.open(io.BytesIO(made)) as pdf:
        root, cover = pdf.Root.Pages, pdf.pages[0].obj
        middle = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Pages, Count=1, Parent=root, Kids=pikepdf.Array([cover]),
            MediaBox=cover.MediaBox))
        cover.MediaBox = pikepdf.Name("/NullXXXX")
        root.Kids = pikepdf.Array([middle, *list(root.Kids)[1:]])
        cover.Parent = middle
        data = _saved(pdf)
    return data.replace(b"/MediaBox /NullXXXX", b"/MediaBox null     ", 1)


def data_under_another_filter(made: bytes) -> bytes:
    """data.json's bytes as stored, said to be run-length encoded: the check reads them as
    they are, a viewer unpacks them into other data."""
    with pikepdf.open(io.BytesIO(made)) as pdf:
        stream = pdf.attachments["data.json"].obj.EF.F
        stream.write(stream.read_bytes(), filter=pikepdf.Name.RunLengthDecode, type_check=False)
        return _saved(pdf)


def reference_to_another_generation(made: bytes) -> bytes:
    """A key on the cover referring to the document information as generation 1: qpdf reads
    null (no such object), pdf.js the information dictionary it holds under generation 0."""
    with pikepdf.open(io.BytesIO(made)) as pdf:
        info = pdf.trailer.Info.objgen[0]
        pdf.pages[0].obj.PieceInfo = pikepdf.Name("/XXXXXXXXXX")
        data = _saved(pdf)
    written = b"/PieceInfo %d 1 R" % info
    return data.replace(b"/PieceInfo /XXXXXXXXXX", written.ljust(len(b"/PieceInfo /XXXXXXXXXX")), 1)


def filter_said_as_f(made: bytes) -> bytes:
    """The cover's drawing packed as one stored (unpacked) deflate block, the page drawn once
    more after the packed data's end, and "/F []" in its dictionary: pdf.js takes /F for the
    filter (none), so reads the bytes as they are, the second drawing too; qpdf and zlib read
    the packed drawing and stop at its end (a ninth outsider's)."""
    import struct

    with pikepdf.open(io.BytesIO(made)) as pdf:
        stream = pdf.pages[0].Contents
        drawing = stream.read_bytes()
        for pad in range(20000):  # a checksum of letters only: pdf.js skips them as operators
            packed_drawing = drawing + b" " * pad
            check = struct.pack(">I", zlib.adler32(packed_drawing))
            if check.isalpha():
                break
        packed = (b"\x78\x01\x01" + struct.pack("<HH", len(packed_drawing),
                                                len(packed_drawing) ^ 0xFFFF)
                  + packed_drawing + check + b"\nq 1 0 0 1 0 -40 cm\n" + drawing + b"\nQ\n")
        stream.write(packed, filter=pikepdf.Name.FlateDecode, type_check=False)
        stream.F = pikepdf.Array()
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none, recompress_flate=False)
        return out.getvalue()


def title_with_a_lone_surrogate(made: bytes) -> bytes:
    """The document information's title in UTF-16 with a lone surrogate after its first word:
    qpdf drops the surrogate and reads the title as made, pdf.js gives up on the UTF-16 and
    shows other text (a tenth outsider's, who also redirected a contents link this way)."""
    with pikepdf.open(io.BytesIO(made)) as pdf:
        title = str(pdf.docinfo.Title)
        first = title.split(" ")[0]
        pdf.docinfo.Title = pikepdf.String(b"\xff\xfe" + first.encode("utf-16-le") + b"\x1b\xd8"
                                           + title[len(first):].encode("utf-16-le"))
        return _saved(pdf)


def title_with_high_octal_escapes(made: bytes) -> bytes:
    """The title's name written with octal escapes above \\377: qpdf keeps each one's low byte
    (the name as made), pdf.js the whole code (letters 256 further on: "Ŕ" for "T"); an
    eleventh outsider's."""
    with pikepdf.open(io.BytesIO(made)) as pdf:
        title = str(pdf.docinfo.Title)
        placeholder = b"Q" * (4 * len(title))
        pdf.docinfo.Title = pikepdf.String(placeholder)
        data = _saved(pdf)
    escaped = b"".join(b"\\%03o" % (ord(char) + 256) if char.isascii() and char.isalpha()
                       else char.encode("latin-1").ljust(4, b" ") if char == " " else
                       b"\\%03o" % ord(char) for char in title)
    assert len(escaped) == len(placeholder), "one escape of four bytes a letter"
    return data.replace(b"(" + placeholder + b")", b"(" + escaped + b")", 1)
