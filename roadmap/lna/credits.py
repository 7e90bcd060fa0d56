"""A confirmed analysis's credits, as a stage's checklist reads them and its sign-off freezes them.

Only the stage the framework's analysis names is credited (D12); every other stage reads none.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.clock import day_of, long_date
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import FrameworkVersion
from roadmap.lna import definition
from roadmap.lna.models import LearningNeedsAnalysis, LnaCredit, LnaStatus
from roadmap.portfolio.models import Attachment, Evidence
from roadmap.providers.models import EducationProvider


@dataclass(frozen=True)
class Credited:
    """A requirement met by earlier study: the evidence, the note, and who confirmed it when."""

    code: str
    evidence: str  # in words: the file's name, or the item's title
    note: Optional[str]
    confirmed_by: str
    confirmed_at: dt.datetime
    frozen: dict[str, Any]  # as the sign-off keeps it

    @property
    def detail(self) -> str:
        """The checklist's line: who credited it, and when."""
        return (f"Credited by the learning needs analysis, confirmed by {self.confirmed_by} on "
                f"{long_date(day_of(self.confirmed_at))}.")


def credited(session: Session, enrolment: Enrolment, stage_code: str) -> dict[str, Credited]:
    """The confirmed credits of a stage by check code; empty for any other stage."""
    rows = session.execute(
        sa.select(LnaCredit, LearningNeedsAnalysis, User.full_name, EducationProvider.name,
                  Evidence.title, Attachment.filename, Attachment.sha256)
        .join(LearningNeedsAnalysis, LearningNeedsAnalysis.id == LnaCredit.analysis_id)
        .join(User, User.id == LnaCredit.given_by_id)
        .outerjoin(EducationProvider, EducationProvider.id == LearningNeedsAnalysis.provider_id)
        .outerjoin(Evidence, Evidence.id == LnaCredit.evidence_id)
        .outerjoin(Attachment, Attachment.id == LnaCredit.attachment_id)
        .where(LearningNeedsAnalysis.enrolment_id == enrolment.id,
               LearningNeedsAnalysis.status == LnaStatus.CONFIRMED.value)
        .order_by(LnaCredit.check_code)).all()
    if not rows:
        return {}  # most enrolments: no need to read the framework
    version = session.get(FrameworkVersion, enrolment.framework_version_id)
    assert version is not None
    if (definition.of(version.document) or {}).get("stage") != stage_code:
        return {}
    found = {}
    for credit, analysis, name, provider, title, filename, sha256 in rows:
        assert analysis.confirmed_at is not None
        evidence = (title if credit.evidence_id is not None else filename) or ""
        piece = ({"evidence_id": credit.evidence_id, "title": title}
                 if credit.evidence_id is not None else
                 {"attachment_id": credit.attachment_id, "filename": filename, "sha256": sha256})
        frozen = {"code": credit.check_code, "evidence": piece, "note": credit.note,
                  "given_by": {"id": credit.given_by_id, "name": name},
                  "given_at": credit.given_at.isoformat(), "analysis_id": analysis.id,
                  "capacity": analysis.confirmed_capacity, "provider": provider}
        found[credit.check_code] = Credited(credit.check_code, evidence, credit.note, name,
                                            analysis.confirmed_at, frozen)
    return found


def frozen_credits(session: Session, enrolment: Enrolment, stage_code: str) -> list[dict[str, Any]]:
    """The stage's credits as plain data, for the signed content of its sign-off (D8, D12).

    Each: the check code, its evidence (an item's id and title, or a file's id, name and
    SHA-256), the note, who gave it and when, in which capacity, and for which provider.
    """
    return [credit.frozen for credit in credited(session, enrolment, stage_code).values()]
