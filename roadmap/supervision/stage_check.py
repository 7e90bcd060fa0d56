"""A stage signature checked before it is made: what would be signed, by whom, and what is
missing, every problem at once, so the check-your-answers page shows only what can be signed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Union

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.portfolio import pid
from roadmap.readers.team import current_team
from roadmap.supervision import checklist as checklists, signoff
from roadmap.supervision.errors import Incomplete, NotAllowed
from roadmap.supervision.models import SignerCapacity, StageSignOff

ACTING_REASON = "acting_reason"  # the problem key of a backup's missing reason


@dataclass(frozen=True)
class Signing:
    """What signing the stage now would record."""

    party: str  # "candidate" or "supervisor"
    capacity: str  # a SignerCapacity value
    acting_reason: Optional[str]  # a backup's reason for signing for the primary
    declarations: list[dict[str, str]]  # what they declare
    unmet: list[dict[str, str]]  # guidance not met, each with the supervisor's reason


def check(session: Session, enrolment: Enrolment, stage_code: str, person: User,
          accepted: Iterable[str], acting_reason: Optional[str], today: dt.date,
          reasons: Union[str, Mapping[str, str], None] = None, *,
          pid_confirmed: bool = False) -> Signing:
    """What the person would sign now; Incomplete names each problem by its field (a
    declaration's code, `acting_reason`, an unmet guidance item's code), all at once.

    Signing checks all of it again (roadmap.supervision.signoff.sign): this only asks early.
    """
    record = session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == enrolment.id, StageSignOff.stage_code == stage_code))
    party = signoff.signs_as(session, enrolment, record, person, today)
    if party is None:
        raise NotAllowed("You have nothing to sign on this stage now.")
    checklist = checklists.compute(session, enrolment, stage_code)
    signoff.ready(checklist)
    required = signoff.declarations(checklist, party)
    problems = signoff.unconfirmed(required, accepted)
    message = "Confirm every declaration before you sign."
    capacity, reason, unmet = SignerCapacity.CANDIDATE.value, None, []
    if party == "supervisor":
        backup = current_team(session, enrolment.id, today).kind_of(person.id) == "backup"
        capacity = (SignerCapacity.BACKUP_ACTING_FOR_PRIMARY if backup
                    else SignerCapacity.PRIMARY_SUPERVISOR).value
        reason = ((acting_reason or "").strip() or None) if backup else None
        if backup and reason is None:
            problems[ACTING_REASON] = ("Say why you are signing for the primary supervisor, for "
                                       "example they are on leave until a date")
        try:
            unmet = signoff.guidance_reasons(checklist, reasons, pid_confirmed=pid_confirmed)
        except Incomplete as refused:
            problems.update(refused.problems)
            message = str(refused)
        if reason and not pid_confirmed and (found := pid.warnings({ACTING_REASON: reason})):
            problems.update(found)  # the backup's reason is signed too (rule D9)
            message = pid.PATIENT_DETAILS
    if problems:
        raise Incomplete(message, problems)
    return Signing(party, capacity, reason, required, unmet)
