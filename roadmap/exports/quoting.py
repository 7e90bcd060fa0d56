"""Text from an uploaded file, shown to people inside “…” as the file's words: it cannot end its
quotation, start a line of its own, turn the words around it round or fill the page."""
from __future__ import annotations

import unicodedata

# Marks that look like a closing double quotation mark without being named one.
_LOOK_ALIKES = ("DOUBLE PRIME", "DOUBLE APOSTROPHE", "DOUBLE ACUTE", "GERSHAYIM", "DITTO",
                "TRIPLE PRIME", "QUADRUPLE PRIME")


def _single_quote(char: str) -> bool:
    """’ ‘ ‹ › ' ′ and the like: alone they cannot close “…”, two together can look as if."""
    name = unicodedata.name(char, "")
    return char in "'`´′" or ("SINGLE" in name and (
        "QUOTATION" in name or unicodedata.category(char) in {"Pi", "Pf"}))


def _quote_like(char: str) -> bool:
    """A character that could end a quotation, start a line or turn the words around it:
    controls, format and direction marks, line and paragraph separators, unassigned and private
    characters, and every double quotation mark or bracket of quotation (“ ” " ＂ « » 「 」 ❞
    ...). Single ones (’ ‘ ‹ ›) cannot close “…” and are left, so O’Brien reads as written."""
    category, name = unicodedata.category(char), unicodedata.name(char, "")
    if category in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
        return True
    quotation = (category in {"Pi", "Pf"} or "QUOTATION" in name
                 or (category in {"Ps", "Pe"} and "CORNER BRACKET" in name)
                 or any(alike in name for alike in _LOOK_ALIKES))
    return quotation and "SINGLE" not in name


def quoted(text: str, largest: int = 120) -> str:
    """Text from a file as it may be shown inside “…”: line breaks, controls, direction marks
    and quotation marks written as \\u escapes, so it cannot end the quotation, start a line
    of its own or turn the words around it; cut at `largest` characters."""
    text, out = str(text), []
    for n, char in enumerate(text):
        paired = _single_quote(char) and any(
            0 <= m < len(text) and _single_quote(text[m]) for m in (n - 1, n + 1))
        if char == "\\" or paired or _quote_like(char):
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    escaped = "".join(out)
    return escaped if len(escaped) <= largest else escaped[:largest] + "… (cut short)"


