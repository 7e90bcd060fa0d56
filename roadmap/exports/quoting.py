"""Text from an uploaded file, shown to people inside “…” as the file's words: it cannot end its
quotation, start a line of its own, turn the words around it round or fill the page.

Escaped always: controls, format and direction marks, line and paragraph separators,
unassigned and private characters, every double quotation mark and whatever looks like one
(″ ״ 〃 ˝ ʺ ˮ ¨ ˵ ...), and a combining mark that does not follow a letter (it could draw
marks over a space or a quote). Escaped in pairs: apostrophes, primes, modifier letters and
accents and every modifier letter or symbol (ʼʼ ʻʻ ꞌꞌ ˈˈ ’’ '' ʹʹ ...), also with spaces between,
which alone cannot close “…” but two together look as if; alone they stay, so O’Brien and
Hawaiʻi read as written. Each character is judged on what it stands for too (NFKD).
"""
from __future__ import annotations

import unicodedata

_ALWAYS = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_DOUBLE_WORDS = ("QUOTATION", "CORNER BRACKET", "DOUBLE", "DITTO", "GERSHAYIM", "DIAERESIS",
                 "TRIPLE PRIME", "QUADRUPLE PRIME")
_SINGLE_WORDS = ("APOSTROPHE", "PRIME", "COMMA", "SALTILLO", "GERESH", "TONOS", "OXIA", "VARIA",
                 "ACUTE", "GRAVE", "VERTICAL LINE", "QUOTATION", "PSILI", "DASIA", "KORONIS",
                 "EMPHASIS MARK")
_MARKS = {"Lm", "Sk", "Pi", "Pf", "Po"}  # where quote-like marks live


def _double(char: str, category: str, name: str) -> bool:
    if category in {"Pi", "Pf"}:
        return "SINGLE" not in name
    return (category in _MARKS | {"Ps", "Pe", "So"} and "SINGLE" not in name
            and any(word in name for word in _DOUBLE_WORDS))


def _single(char: str, category: str, name: str) -> bool:
    return char in "'`" or "SALTILLO" in name or category in {"Lm", "Sk"} or (
        category in _MARKS | {"So"} and any(word in name for word in _SINGLE_WORDS))


def _kind(char: str) -> str:
    """How a character is treated, judged on it and on what it stands for (its compatibility
    decomposition: U+0374 GREEK NUMERAL SIGN is U+02B9 MODIFIER LETTER PRIME)."""
    if char == "\\":
        return "always"
    kinds = set()
    for part in dict.fromkeys(char + unicodedata.normalize("NFKD", char)):
        category, name = unicodedata.category(part), unicodedata.name(part, "")
        kinds.add("always" if category in _ALWAYS or _double(part, category, name)
                  else "single" if _single(part, category, name)
                  else "mark" if category in {"Mn", "Me"}
                  else "letter" if category[0] in "LN" else "space" if category == "Zs"
                  else "other")
    return next(kind for kind in ("always", "single", "letter", "mark", "space", "other")
                if kind in kinds)


def _neighbour(kinds: list[str], n: int, step: int) -> str:
    """The kind of the nearest character before (step -1) or after (+1) that is not a space."""
    n += step
    while 0 <= n < len(kinds) and kinds[n] == "space":
        n += step
    return kinds[n] if 0 <= n < len(kinds) else ""


def quoted(text: str, largest: int = 120) -> str:
    """Text from a file as it may be shown inside “…”: as the module says, escaped as \\u
    sequences; cut at `largest` characters."""
    text = str(text)
    kinds = [_kind(char) for char in text]
    out = []
    for n, char in enumerate(text):
        kind = kinds[n]
        paired = kind == "single" and "single" in (_neighbour(kinds, n, -1),
                                                   _neighbour(kinds, n, 1))
        loose = kind == "mark" and (n == 0 or kinds[n - 1] not in {"letter", "mark"})
        if kind == "always" or paired or loose:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    escaped = "".join(out)
    return escaped if len(escaped) <= largest else escaped[:largest] + "… (cut short)"
