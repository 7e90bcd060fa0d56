"""The PSQ poster's QR code, drawn by segno as inline SVG (no script, no external image)."""
from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, scale: int = 8) -> Markup:
    """An SVG QR code of the URL, labelled for screen readers, that prints crisply."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=scale, border=4, svgclass="roadmap-qr", lineclass=None)
    label = "QR code that opens the questionnaire"
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))
