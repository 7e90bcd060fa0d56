"""The archival PDF's page tree and its name and number trees, checked as a viewer reads them.

A page tree's /Count is what most viewers trust for the number of pages: a tree that says 1
while its /Kids hold 49 shows one page in those viewers and 49 in a checker that walks /Kids.
Name and number trees likewise: a viewer looks an entry up by /Limits, a checker walks /Kids.
"""
from __future__ import annotations

from typing import Any, Optional

import pikepdf

from roadmap.exports.pdfresources import lineage
from roadmap.exports.quoting import quoted

_DEPTH = 32  # a page tree or name tree deeper than this is not one a PDF writer makes


def page_count_problems(pdf: pikepdf.Pdf, warnings: list[str]) -> list[str]:
    """Every page tree node's /Count against the pages under it, each node's kind against its
    place, and each page's way up the tree, in words. `warnings`: what qpdf said as it opened
    the file and its list of pages."""
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
            if not all(key in node for key in _OWN):
                shapes.append(_INHERITS)
            return 1
        total = sum(leaves(kid, depth + 1, seen) for kid in node.get("/Kids") or [])
        count = node.get("/Count")
        if not isinstance(count, int) or int(count) != total:
            wrong.append((node, count, total))
        return total

    root = pdf.Root.get("/Pages")
    total = leaves(root, 0, set())
    # qpdf mends a node's /Type on opening (so `shapes` rarely sees one) and says so.
    for warning in warnings:
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
# Each page carries its own resources and size (a list of pages carries nothing a page could
# take from it: pdfrefs reads that as written, since qpdf moves it into the pages on opening).
_OWN = ("/Resources", "/MediaBox")
_INHERITS = ("A page of the file does not carry its own resources or size but takes them from "
             "the list of pages, which PDF viewers do in different ways: a viewer may show it "
             "otherwise than the check reads it.")
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
        trees += [(_TREES.get(key, f"names (“{quoted(key.lstrip('/'), 60)}”)"), names[key], "/Names")
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
