"""Text from an uploaded file, shown to people inside “…” as the file's words: it cannot end its
quotation, start a line of its own, turn the words around it round or fill the page.

Escaped always: controls, format and direction marks, line and paragraph separators,
unassigned and private characters, every double quotation mark and whatever looks like one
(″ ״ 〃 ˝ ʺ ˮ ¨ ˵ ...), and a combining mark that does not follow a letter (it could draw
marks over a space or a quote). Escaped in pairs: apostrophes, primes, modifier letters and
accents (ʼʼ ʻʻ ꞌꞌ ˈˈ ’’ '' ...), which alone cannot close “…” but two together look as if;
alone they stay, so O’Brien and Hawaiʻi read as written.
"""
from __future__ import annotations

import unicodedata

_ALWAYS = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_DOUBLE_WORDS = ("QUOTATION", "CORNER BRACKET", "DOUBLE", "DITTO", "GERSHAYIM", "DIAERESIS",
                 "TRIPLE PRIME", "QUADRUPLE PRIME")
_SINGLE_WORDS = ("APOSTROPHE", "PRIME", "COMMA", "SALTILLO", "GERESH", "TONOS", "OXIA", "VARIA",
                 "ACUTE", "GRAVE", "VERTICAL LINE", "QUOTATION", "PSILI", "DASIA", "KORONIS")
_MARKS = {"Lm", "Sk", "Pi", "Pf", "Po"}  # where quote-like marks live


def _double(char: str, category: str, name: str) -> bool:
    if category in {"Pi", "Pf"}:
        return "SINGLE" not in name
    return (category in _MARKS | {"Ps", "Pe", "So"} and "SINGLE" not in name
            and any(word in name for word in _DOUBLE_WORDS))


def _single(char: str, category: str, name: str) -> bool:
    return char in "'`" or "SALTILLO" in name or (
        category in _MARKS | {"So"} and any(word in name for word in _SINGLE_WORDS))


def quoted(text: str, largest: int = 120) -> str:
    """Text from a file as it may be shown inside “…”: as the module says, escaped as \\u
    sequences; cut at `largest` characters."""
    text = str(text)
    kinds = []
    for char in text:
        category, name = unicodedata.category(char), unicodedata.name(char, "")
        kinds.append("always" if char == "\\" or category in _ALWAYS
                     or _double(char, category, name)
                     else "single" if _single(char, category, name)
                     else "mark" if category in {"Mn", "Me"}
                     else "letter" if category[0] in "LN" else "other")
    out = []
    for n, char in enumerate(text):
        kind = kinds[n]
        paired = kind == "single" and any(0 <= m < len(text) and kinds[m] == "single"
                                           for m in (n - 1, n + 1))
        loose = kind == "mark" and (n == 0 or kinds[n - 1] not in {"letter", "mark"})
        if kind == "always" or paired or loose:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    escaped = "".join(out)
    return escaped if len(escaped) <= largest else escaped[:largest] + "… (cut short)"
