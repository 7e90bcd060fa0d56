"""Hostile values for form fields, files and query arguments, as hypothesis strategies.

Each field gets, example by example, what its page would send, a hostile value, nothing at
all, or several values; now and then a field the form does not have is added.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from typing import Any, Iterator

from hypothesis import strategies as st

from roadmap.cohorts.csv_import import COLUMNS
from tests.fuzz.crawl import Field, Variant

NUMBERS = ["100000000000000000000000", "-1", "0", "abc", "1e9", "", "2147483648",
           "9223372036854775808", "18446744073709551616", "1.5", "NaN", "-Infinity", " 7 ",
           "\u0663", "\uff11\uff12", "0x10", "1_000", "+1", "00000000000000000000001"]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "31/12/9999", "01/01/0001", "30/02/2026",
         "1899-12-31", "2101-01-01", "10000-01-01", "-2026-01-01", "2026-13-45", "00/00/0000",
         "23/11/2026 12:00", "today", "1/1/1", "2026-02-29", "29/02/2025"]
CONTROL = ["\x00", "a\x00b", "\r\n", "name\r\nBcc: victim@example.com", "\u202eevil\u202c.pdf",
           "\u200f\u200e", "\ufeff", "\x1b[31mred", "\x7f\x08\x0c", "\t \n", "\u2028\u2029", " "]
SCRIPTS = ["\u540d\u524d", "\U0001f642", "\u091a\u093f\u0902\u0924\u0928",
           "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
           "\u05e9\u05dc\u05d5\u05dd", "\U0001f469\U0001f3fd\u200d\u2695\ufe0f",
           "Z\u0334\u0321\u0327a\u0336l\u0338g\u0337o", "\U0001d573\U0001d58a", "\u0130\u00df",
           "\ufdfa", "\u0301"]
EMAILS = ["\xb8Lp\x96\xfc\xe9@", "ext\r\nBcc:someone@example.nhs.uk", "a@b", "a@\u540d\u524d.nhs.uk",
          "\u540d\u524d@example.nhs.uk", "a" * 300 + "@example.nhs.uk", "\"a b\"@nhs.net",
          "a@-nhs.net", " CANDIDATE1@EXAMPLE.NHS.UK ", "candidate1@example.nhs.uk", "a@@nhs.net"]
WEB = ["<script>alert(1)</script>", "' OR '1'='1' --", "{{7*7}}", "%s%n%x", "../../etc/passwd",
       "javascript:alert(1)", "//evil.example", "/\\evil.example", "a@b", "@", "a" * 201,
       "x@example.nhs.uk" + "\x00", "=HYPERLINK(\"http://evil.example\")", "None", "null"]
HOSTILE_TEXT = [*NUMBERS, *DATES, *CONTROL, *SCRIPTS, *EMAILS, *WEB]
# About 1 MB, over the form size limit (refused whole), and just under it (reaches the
# validators). A query string gets the longest a proxy lets through (about 8 KB) instead.
BIG = ["x" * 1_000_000, "\u540d" * 340_000, "\u540d\U0001f642 " * 40_000, "y" * 400_000]
LONG_QUERY = ["x" * 4000, "\u540d" * 700, "\U0001f642\u202e" * 300]
INVALID_UTF8 = [b"\xff\xfe", b"\xc0\xaf", b"%", b"\xed\xa0\x80"]


DATE_PARTS = ("day", "month", "year")  # the three boxes of a date input: <name>-day and so on


def _kind(field: Field) -> str:
    """What a field holds, from its input type and name: date (or one of its three boxes),
    number, email or text."""
    name = field.name.lower()
    if name.rpartition("-")[2] in DATE_PARTS and "-" in name:
        return name.rpartition("-")[2]
    if field.kind == "date" or name.endswith("_on") or "date" in name:
        return "date"
    if field.kind == "email" or "email" in name:
        return "email"
    if field.kind == "number" or name.endswith(("_id", "version")) or name in {"page", "fte"}:
        return "number"
    return "text"


SPECIFIC = {"date": DATES, "email": EMAILS, "number": NUMBERS,
            **{part: [*NUMBERS, *DATES] for part in DATE_PARTS}}


def hostile_value(field: Field | None = None) -> st.SearchStrategy[Any]:
    """One hostile value: often one made for the field's kind (far dates for a date, huge and
    non-numeric numbers for an id), else any listed attack, bytes that are not UTF-8, or
    random text."""
    general = [st.sampled_from(HOSTILE_TEXT), st.sampled_from(HOSTILE_TEXT),
               st.sampled_from(INVALID_UTF8),
               st.text(st.characters(exclude_categories=("Cs",)), max_size=30)]
    specific = SPECIFIC.get(_kind(field)) if field is not None else None
    return st.one_of(*([st.sampled_from(specific)] * 3 if specific else []), *general)


def plausible(field: Field) -> st.SearchStrategy[str]:
    """What a person would type into an empty field of this kind; names and addresses new
    each time, so a form that refuses repeats still gets through."""
    kind = _kind(field)
    if kind == "date":
        return st.just(dt.date.today().isoformat())
    if kind in DATE_PARTS:
        return st.just(str(getattr(dt.date.today(), kind)))
    if kind == "email":
        return st.integers(0, 10**9).map("fuzz.person{}@example.nhs.uk".format)
    if kind == "number":
        return st.just("1")
    return st.integers(0, 10**9).map("Fuzz text {}".format)


def csv_text() -> st.SearchStrategy[str]:
    """A CSV of the import's columns with a few rows of plausible and hostile cells."""
    cell = st.one_of(st.sampled_from(["", "Alex Example", "fuzz.row@example.nhs.uk", "portfolio",
                                      "06/01/2026", "supervisor1@example.nhs.uk",
                                      "candidate1@example.nhs.uk", "taught"]),
                     st.sampled_from(HOSTILE_TEXT))

    def write(rows: list[list[str]]) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return out.getvalue()

    return st.lists(st.lists(cell, min_size=len(COLUMNS) - 2, max_size=len(COLUMNS) + 1),
                    max_size=3).map(write)


def upload() -> st.SearchStrategy[tuple[bytes, str]]:
    """A file: content that claims to be one thing and is another, under a hostile name."""
    content = st.one_of(
        st.sampled_from([b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"%PDF-1.4\n%%EOF\n" + b"x" * 32,
                         b"\xff\xd8\xff\xe0" + b"\x00" * 32, b"PK\x03\x04" + b"\x00" * 40]),
        csv_text().map(str.encode), st.binary(max_size=256))
    name = st.sampled_from(["evidence.pdf", "", "\u540d\u524d.png", "a\r\nb.pdf", "nul\x00.png",
                            "../../etc/passwd", "x" * 300 + ".pdf", "import.csv",
                            "\u202egpj.exe", "photo.jpg", "letter.docx"])
    return st.tuples(content, name)


def one(field: Field, hostile: bool) -> st.SearchStrategy[Any]:
    """One value for a field: the page's own (or a plausible one), or a hostile one."""
    if field.kind == "file":
        return upload()
    if field.kind == "csv":
        return csv_text() if not hostile else st.one_of(csv_text(), hostile_value())
    if hostile:
        return hostile_value(field)
    offered = [v for v in field.values if v]
    typed = st.one_of(st.just(""), plausible(field)) if field.optional else plausible(field)
    choices = [st.sampled_from(offered) if offered else typed]
    return st.one_of(*choices, st.sampled_from(field.known)) if field.known else choices[0]


# What breaks each kind of field most often; every such field of a form gets each, alone.
SWEEP = {"number": ["100000000000000000000000", "abc"], "date": ["9999-12-31", "31/12/9999"],
         "email": ["ext\r\nBcc:someone@example.nhs.uk"]}
_fresh = itertools.count()


def page_value(field: Field) -> Any:
    """One value the page would send for the field (or a person would type into it)."""
    if field.kind == "file":
        return (b"%PDF-1.4\n%%EOF\n", "evidence.pdf")
    offered = [v for v in field.values if v]
    if offered:
        return offered[0]
    if field.optional:
        return ""
    return {"date": dt.date.today().isoformat(), "number": "1",
            "email": f"fuzz.sweep{next(_fresh)}@example.nhs.uk"}.get(_kind(field), "Fuzz text")


def sweep(variant: Variant, done: set[str]) -> Iterator[list[tuple[str, Any]]]:
    """For each date, number and email field not yet in `done`, each of SWEEP's values with
    the rest as sent; for each list of boxes, one box ticked twice. Adds the fields to `done`."""
    page = {name: page_value(field) for name, field in variant.fields.items()}
    for name, field in variant.fields.items():
        if name in done or field.kind in {"file", "csv"}:
            continue
        done.add(name)
        if field.kind == "checkbox":
            yield [*page.items(), (name, page[name])]
        for value in SWEEP.get(_kind(field), []) if field.kind != "checkbox" else []:
            yield [(other, value if other == name else page_value(f))
                   for other, f in variant.fields.items()]


@st.composite
def attacked(draw: Any, names: list[str]) -> set[str]:
    """Which fields get hostile values: mostly one (the rest as the page would send them, so
    the request reaches the code behind the form), sometimes several, sometimes all."""
    if not names:
        return set()
    style = draw(st.sampled_from(["one", "one", "one", "some", "all"]))
    if style == "one":
        return {draw(st.sampled_from(names))}
    return set(names) if style == "all" else set(draw(st.lists(st.sampled_from(names), unique=True)))


@st.composite
def body(draw: Any, variant: Variant, vocabulary: list[str],
         in_query: bool = False) -> list[tuple[str, Any]]:
    """The name and value pairs of one request, in order, repeated names allowed."""
    pairs: list[tuple[str, Any]] = []
    targets = draw(attacked(list(variant.fields)))
    big = draw(st.integers(0, 3)) == 0  # a quarter of requests carry one huge value
    for name, field in variant.fields.items():
        if name not in targets:
            if field.kind == "checkbox" and len(field.values) > 1:
                chosen = draw(st.lists(st.sampled_from(field.values), max_size=3, unique=True))
                pairs.extend((name, value) for value in chosen)
            else:
                pairs.append((name, draw(one(field, hostile=False))))
            continue
        if big and field.kind not in {"file", "csv"}:
            big = False
            pairs.append((name, draw(st.sampled_from(LONG_QUERY if in_query else BIG))))
            continue
        mode = draw(st.sampled_from(["hostile"] * 4 + ["missing", "many"]))
        count = 0 if mode == "missing" else draw(st.integers(2, 3)) if mode == "many" else 1
        for _ in range(count):
            pairs.append((name, draw(one(field, hostile=True))))
    # A form without fields of its own gets some of the site's; any form, now and then.
    extra = draw(st.integers(1, 3)) if not variant.fields else int(draw(st.integers(0, 9)) == 0)
    for _ in range(extra if vocabulary else 0):
        pairs.append((draw(st.sampled_from(vocabulary)), draw(hostile_value())))
    return pairs
