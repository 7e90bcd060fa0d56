"""The archival PDF's two embedded files read strictly, as a viewer might read them.

pikepdf's attachments dictionary is one reader's view: it keeps one entry per name and reads
an embedded file's /UF stream, while another viewer (poppler's pdfdetach) reads /F, and every
viewer shows a file's name and description. So the name tree is walked here (flat /Names and
/Kids), and the file is not intact unless data.json and signatures.json are listed once each,
the associated files (/AF) are exactly those two, each file specification names itself as
made, holds one copy of its file, and relates and describes it as the service does.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pikepdf

from roadmap.exports.quoting import quoted

DATA_NAME = "data.json"
MANIFEST_NAME = "signatures.json"
# As archival.py and pdffile.attach make them (never changed since the first archival file).
DATA_DESCRIPTION = "The portfolio of {name} as data (JSON; schema in the ZIP export)"
MANIFEST_DESCRIPTION = ("What was signed and approved, and the digests that hold this file to "
                        "it, signed by the service")
RELATIONSHIP = {DATA_NAME: "/Source", MANIFEST_NAME: "/Data"}
WHAT = {DATA_NAME: "the embedded data (data.json)",
        MANIFEST_NAME: "the embedded signatures (signatures.json)"}
_DEPTH = 32  # a name tree deeper than this is not one a PDF writer makes

Decoder = Callable[[Any, int, str], bytes]


@dataclass
class Embedded:
    """Our two embedded files' bytes (the first listing of each) and what is wrong around them."""

    data: Optional[bytes] = None
    manifest: Optional[bytes] = None
    problems: list[str] = field(default_factory=list)
    descriptions: dict[str, Optional[str]] = field(default_factory=dict)  # checked with data.json


def _listed(node: Any, found: list[tuple[str, Any]], depth: int, seen: set) -> None:
    """Every (name, file specification) of a name tree, in order, duplicates kept."""
    if not isinstance(node, pikepdf.Dictionary) or depth > _DEPTH:
        return
    if node.is_indirect:
        if node.objgen in seen:
            return
        seen.add(node.objgen)
    names = node.get("/Names")
    if isinstance(names, pikepdf.Array):
        items = list(names)
        for at in range(0, len(items) - 1, 2):
            found.append((str(items[at]), items[at + 1]))
    for kid in node.get("/Kids") or []:
        _listed(kid, found, depth + 1, seen)


def _same(a: Any, b: Any) -> bool:
    if a.is_indirect and b.is_indirect:
        return a.objgen == b.objgen
    return a is b


def _stream(spec: Any, name: str, decoded: Decoder, largest: int,
            problems: list[str]) -> Optional[bytes]:
    """The file's bytes; a problem when its /F and /UF streams differ (viewers read either)."""
    ef = spec.get("/EF")
    if not isinstance(ef, pikepdf.Dictionary):
        return None
    streams = [ef[key] for key in ("/UF", "/F") if key in ef]
    if not streams:
        return None
    contents = [decoded(stream, largest, f"embedded {name}") for stream in streams]
    for stream, content in zip(streams, contents):
        problems += _stream_record(stream, name, content)
    if len(contents) == 2 and not _same(*streams) and contents[0] != contents[1]:
        problems.append(f"{WHAT[name][0].upper()}{WHAT[name][1:]} holds two different copies: "
                        "one PDF viewer would show one and another viewer the other.")
    return contents[0]


# What the service writes in each embedded file's record (WeasyPrint for data.json,
# pikepdf.AttachedFileSpec in pdffile.attach for signatures.json); a re-save keeps these. Any
# other entry is something a viewer may act on: a related file (/RF), a collection item (/CI),
# a URL file system (/FS), names or copies for other systems (/DOS, /Unix, /Mac).
_SPEC_KEYS = {"/Type", "/F", "/UF", "/EF", "/Desc", "/AFRelationship"}
_EF_KEYS = {"/F", "/UF"}
_STREAM_KEYS = {"/Type", "/Subtype", "/Params", "/Length", "/Filter", "/DecodeParms"}
_PARAMS_KEYS = {"/Size", "/CheckSum", "/CreationDate", "/ModDate"}
_SUBTYPE = "/application/json"


def _what(name: str) -> str:
    return f"{WHAT[name][0].upper()}{WHAT[name][1:]}"


def _added(keys: Any, allowed: set[str], name: str) -> list[str]:
    return [f"{_what(name)} has “{quoted(key)}” added to its file record since the file was "
            "made: a PDF viewer may show or open something other than the file checked."
            for key in sorted(set(keys) - allowed)]


def _stream_record(stream: Any, name: str, content: bytes) -> list[str]:
    """The embedded file's stream dictionary as made: its kind, and the size, checksum and
    dates a viewer shows, consistent with the content (both files are made with their
    modification date equal to their creation date)."""
    problems = _added(stream.keys(), _STREAM_KEYS, name)
    filters = stream.get("/Filter")
    if (filters is not None and filters != pikepdf.Name.FlateDecode) or "/DecodeParms" in stream:
        # The check reads it as stored or inflated; a viewer unpacks any filter, and another
        # filter over the same bytes gives a viewer other data than the data checked.
        problems.append(f"{_what(name)} is stored in another form than the service stores it, "
                        "which a PDF viewer may unpack into other data than the data checked.")
    if stream.get("/Type", pikepdf.Name.EmbeddedFile) != pikepdf.Name.EmbeddedFile or str(
            stream.get("/Subtype")) != _SUBTYPE:
        kind = quoted(str(stream.get("/Subtype")))
        problems.append(f"{_what(name)} is said to be of another kind (“{kind}”) than the service "
                        "made it.")
    params = stream.get("/Params")
    if params is None:
        return problems
    if not isinstance(params, pikepdf.Dictionary):
        return problems + [f"{_what(name)}'s file record is damaged."]
    problems += _added(params.keys(), _PARAMS_KEYS, name)
    size, checksum = params.get("/Size"), params.get("/CheckSum")
    created, modified = params.get("/CreationDate"), params.get("/ModDate")
    if ((size is not None and (not isinstance(size, int) or int(size) != len(content)))
            or (checksum is not None and (not isinstance(checksum, pikepdf.String)
                                          or bytes(checksum) != hashlib.md5(content).digest()))
            or (modified is not None and str(modified) != str(created))):
        problems.append(f"{_what(name)}'s size, checksum or dates as a PDF viewer shows them "
                        "have been changed since the file was made.")
    return problems


def _record(spec: Any, name: str) -> list[str]:
    """The file specification and its /EF hold only what the service writes."""
    problems = _added(spec.keys(), _SPEC_KEYS, name)
    if spec.get("/Type", pikepdf.Name.Filespec) != pikepdf.Name.Filespec:
        problems.append(f"{_what(name)}'s file record has been changed since the file was made.")
    ef = spec.get("/EF")
    if isinstance(ef, pikepdf.Dictionary):
        problems += _added(ef.keys(), _EF_KEYS, name)
    return problems


def read(pdf: pikepdf.Pdf, decoded: Decoder, largest: int) -> Embedded:
    """data.json's and signatures.json's bytes and every problem in how they are embedded."""
    found = Embedded()
    names = pdf.Root.get("/Names")
    listed: list[tuple[str, Any]] = []
    if isinstance(names, pikepdf.Dictionary):
        _listed(names.get("/EmbeddedFiles"), listed, 0, set())
    specs: dict[str, Any] = {}
    af = pdf.Root.get("/AF")
    associated = [entry for entry in (af if isinstance(af, pikepdf.Array) else [])
                  if isinstance(entry, pikepdf.Dictionary)]
    for name in (DATA_NAME, MANIFEST_NAME):
        mine = [spec for listed_name, spec in listed if listed_name == name]
        if not mine or not isinstance(mine[0], pikepdf.Dictionary):
            continue
        spec = mine[0]
        if len(mine) > 1:
            times = {2: "twice", 3: "three times"}.get(len(mine), f"{len(mine)} times")
            found.problems.append(
                f"{WHAT[name][0].upper()}{WHAT[name][1:]} is listed {times} in the file: one PDF "
                "viewer may show one copy and another viewer or checker another.")
            # The rest is read from the listing the associated files name (the one made).
            spec = next((one for one in mine if isinstance(one, pikepdf.Dictionary)
                         and any(_same(one, entry) for entry in associated)), spec)
        specs[name] = spec
        found.problems += _record(spec, name)
        content = _stream(spec, name, decoded, largest, found.problems)
        if name == DATA_NAME:
            found.data = content
        else:
            found.manifest = content
        for key in ("/UF", "/F"):
            shown = spec.get(key)
            if shown is not None and str(shown) != name:
                found.problems.append(f"The name a PDF viewer shows for {WHAT[name]} has been "
                                      f"changed to “{quoted(str(shown))}”.")
                break
        if str(spec.get("/AFRelationship")) != RELATIONSHIP[name]:
            found.problems.append(f"What {WHAT[name]} is to the document (its source, its "
                                  "data) as a PDF viewer shows it has been changed since the file "
                                  "was made.")
        desc = spec.get("/Desc")
        found.descriptions[name] = None if desc is None else str(desc)
    if len(specs) == 2:
        found.problems += _associated(pdf, specs)
    return found


def _associated(pdf: pikepdf.Pdf, specs: dict[str, Any]) -> list[str]:
    """/Root/AF lists exactly our two file specifications, once each."""
    af = pdf.Root.get("/AF")
    entries = list(af) if isinstance(af, pikepdf.Array) else []
    problems, matched = [], []
    for entry in entries:
        ours = [name for name, spec in specs.items() if isinstance(entry, pikepdf.Dictionary)
                and _same(entry, spec)]
        if ours:
            matched += ours
            continue
        shown = (entry.get("/UF") or entry.get("/F") if isinstance(entry, pikepdf.Dictionary)
                 else None)
        problems.append(f"The file has an attached file ({shown or 'unnamed'}) added after the "
                        "file was made.")
    if sorted(matched) != sorted(specs):
        problems.append("The file's list of associated files (the embedded data and signatures "
                        "as PDF/A lists them) has been changed since the file was made.")
    return problems


def description_problems(descriptions: dict[str, Optional[str]],
                         candidate: Optional[str]) -> list[str]:
    """Each embedded file's description (a viewer shows it beside the file) against the one the
    service writes: data.json's names the candidate as data.json does."""
    problems = []
    expected = {DATA_NAME: DATA_DESCRIPTION.format(name=candidate),
                MANIFEST_NAME: MANIFEST_DESCRIPTION}
    for name, desc in descriptions.items():
        if desc != expected[name]:
            problems.append(f"The description a PDF viewer shows for {WHAT[name]} has been "
                            + ("removed." if desc is None else f"changed to “{quoted(desc)}”."))
    return problems
