"""Verification of a signed-off stage by its code: genuine or not, who approved, changed since.

What a verifier learns is deliberately little: the candidate's name, the stage, each approval
(the supervisor's sign-off and in which capacity, the education provider's approval and the
audit sample's second review), the supervisor's reasons for any guidance left unmet, dates,
and whether the portfolio still matches what was signed. Never any of its content.
Codes carry about 75 random bits ("RM-" and three groups of five), far beyond guessing at web speed.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.exports.gather import capacity_words
from roadmap.framework.models import FrameworkVersion, Stage
from roadmap.portfolio.content import content_hash
from roadmap.portfolio.models import Evidence, EvidenceStatus
from roadmap.supervision.models import Signature, StageSignOff
from roadmap.supervision.statements import Approvals, approvals_of

CODE = re.compile(r"^RM-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5}$")


@dataclass
class Verification:
    """What /verify/<code> and the statement say about one stage sign-off."""

    code: str
    candidate: User
    stage: str
    framework: FrameworkVersion
    completed_at: dt.datetime
    content_hash: str
    signatures: list[dict[str, Any]]
    genuine: bool
    approvals: Approvals  # who approved the stage, in which capacity, and on what grounds
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the portfolio no longer matches what was signed."""
        return bool(self.changes)


def normalise(code: str) -> str:
    """A code as typed, in its printed form: any case, with hyphens, spaces or neither.

    "rm tkts3 zm8k7 fj5ch", "RMTKTS3ZM8K7FJ5CH" and "TKTS3-ZM8K7-FJ5CH" are all
    RM-TKTS3-ZM8K7-FJ5CH, and so is the code in full-width characters. Anything else comes back upper-cased without its separators, to be
    shown as not known.
    """
    # Full-width letters and dashes ("ＲＭ－…", from a Japanese or Chinese keyboard) are the
    # same code: NFKC makes them ASCII before anything else is read.
    squashed = re.sub(r"[^0-9A-Za-z]", "", unicodedata.normalize("NFKC", code or "")).upper()
    body = squashed[2:] if len(squashed) == 17 and squashed.startswith("RM") else squashed
    if len(body) != 15:
        return squashed
    return f"RM-{body[:5]}-{body[5:10]}-{body[10:]}"


def _changes(session: Session, record: StageSignOff, enrolment: Enrolment) -> list[str]:
    """How the portfolio differs now from what both parties signed, in words."""
    from roadmap.supervision.signoff import portfolio_state  # the same rule as at signing

    signed = record.signed_content or {}
    now = portfolio_state(session, enrolment)
    found = []
    if now["ratings"] != signed.get("ratings"):
        found.append("Capability ratings have changed since the sign-off.")
    then = {(e, n): h for e, n, h in signed.get("evidence", [])}
    current = {(e, n): h for e, n, h in now["evidence"]}
    if any(current.get(key) != digest for key, digest in then.items()):
        found.append("Signed evidence no longer matches what was signed.")
    if set(current) - set(then):
        found.append("Evidence has been signed since the sign-off.")
    edited = session.scalar(sa.select(sa.func.count()).select_from(Evidence).where(
        Evidence.id.in_({e for e, _ in then}),
        Evidence.status == EvidenceStatus.CHANGED_SINCE_SIGNED.value)) or 0
    if edited:
        found.append(f"{edited} signed item{'s have' if edited > 1 else ' has'} been edited since "
                     "(the signed versions are kept as they were).")
    if now["framework"] != signed.get("framework"):
        found.append("The roadmap version differs from the one signed against.")
    return found


def lookup(session: Session, code: str) -> Optional[Verification]:
    """The verification of a completed sign-off by its code, or None for an unknown code."""
    code = normalise(code)
    if not CODE.match(code):
        return None
    record = session.scalar(sa.select(StageSignOff).where(
        StageSignOff.verification_code == code, StageSignOff.status == "complete"))
    if record is None:
        return None
    enrolment = session.get(Enrolment, record.enrolment_id)
    candidate = session.get(User, enrolment.candidate_id)
    stage = session.scalar(sa.select(Stage.name).where(
        Stage.framework_version_id == enrolment.framework_version_id,
        Stage.code == record.stage_code)) or record.stage_code
    signatures = session.scalars(sa.select(Signature).where(
        Signature.subject_type == "stage_signoff", Signature.subject_id == record.id)
        .order_by(Signature.signed_at, Signature.id)).all()
    intact = (record.signed_content is not None
              and content_hash(record.signed_content) == record.content_hash)
    bound = any(s.capacity != "candidate" and s.content_hash == record.content_hash
                for s in signatures)
    approvals = approvals_of(session, record)
    return Verification(
        code=code, candidate=candidate, stage=stage,
        framework=session.get(FrameworkVersion, enrolment.framework_version_id),
        completed_at=record.completed_at, content_hash=record.content_hash,
        signatures=[{"name": s.signer_name, "capacity": capacity_words(s.capacity),
                     "acting_reason": s.acting_reason, "signed_at": s.signed_at}
                    for s in signatures],
        genuine=intact and bound and approvals.bound, approvals=approvals,
        changes=_changes(session, record, enrolment))


def statement_pdf(session: Session, record: StageSignOff,
                  verify_url: str) -> tuple[bytes, Verification]:
    """The one-page verification statement of a completed sign-off, and what it states."""
    from roadmap.exports.portfolio import ASSETS, document, setup
    from roadmap.exports.render import render

    found = lookup(session, record.verification_code or "")
    if found is None:
        raise LookupError("this stage has not been signed off")
    body = render_template("exports/statement.html", v=found, verify_url=verify_url)
    html = document(setup(), body, found.candidate.full_name, "Verification statement")
    return render(html, (ASSETS / "print.css").as_uri(), setup().roots).pdf, found
