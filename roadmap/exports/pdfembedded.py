"""The archival PDF's two embedded files read strictly, as a viewer might read them, and its
page tree's counts.

pikepdf's attachments dictionary is one reader's view: it keeps one entry per name and reads
an embedded file's /UF stream, while another viewer (poppler's pdfdetach) reads /F, and every
viewer shows a file's name and description. So the name tree is walked here (flat /Names and
/Kids), and the file is not intact unless data.json and signatures.json are listed once each,
the associated files (/AF) are exactly those two, each file specification names itself as
made, holds one copy of its file, and relates and describes it as the service does.

A page tree's /Count is what most viewers trust for the number of pages: a tree that says 1
while its /Kids hold 49 shows one page in those viewers and 49 in a checker that walks /Kids.
Name and number trees likewise: a viewer looks an entry up by /Limits, a checker walks /Kids.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pikepdf

from roadmap.exports.pdfxmp import quoted
from roadmap.exports.pdfresources import lineage

DATA_NAME = "data.json"
MANIFEST_NAME = "signatures.json"
# As archival.py and pdffile.attach make them (never changed since the first archival file).
DATA_DESCRIPTION = "The portfolio of {name} as data (JSON; schema in the ZIP export)"
MANIFEST_DESCRIPTION = ("What was signed and approved, and the digests that hold this file to "
                        "it, signed by the service")
RELATIONSHIP = {DATA_NAME: "/Source", MANIFEST_NAME: "/Data"}
WHAT = {DATA_NAME: "the embedded data (data.json)",
        MANIFEST_NAME: "the embedded signatures (signatures.json)"}
_DEPTH = 32  # a name tree or page tree deeper than this is not one a PDF writer makes

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


def page_count_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Every page tree node's /Count against the pages under it, each node's kind against its
    place, and each page's way up the tree, in words."""
    wrong: list[tuple[Any, Any, int]] = []  # (node, its /Count, the pages under it)
    shapes: list[str] = []

    def leaves(node: Any, depth: int, seen: set) -> int:
        if not isinstance(node, pikepdf.Dictionary) or depth > _DEPTH:
            return 0
        if node.is_indirect:
            if node.objgen in seen:
                return 0
            seen.add(node.objgen)
        kind = node.get("/Type")
        if "/Kids" in node and kind == pikepdf.Name.Page:
            shapes.append(_PAGE_WITH_KIDS)
        elif "/Kids" in node and kind != pikepdf.Name.Pages:
            shapes.append(_NOT_A_BRANCH)
        elif "/Kids" not in node and kind not in (pikepdf.Name.Page, pikepdf.Name.Pages):
            shapes.append(_NOT_A_PAGE)
        if kind != pikepdf.Name.Pages and "/Kids" not in node:
            return 1
        total = sum(leaves(kid, depth + 1, seen) for kid in node.get("/Kids") or [])
        count = node.get("/Count")
        if not isinstance(count, int) or int(count) != total:
            wrong.append((node, count, total))
        return total

    root = pdf.Root.get("/Pages")
    total = leaves(root, 0, set())
    # qpdf mends a node's /Type on opening (so `shapes` rarely sees one) and says so.
    for warning in pdf.get_warnings():
        if "/Type key should be /Pages but is not" in str(warning):
            shapes.append(_PAGE_WITH_KIDS)
        elif "/Type key should be /Page but is not" in str(warning):
            shapes.append(_NOT_A_PAGE)
    problems = list(dict.fromkeys(shapes))
    if any(lineage(page.obj)[1] for page in pdf.pages):
        problems.append(_PARENT_LOOP)
    if not wrong:
        return problems
    said = root.get("/Count") if isinstance(root, pikepdf.Dictionary) else None
    if isinstance(said, int) and int(said) != total:
        said = int(said)
        shown = ("a viewer would show only the first." if said == 1
                 else f"a viewer would show only the first {said}." if 0 < said < total
                 else "a viewer may show none of them." if said <= 0
                 else "a viewer may show blank or missing pages.")
        return problems + [f"The file says it has {said} page{'' if said == 1 else 's'}, but "
                           f"has {total}: " + shown]
    # An inner node that lies: a viewer (pdf.js) finds page N by these counts, so it may show
    # another page than the one checked as page N.
    _, said, holds = next((w for w in wrong if w[0] is not root), wrong[0])
    said = (f"{int(said)} page{'' if int(said) == 1 else 's'}" if isinstance(said, int)
            else "no number of pages")
    return problems + [f"Part of the file's list of pages says it holds {said} but holds "
                       f"{holds} (of {total}): a PDF viewer that finds a page by these counts "
                       "may show other pages than the ones checked, or skip or repeat some."]


# A node of the page tree is a page (/Type /Page, no /Kids) or a list of pages (/Type /Pages
# with /Kids). A "page" with /Kids is drawn by some viewers (poppler, pdf.js) with its own
# content while others (qpdf, so the digests) read the pages under it instead.
_PAGE_WITH_KIDS = ("The file's list of pages has a page that also holds other pages: one PDF "
                   "viewer would show that page and another the pages under it.")
_NOT_A_BRANCH = _PAGE_WITH_KIDS
_NOT_A_PAGE = ("The file's list of pages has an entry that does not say it is a page: PDF "
               "viewers may show different pages.")
_PARENT_LOOP = ("The file's list of pages is damaged: a page's place in it leads back to itself, "
                "so a PDF viewer may stop responding or show the page differently.")


# Name trees (/Names: the embedded files, named destinations...) and number trees (page
# labels, the tags' parent tree) as the service writes them: one node each, keys in order. A
# viewer looks a key up by each node's /Limits (the first and last key under it) and a binary
# search; a checker walks every node. /Limits that lie, keys out of order or a /Kids loop make
# the two see different entries (or the viewer none, or never stop), so each is not intact.
_TREES = {"/Dests": "named destinations", "/EmbeddedFiles": "embedded files",
          "/JavaScript": "scripts", "/AP": "appearances", "/Pages": "named pages",
          "/Templates": "templates", "/IDS": "web captures", "/URLS": "web captures",
          "/AlternatePresentations": "alternate presentations", "/Renditions": "renditions"}
_TREE_NODES = 10_000  # no portfolio's tree has more than a few hundred keys in one node


def _key(value: Any, entries: str) -> Any:
    """A tree's key as compared: a name tree's are strings (by their bytes), a number tree's
    integers; None for anything else."""
    if entries == "/Names":
        return bytes(value) if isinstance(value, pikepdf.String) else None
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _tree_problem(root: Any, entries: str) -> Optional[str]:
    """What is wrong with one name or number tree (`entries`: "/Names" or "/Nums"), if
    anything: a key for _TREE_WORDS. Walked with a stack of its own, each node once."""
    seen: set[tuple[int, int]] = set()
    keys: list[Any] = []  # every key in the order a walk of the tree meets it
    starts: list[int] = []  # where each open node's keys begin in `keys`
    todo: list[tuple[Any, int, bool]] = [(root, 0, False)]  # (node, depth, its kids are done)
    nodes, limits_wrong = 0, False
    while todo:
        node, depth, done = todo.pop()
        if done:  # the keys under it are known: its /Limits must be the first and the last
            under = keys[starts.pop():]
            limits = node.get("/Limits")
            if limits is not None or depth > 0:  # the root has none; every other node has
                bounds = ([_key(item, entries) for item in limits]
                          if isinstance(limits, pikepdf.Array) else None)
                limits_wrong |= not under or bounds != [under[0], under[-1]]
            continue
        nodes += 1
        if not isinstance(node, pikepdf.Dictionary):
            return "damaged"
        if depth > _DEPTH or nodes > _TREE_NODES:
            return "deep"
        if node.is_indirect:
            if node.objgen in seen:  # a /Kids loop, or one node listed twice
                return "loop"
            seen.add(node.objgen)
        starts.append(len(keys))
        todo.append((node, depth, True))
        items = node.get(entries)
        if items is not None:
            if not isinstance(items, pikepdf.Array) or len(items) % 2:
                return "damaged"
            found = [_key(item, entries) for item in list(items)[::2]]
            if any(key is None for key in found):
                return "damaged"
            keys += found
        kids = node.get("/Kids")
        if kids is not None:
            if not isinstance(kids, pikepdf.Array):
                return "damaged"
            todo += [(kid, depth + 1, False) for kid in reversed(list(kids))]
    if limits_wrong:
        return "limits"
    return "order" if any(a >= b for a, b in zip(keys, keys[1:])) else None


_TREE_WORDS = {
    "loop": "is damaged: part of it leads back to itself, so a PDF viewer may stop responding "
            "or show other entries than the ones checked.",
    "deep": "is larger or nested deeper than any PDF writer makes it: PDF viewers may show "
            "other entries than the ones checked.",
    "damaged": "is damaged: PDF viewers may show other entries than the ones checked.",
    "limits": "has an index (/Limits) that does not match the entries under it: a PDF viewer "
              "looking an entry up may find another one, or none.",
    "order": "is out of order or names an entry twice: a PDF viewer looking an entry up may "
             "find another one, or none.",
}


def tree_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Every name tree under /Names and the page labels and the tags' parent tree (number
    trees), each walked with a guard against loops and depth, in words."""
    trees: list[tuple[str, Any, str]] = []
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        trees += [(_TREES.get(key, f"names ({key.lstrip('/')})"), names[key], "/Names")
                  for key in sorted(names.keys())]
    if "/PageLabels" in pdf.Root:
        trees.append(("page labels", pdf.Root.PageLabels, "/Nums"))
    struct = pdf.Root.get("/StructTreeRoot")
    if isinstance(struct, pikepdf.Dictionary) and "/ParentTree" in struct:
        trees.append(("tags' links to the pages", struct.ParentTree, "/Nums"))
    problems = []
    for what, root, entries in trees:
        found = _tree_problem(root, entries)
        if found is not None:
            problems.append(f"The file's list of {what} {_TREE_WORDS[found]}")
    return problems
