"""What the check says of a file saved again by another program: the producer, creator,
creation day and history that program wrote, quoted beside the verdict as the file's words,
never as the service's (the content's verdict stands: saving again changes no page)."""
from __future__ import annotations

from typing import Any

from roadmap.exports.pdfxmp import day_of
from roadmap.exports.quoting import quoted


def _shown_day(value: str) -> str:
    """A creation date as a day ("7 December 2026"), or quoted when it is not one."""
    day = day_of(value)
    return f"{day.day} {day:%B %Y}" if day else f"“{quoted(value)}”"


def made_by_lines(found: dict[str, Any], made: Any) -> list[str]:
    """When the file names another producer, or has history added, since the service made it:
    lines saying so, quoting what it now says as the file's words, not the service's. Saving
    again with another program is no change to what a reader sees, so this is not a fault
    (the content's verdict stands); but nothing written there is the service's."""
    if not isinstance(made, dict):
        return []
    lines = []
    then = [v for v in [made.get("info"), *(made.get("xmp") or [])] if v is not None]
    now = [v for v in [found.get("info"), *(found.get("xmp") or [])] if v is not None]
    if sorted(set(now)) != sorted(set(then)):
        new = [v for v in dict.fromkeys(now) if v not in then]
        said = "; ".join(f"“{quoted(v)}”" for v in new[:3]) + (
            f" and {len(new) - 3} more" if len(new) > 3 else "")
        lines.append("The file has been saved again by another program since the service made "
                     "it: " + (f"it now names as its producer {said}." if new else
                               "it no longer names the program that produced it as it did.")
                     + " That is written by whichever program saved it last, not by this "
                       "service, and vouches for nothing.")
    for key, words in (("creator", "the program that created it"),
                       ("created", "the day it was created")):
        new = [v for v in dict.fromkeys(found.get(key) or []) if v not in (made.get(key) or [])]
        if new:
            shown = list(dict.fromkeys(_shown_day(v) if key == "created" else f"“{quoted(v)}”"
                                       for v in new))
            said = "; ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3
                                           else "")
            lines.append(f"The file now names {words} as {said}, added by the program that saved "
                         "it again, not by this service.")
    made_history = list(made.get("history") or [])
    added = list(found.get("history") or [])
    for entry in made_history:
        if entry in added:
            added.remove(entry)
    if added:
        shown = "; ".join(f"“{quoted(entry, 200)}”" for entry in added[:5])
        more = f" and {len(added) - 5} more" if len(added) > 5 else ""
        lines.append(f"The file's history (in its metadata) has {len(added)} "
                     f"entr{'y' if len(added) == 1 else 'ies'} added since the service made "
                     f"it, written by another program or person, not by this service: "
                     f"{shown}{more}.")
    if any(entry not in (found.get("history") or []) for entry in made_history):
        lines.append("The history the service wrote in the file's metadata has been changed "
                     "since it made it.")
    return lines
