"""The fonts a PDF prints with: Debian's DejaVu and Noto families, tried in a fixed order.

Every face is declared with @font-face and read through the renderer's fenced fetcher, which
serves these files and nothing else from the font folder. A character that none of them
covers is replaced before layout by U+FFFD, a visible placeholder, so no text a person types
can fail an export. Nothing here knows Flask.
"""
from __future__ import annotations

import logging
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from fontTools.ttLib import TTFont

DEFAULT_DIR = "/usr/share/fonts"
PLACEHOLDER = "\ufffd"
_BITMAP = 0x110000 // 8  # bytes of a bitmap of every Unicode code point
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Family:
    """One CSS font family: its regular and bold files, under the font folder."""

    name: str
    regular: str
    bold: Optional[str] = None
    required: bool = False


def _noto(script: str, bold: bool = True) -> Family:
    stem = f"truetype/noto/NotoSans{script}"
    return Family(f"Roadmap {script or 'Noto'}", f"{stem}-Regular.ttf",
                  f"{stem}-Bold.ttf" if bold else None)


SANS = Family("Roadmap Sans", "truetype/dejavu/DejaVuSans.ttf",
              "truetype/dejavu/DejaVuSans-Bold.ttf", required=True)
MONO = Family("Roadmap Mono", "truetype/dejavu/DejaVuSansMono.ttf", required=True)
# Tried in this order for a character the ones before lack (Debian fonts-noto-core,
# fonts-noto-cjk, fonts-noto-color-emoji): the scripts of the languages people in the NHS
# write in, then CJK, emoji and symbols. A family whose files are not installed is left out.
FALLBACKS = (
    _noto(""),  # Latin, Greek and Cyrillic letters DejaVu lacks
    *(_noto(script) for script in (
        "Arabic", "Hebrew", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil",
        "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Khmer", "Myanmar",
        "Ethiopic", "Armenian", "Georgian", "Thaana")),
    Family("Roadmap CJK", "opentype/noto/NotoSansCJK-Regular.ttc",
           "opentype/noto/NotoSansCJK-Bold.ttc"),
    # Pango lays out emoji in their own runs under fontconfig's "emoji" family, which Debian
    # maps to this same installed file; the declared face covers the rest of its characters.
    Family("Roadmap Emoji", "truetype/noto/NotoColorEmoji.ttf"),
    _noto("Symbols"), _noto("Symbols2", bold=False), _noto("Math", bold=False),
)
# Characters that need no glyph: white space the layout handles, and the default ignorables
# that Pango draws as nothing (its own list: joiners, bidi controls, variation selectors, tags).
_NO_GLYPH = (
    (0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20), (0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C),
    (0x17B4, 0x17B5), (0x180B, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFF0, 0xFFF8), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
# Line and paragraph separators (pasted from word processors) break the layout's runs of one
# font, so Pango may draw them as .notdef: they print as the white space they stand for.
_BREAKS = {"\u2028": "\n", "\u2029": "\n"}


@dataclass(frozen=True)
class Face:
    """One declared @font-face: family, weight and file."""

    family: str
    bold: bool
    path: Path


def faces(folder: Path) -> list[Face]:
    """Every face to declare: the required ones always, the others when installed."""
    found, missing = [], []
    for family in (SANS, MONO, *FALLBACKS):
        for bold, name in ((False, family.regular), (True, family.bold)):
            path = Path(folder) / name if name else None
            if path is not None and (family.required or path.is_file()):
                found.append(Face(family.name, bold, path))
            elif path is not None and not bold:
                missing.append(name)
    if missing:
        _missing(str(folder), tuple(missing))
    return found


@lru_cache(maxsize=None)
def _missing(folder: str, names: tuple[str, ...]) -> None:
    """Say once per process which fonts are not installed: their characters print as U+FFFD."""
    log.warning("%d fonts are not installed in %s (scripts/system-packages installs them), "
                "so the characters only they have print as %s: %s", len(names), folder,
                PLACEHOLDER, ", ".join(Path(name).stem for name in names))


def _chain(first: str) -> str:
    return ", ".join(f'"{name}"' for name in (first, *(f.name for f in FALLBACKS)))


def css(folder: Path, text: Optional[str] = None) -> str:
    """The @font-face rules, and the fallback chain on everything the print stylesheet sets.

    `text`: a one-off document (a statement) declares only the fallbacks its characters need,
    since WeasyPrint copies every declared file before the layout (CJK alone is 40 MB). The
    parts of a portfolio share one declaration of them all, parsed once per process.
    """
    declared = faces(folder)
    if text is not None:
        needed = _needed(declared, text)
        declared = [face for face in declared if face.family in needed]
    rules = [f'@font-face {{ font-family: "{face.family}";'
             f'{" font-weight: bold;" if face.bold else ""} src: url("{face.path.as_uri()}"); }}'
             for face in declared]
    sans, mono = _chain(SANS.name), _chain(MONO.name)
    rules += [f"html {{ font-family: {sans}; }}", f"code, .hash {{ font-family: {mono}; }}",
              f"@page {{ @bottom-left {{ font-family: {sans}; }} }}"]
    return "\n".join(rules)


def _needed(declared: list[Face], text: str) -> set[str]:
    """The families that print some character of the text, first in the chain first."""
    needed, left = {SANS.name, MONO.name}, {ord(ch) for ch in set(text)}
    for face in declared:
        has = _file_cmap(face.path)
        covers = {code for code in left if _has(has, code)}
        if covers:
            needed.add(face.family)
            left -= covers
    return needed


def files(folder: Path) -> list[str]:
    """The font files the renderer may read: exactly those declared."""
    return [str(face.path) for face in faces(folder)]


@lru_cache(maxsize=None)
def _cmap(path: str, _stamp: tuple[int, float]) -> array:
    """The code points a font file has glyphs for, sorted (a collection's first font: the CJK
    collection's fonts differ in the shapes of shared characters, not in which they have).

    Kept as a packed array, 4 bytes a code point: as frozensets of ints the 52 files' maps
    held about 13 MB in every rendering process for its whole life."""
    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            return array("I", sorted(font.getBestCmap() or {}))
    except Exception:  # noqa: BLE001 - whatever a damaged file makes fontTools raise
        log.warning("font %s cannot be read: its characters print as %s", path, PLACEHOLDER)
        return array("I")


def _has(codes: array, code: int) -> bool:
    """Whether a sorted array of code points holds one."""
    at = bisect_left(codes, code)
    return at < len(codes) and codes[at] == code


def _file_cmap(path: Path) -> array:
    try:
        stat = path.stat()
    except OSError:
        return array("I")
    return _cmap(str(path), (stat.st_size, stat.st_mtime))


@lru_cache(maxsize=4)
def coverage(folder: Path) -> bytes:
    """Every code point the declared fonts can print, plus those that need no glyph, as a
    bitmap (one bit a code point: 136 KB, where a set of the ~60,000 was about 5 MB).

    Control characters never print, even where a font maps them: Pango draws them as .notdef.
    """
    found = bytearray(_BITMAP)
    for face in faces(folder):
        for code in _file_cmap(face.path):
            found[code >> 3] |= 1 << (code & 7)
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *map(ord, _BREAKS)):
        found[code >> 3] &= ~(1 << (code & 7)) & 0xFF
    for first, last in _NO_GLYPH:
        for code in range(first, last + 1):
            found[code >> 3] |= 1 << (code & 7)
    return bytes(found)


def covered(bitmap: bytes, code: int) -> bool:
    """Whether a coverage bitmap has a code point."""
    return bool(bitmap[code >> 3] >> (code & 7) & 1)


def printable(text: str, folder: Path) -> str:
    """The text with every character no declared font has replaced by U+FFFD."""
    bitmap = coverage(Path(folder))
    missing = {ord(ch): _BREAKS.get(ch, PLACEHOLDER) for ch in set(text)
               if not covered(bitmap, ord(ch))}
    return text.translate(missing) if missing else text
