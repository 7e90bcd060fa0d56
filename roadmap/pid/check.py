"""The check every writer's text passes before it is kept: findings per field, their messages,
their marked-up text, and what the audit log keeps of a confirmation.

Features hold the texts and the audit log; this module only says what was found, so each place
text enters (an assessment, a ticket, a public form, a file name) asks the same question and
records the same answer: which fields and which kinds, never the text itself.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterable, Mapping, Optional

from markupsafe import Markup

from roadmap.pid.finding import KIND_LABELS, Finding
from roadmap.pid.scanner import highlight, scan

PLAIN_WORDS = ("This may identify a patient ({}). Patients must not be identifiable: change it, "
               "or tick the box to confirm that nobody could be identified from it")
# For people without an account (external assessors, MSF and PSQ respondents): no jargon.
PUBLIC_WORDS = ("This could show who a patient is: it seems to hold {}. Please take it out, "
                "or tick the box below if you are sure nobody could tell who the patient is")
# For a patient answering a PSQ about their own care: they are the patient, so "who the patient
# is" reads as nonsense to someone who has just written their own name.
PATIENT_WORDS = ("This could show who you are, or who another patient is: it seems to hold {}. "
                 "Please do not include your name or details that could identify you or another "
                 "patient: take it out, or tick the box below if you are sure it identifies nobody")


def flagged(texts: Mapping[str, Optional[Any]],
            known_people: Iterable[str] = ()) -> dict[str, list[Finding]]:
    """The findings in each text that has any, keyed like the texts (non-text values skipped).

    `known_people`: full names the caller knows are staff around this portfolio (the candidate,
    their supervisors, assessors), passed in by the feature, which knows them; never flagged."""
    found, known_people = {}, list(known_people)
    for key, text in texts.items():
        if isinstance(text, str) and (findings := scan(text, known_people)):
            found[key] = findings
    return found


def kinds(findings: list[Finding]) -> list[str]:
    """The kinds found, in words, once each."""
    return sorted({KIND_LABELS.get(f.kind, f.kind) for f in findings})


def messages(found: Mapping[str, list[Finding]], words: str = PLAIN_WORDS) -> dict[str, str]:
    """The message beside each flagged field, naming what kinds of detail were found."""
    if words is PUBLIC_WORDS or words is PATIENT_WORDS:  # "an NHS number or a postcode"
        return {key: words.format(" or ".join(
            f"{'an' if label[0] in 'aeiou' or label.startswith('NHS') else 'a'} {label}"
            for label in kinds(findings))) for key, findings in found.items()}
    return {key: words.format(", ".join(kinds(findings))) for key, findings in found.items()}


def marked(texts: Mapping[str, Any], found: Mapping[str, list[Finding]]) -> dict[str, Markup]:
    """Each flagged text, escaped, with its findings highlighted, to show beside its field."""
    return {key: highlight(str(texts[key]), findings) for key, findings in found.items()}


def file_name_words(filename: str) -> str:
    """An attachment's name as the check reads it: without its extension, with underscores and
    hyphens read as spaces, since people name files "Margaret_Hill_67.pdf" or "letter-LS1-4AP.pdf"
    and the scanner reads words (and leaves postcodes glued to a hyphen alone in prose)."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return re.sub(r"[_\-–]+", " ", stem)


def audit_data(found: Mapping[str, list[Finding]]) -> dict[str, Any]:
    """What a confirmation's audit event keeps: each field and kind confirmed, never the text."""
    return {"findings": [{"field": key, "kind": finding.kind}
                         for key, findings in sorted(found.items()) for finding in findings]}


def digest(found: Mapping[str, list[Finding]]) -> str:
    """A fingerprint of exactly the findings shown (field, kind, matched text): a confirmation
    carries the one it was ticked under, so a box kept ticked across "Change" covers no new or
    different identifier (issue 22: confirmed text must be the text that was shown)."""
    items = sorted((key, f.kind, f.text) for key, findings in found.items() for f in findings)
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:32]


def confirms(ticked: bool, shown: Optional[str], found: Mapping[str, list[Finding]]) -> bool:
    """Whether a ticked box covers these findings: it was ticked with these very findings shown."""
    return bool(ticked and found and shown and shown == digest(found))


def as_shown(ticked: Any, shown: Optional[str],
             texts: Mapping[str, Optional[Any]]) -> tuple[bool, str]:
    """(whether a ticked box covers the findings in `texts`, the digest to send with them when
    they are shown). A page that keeps answers across steps ("Change" on a check page) keeps
    the digest with the tick, so new or different findings are shown again, box unticked."""
    found = flagged(texts)
    return confirms(bool(ticked), shown, found), digest(found) if found else ""


def sealed(text: str) -> tuple[str, int]:
    """(SHA-256, length) of a text an audit event names but should not copy (issue 22): the
    text stays on its row, where it was checked; the log, kept for ever and copied into
    backups, binds it without holding a second copy. Events made before keep their text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text)


def masked(text: str) -> str:
    """An identifier shown without giving it away: each word's first character kept, the other
    letters and digits dotted ("943 476 5919" reads "9•• 4•• 5•••")."""
    return re.sub(r"(?<=\w)\w", "•", text)


def excerpts(text: str, findings: list[Finding], width: int = 30,
             most: int = 5) -> list[tuple[str, str]]:
    """(kind in words, a short excerpt around it with every identifier in it masked) for the
    first `most` findings: enough for the writer to find the place in their own document,
    nothing that repeats what was found."""
    shown = []
    for finding in sorted(findings, key=lambda f: f.start)[:most]:
        start, end = max(0, finding.start - width), min(len(text), finding.end + width)
        parts, position = [], start
        for other in sorted(findings, key=lambda f: f.start):
            if other.end <= start or other.start >= end or other.start < position:
                continue
            parts += [text[position:other.start], masked(text[other.start:min(other.end, end)])]
            position = min(other.end, end)
        parts.append(text[position:end])
        words = " ".join("".join(parts).split())
        shown.append((KIND_LABELS.get(finding.kind, finding.kind),
                       ("…" if start else "") + words + ("…" if end < len(text) else "")))
    return shown
