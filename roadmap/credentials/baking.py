"""A badge image carrying its credential: SVG baked as Open Badges 3.0 says, and read back.

Baking puts `<openbadges:credential verify="JWS">` directly after the `<svg>` tag, in the
namespace https://purl.imsglobal.org/ob/v3p0. Reading finds that element with a pattern rather
than an XML parser, so an uploaded file's entities or doctype are never expanded.
"""
from __future__ import annotations

import re
from typing import Optional
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_VERIFY = re.compile(r"<openbadges:credential\b[^>]*?\bverify\s*=\s*([\"'])([A-Za-z0-9_.\-]+)\1",
                     re.DOTALL)
_EMBEDDED = re.compile(r"<openbadges:credential\b[^>]*>\s*<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def _lines(words: str, width: int = 16) -> list[str]:
    """Words folded into short lines for the badge's face."""
    lines: list[str] = []
    for word in words.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:4]


def badge(title: str, subtitle: str, token: Optional[str]) -> str:
    """The badge as SVG text: a roundel with the stage; the signed credential baked in if given."""
    head, _, rest = title.partition(":")
    lines = _lines(rest or subtitle)
    text = "".join(f'<text x="128" y="{150 + 18 * n}" font-size="15">{escape(line)}</text>'
                   for n, line in enumerate(lines))
    baked = (f'<openbadges:credential verify={quoteattr(token)}></openbadges:credential>'
             if token else "")
    label = escape(f"{title}. {subtitle}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{NAMESPACE}" '
        'viewBox="0 0 256 256" width="256" height="256" role="img" aria-labelledby="badge-title">'
        f"{baked}"
        f'<title id="badge-title">{label}</title>'
        '<circle cx="128" cy="128" r="124" fill="#005eb8"/>'
        '<circle cx="128" cy="128" r="108" fill="none" stroke="#ffffff" stroke-width="4"/>'
        '<g fill="#ffffff" font-family="Arial, Helvetica, sans-serif" text-anchor="middle">'
        '<text x="128" y="78" font-size="16">Roadmap to Practice</text>'
        f'<text x="128" y="122" font-size="34" font-weight="bold">{escape(head.strip())}</text>'
        f"{text}</g></svg>\n")


def extract(svg: str) -> Optional[str]:
    """The credential an SVG badge carries: a compact JWS, or embedded JSON; None when none."""
    found = _VERIFY.search(svg)
    if found:
        return found.group(2)
    embedded = _EMBEDDED.search(svg)
    return embedded.group(1).strip() if embedded else None
