"""Markdown in free text, rendered safely: markdown-it-py without raw HTML, then nh3."""
from __future__ import annotations

import html as entities
import re
import unicodedata
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# "breaks": a line break typed in a box stays a line break (an address, a list written
# without Markdown, a poem in a reflection), on the pages and in the PDF; CommonMark alone
# would join the lines with a space, which is not what a clinician typing in a box expects.
_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}
                     ).disable("image")
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
                "h3", "h4", "a", "hr"}


def render(text: str | None) -> Markup:
    """HTML for a candidate's Markdown; scripts, raw HTML and unsafe links come out inert."""
    if not text:
        return Markup("")
    return _remembered(text) if len(text) <= REMEMBERED_LENGTH else _rendered(text)


# An export of a 200-item portfolio renders about 700 answers, nearly all unchanged since the
# last export (1.3 s of its 3.3 s gathering, profiled). The same text always renders the same,
# so a process remembers the last 1,024 short ones: at most about 20 MB, whatever is typed.
REMEMBERED_LENGTH = 8000


@lru_cache(maxsize=1024)
def _remembered(text: str) -> Markup:
    return _rendered(text)


def _rendered(text: str) -> Markup:
    html = _PARSER.render(text)
    # Headings written as "# ..." would clash with the page's own outline; keep them small.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    for level in (5, 6):
        html = html.replace(f"<h{level}>", "<h4>").replace(f"</h{level}>", "</h4>")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return Markup(_directions(cleaned))


# Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their
# presentation forms, and the historic RTL blocks): a text with none needs no look.
_RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe"
                          "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_BLOCK = re.compile(r"<(p|li|h3|h4|blockquote)>")
_NEXT_BLOCK = re.compile(r"</?(?:p|li|h3|h4|blockquote|ul|ol|pre)\b")
_TAG = re.compile(r"<[^>]*>")


def _directions(html: str) -> str:
    """Mark each paragraph, list item or heading whose first letter is of a right-to-left
    script (an answer written in Arabic, Urdu or Hebrew) dir="rtl", as a browser's dir=auto
    would: it then reads and aligns right to left on the pages and in the PDF, whose renderer
    has no dir=auto. Text in a left-to-right script with some RTL words keeps its direction."""
    if not _RTL_LETTERS.search(html):
        return html
    out, last = [], 0
    for block in _BLOCK.finditer(html):
        following = html[block.end():]
        end = _NEXT_BLOCK.search(following)
        text = entities.unescape(_TAG.sub("", following[:end.start() if end else None]))
        if _first_strong(text) == "rtl":
            out.append(html[last:block.start()] + f'<{block.group(1)} dir="rtl">')
            last = block.end()
    return "".join(out) + html[last:]


def _first_strong(text: str) -> str | None:
    """The direction of the first letter with a strong direction (Unicode's bidi rule P2)."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None
