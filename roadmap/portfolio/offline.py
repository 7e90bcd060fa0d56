"""What the installable app keeps on a device: the form definitions, never anyone's answers.

The service worker (roadmap/static/sw/service-worker.js) caches only an allow-list: the offline
page, the hashed stylesheet and scripts, the icons, and the evidence forms of a framework version
as data (the questions the framework asks, with no person's answers). The drafts a candidate
writes offline stay in the browser's IndexedDB, filed under `device_key`, an opaque key for the
signed-in person, and sync through the ordinary evidence form (its one-time form token, chosen by
the device, makes a repeated sync find the first one's item).
"""
from __future__ import annotations

import hashlib
import hmac
import io
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.framework import definitions
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion

# What a question's definition may say that the offline form needs; nothing else goes out.
SPEC_KEYS = ("code", "kind", "label", "hint", "required", "options", "scale", "longest", "free_text",
             "required_message", "max_words", "min", "max")  # the last three: the device's checks
ICON_SIZES = (192, 512)
# Where the feedback feature (a layer above) leaves the regulators an assessor chooses from.
REGULATORS_KEY = "roadmap.offline_regulators"
NHS_BLUE, WHITE = (0, 94, 184), (255, 255, 255)


def device_key(secret: str, user_id: int) -> str:
    """An opaque, stable key for a person's drafts on a device: not their id, not guessable."""
    digest = hmac.new(secret.encode(), f"offline-drafts:{user_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _section(section: dict[str, Any]) -> dict[str, Any]:
    return {"title": section.get("title", ""), "hint": section.get("hint"),
            "fields": [{k: spec[k] for k in SPEC_KEYS if k in spec}
                       for spec in section.get("fields", [])]}


def _assessor(kind: EvidenceType) -> dict[str, Any] | None:
    """A WPBA's assessor part as definitions (the emailed ticket's questions), so the assessor
    can complete it on the device offline; None for a type no assessor completes.

    The heading grades depend on the headings the candidate links, so the device builds them
    from `grade_headings` (the scale) and its draft's headings, as definitions.heading_grades.
    """
    if not kind.is_wpba:
        return None
    mine = [definitions.ASSESSOR]
    common = definitions.sections(kind.definition, None, mine)
    by_template = {t["code"]: [_section(s) for s in t.get("sections") or []
                               if s.get("completed_by") == definitions.ASSESSOR]
                   for t in definitions.templates(kind.definition)}
    if not common and not any(by_template.values()):
        return None
    return {"sections": [_section(s) for s in common], "templates": by_template,
            "grade_headings": kind.definition.get("rate_linked_capabilities"),
            "grades_title": definitions.GRADES_TITLE,
            "longest": definitions.ASSESSOR_LONGEST}


def offline_types(version_types: list[EvidenceType]) -> list[EvidenceType]:
    """The types a candidate can start alone: their own sections first, no respondents' results
    to wait for (an MSF or PSQ needs the server), and something for the candidate to write."""
    found = []
    for kind in version_types:
        every = definitions.sections(kind.definition, None)
        if not every or every[0].get("completed_by") != definitions.CANDIDATE:
            continue
        if any(s.get("completed_by") == definitions.RESPONDENT for s in every):
            continue
        found.append(kind)
    return found


def forms_document(session: Session, version: FrameworkVersion,
                   regulators: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The candidate's questions of each type (and template), the scales and the headings."""
    kinds = list(session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == version.id).order_by(EvidenceType.position)))
    capabilities = session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == version.id).order_by(Capability.position))
    mine = [definitions.CANDIDATE]
    return {
        "version": version.id,
        "types": [{
            "code": kind.code, "name": kind.name, "wpba": bool(kind.is_wpba),
            "description": kind.definition.get("description"),
            "sections": [_section(s) for s in definitions.sections(kind.definition, None, mine)],
            "templates": [{"code": t["code"], "name": t["name"],
                           "sections": [_section(s) for s in t.get("sections") or []
                                        if s.get("completed_by") == definitions.CANDIDATE]}
                          for t in definitions.templates(kind.definition)],
            "assessor": _assessor(kind),
        } for kind in offline_types(kinds)],
        "scales": {code: {"levels": [{k: lv[k] for k in ("code", "label", "description") if lv.get(k)}
                                     for lv in scale.get("levels", [])]}
                   for code, scale in definitions.scales(version).items()},

        "capabilities": [{"id": c.id, "code": c.code, "title": c.title} for c in capabilities],
        # The regulators an assessor chooses from (the feedback feature's list, handed down).
        "regulators": regulators or [],
    }


@lru_cache(maxsize=len(ICON_SIZES))
def icon_png(size: int) -> bytes:
    """The app's icon, drawn once per size: NHS blue, a white "R" for Roadmap.

    Drawn rather than committed, so no built file is kept in the repository; maskable, since
    the letter sits well inside the safe zone (the middle 80%).
    """
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (size, size), NHS_BLUE)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size * 0.6)
    draw.text((size / 2, size / 2), "R", fill=WHITE, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
