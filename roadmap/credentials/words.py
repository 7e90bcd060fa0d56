"""What a credential says, in plain words: for its holder, for a shared link, for a checker.

Read from the signed credential itself (its JWT payload), so every page says exactly what the
credential carries and nothing the database might say differently.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from roadmap import clock
from roadmap.credentials import proof


@dataclass
class Described:
    """The credential's statements, each in a sentence or a short list."""

    holder: str
    achievement: str
    framework: str
    version: str
    completed: str
    issuer: str
    issuer_url: Optional[str]
    description: str
    approvals: list[tuple[str, str]] = field(default_factory=list)
    ratings: list[tuple[str, str]] = field(default_factory=list)
    hashes: int = 0  # how many content hashes stand for the signed portfolio
    address: Optional[str] = None


def _moment(text: Any) -> str:
    try:
        return clock.in_words(dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")))
    except ValueError:
        return str(text)


def describe(payload: Mapping[str, Any]) -> Described:
    """The plain-words reading of a credential's payload."""
    subject = payload.get("credentialSubject") or {}
    achieved = subject.get("achievement") or {}
    names = [i.get("identityHash") for i in subject.get("identifier") or []
             if isinstance(i, dict) and i.get("identityType") == "name" and not i.get("hashed")]
    issuer = payload.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {"name": str(issuer)}
    headings = {a.get("targetUrl"): a.get("targetName")
                for a in achieved.get("alignment") or [] if isinstance(a, dict)}
    ratings = []
    for result in subject.get("result") or []:
        aligned = (result.get("alignment") or [{}])[0]
        ratings.append((str(headings.get(aligned.get("targetUrl")) or aligned.get("targetName")),
                        str(result.get("value"))))
    evidence = [e for e in payload.get("evidence") or [] if isinstance(e, dict)]
    return Described(
        holder=str(names[0]) if names else "The holder",
        achievement=str(achieved.get("name") or payload.get("name") or "An achievement"),
        framework=str((achieved.get("alignment") or [{}])[0].get("targetFramework") or ""),
        version=str(achieved.get("version") or ""),
        completed=_moment(payload.get("validFrom")),
        issuer=str(issuer.get("name") or issuer.get("id") or "an unnamed issuer"),
        issuer_url=issuer.get("url"),
        description=str(payload.get("description") or ""),
        approvals=[(str(e.get("name")), str(e.get("description")))
                   for e in evidence if e.get("genre") == "Approval"],
        ratings=ratings,
        hashes=sum(1 for e in evidence if e.get("genre") in {"Portfolio item", "Signed record"}),
        address=str(payload.get("id")) if payload.get("id") else None)


def of_token(token: str) -> Described:
    """The plain-words reading of a signed credential this service issued."""
    return describe(proof.read(token)[1])
