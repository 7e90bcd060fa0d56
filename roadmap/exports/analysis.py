"""The learning needs analysis as the PDF and ZIP carry it: its outcome and each credit (D12).

Read from the analysis' tables only; its pages belong to roadmap.lna.
"""
from __future__ import annotations

from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.lna.models import LearningNeedsAnalysis, LnaCredit
from roadmap.portfolio.models import Attachment, Evidence
from roadmap.providers.models import EducationProvider

CAPACITY = {"provider_reviewer": "for the education provider",
            "supervisor": "as supervisor (no education provider)"}


def analysis_of(session: Session, enrolment: Enrolment,
                content: bool = True) -> Optional[dict[str, Any]]:
    """The enrolment's analysis as plain data, or None when it has none; two statements.

    `content=False` leaves out the candidate's answers and the notes on each credit.
    """
    confirmer = aliased(User, name="confirmer")
    found = session.execute(
        sa.select(LearningNeedsAnalysis, confirmer.full_name, EducationProvider.name)
        .outerjoin(confirmer, confirmer.id == LearningNeedsAnalysis.confirmed_by_id)
        .outerjoin(EducationProvider, EducationProvider.id == LearningNeedsAnalysis.provider_id)
        .where(LearningNeedsAnalysis.enrolment_id == enrolment.id)).first()
    if found is None:
        return None
    lna, confirmed_by, provider = found
    credits = []
    for credit, giver, title, filename in session.execute(
            sa.select(LnaCredit, User.full_name, Evidence.title, Attachment.filename)
            .join(User, User.id == LnaCredit.given_by_id)
            .outerjoin(Evidence, Evidence.id == LnaCredit.evidence_id)
            .outerjoin(Attachment, Attachment.id == LnaCredit.attachment_id)
            .where(LnaCredit.analysis_id == lna.id).order_by(LnaCredit.check_code)):
        credits.append({"check": credit.check_code, "evidence": title or filename,
                        "note": credit.note if content else None, "given_by": giver,
                        "given_at": credit.given_at})
    return {"status": lna.status, "route": lna.route, "submitted_at": lna.submitted_at,
            "confirmed_at": lna.confirmed_at, "confirmed_by": confirmed_by,
            "capacity": CAPACITY.get(lna.confirmed_capacity or "", lna.confirmed_capacity),
            "provider": provider, "answers": lna.answers if content else None,
            "credits": credits}
