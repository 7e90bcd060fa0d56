"""In which capacity a person may sign for an enrolment: primary, backup, or acting (rule D5)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy.orm import Session

from roadmap.accounts.models import User
from roadmap.readers.team import current_team
from roadmap.supervision.errors import NotAllowed
from roadmap.supervision.models import SignerCapacity


def item_capacity(session: Session, signer: User, enrolment_id: int, today: dt.date) -> SignerCapacity:
    """The capacity a current supervisor signs an item in; a backup may sign any item."""
    kind = current_team(session, enrolment_id, today).kind_of(signer.id)
    if kind is None:
        raise NotAllowed("Only the candidate's current primary or backup supervisor can do this.")
    return (SignerCapacity.PRIMARY_SUPERVISOR if kind == "primary"
            else SignerCapacity.BACKUP_SUPERVISOR)


def stage_capacity(session: Session, signer: User, enrolment_id: int, today: dt.date,
                   acting_reason: Optional[str]) -> tuple[SignerCapacity, Optional[str]]:
    """A stage is signed by the primary, or by the backup acting for the primary with a reason."""
    kind = current_team(session, enrolment_id, today).kind_of(signer.id)
    if kind == "primary":
        return SignerCapacity.PRIMARY_SUPERVISOR, None
    if kind == "backup":
        reason = (acting_reason or "").strip()
        if not reason:
            raise NotAllowed("As the backup supervisor, say why you are signing for the primary "
                             "supervisor (for example, they are on leave until a date).")
        return SignerCapacity.BACKUP_ACTING_FOR_PRIMARY, reason
    raise NotAllowed("Only the candidate's current primary or backup supervisor can sign off a stage.")


WORDS = {SignerCapacity.CANDIDATE.value: "Candidate",
         SignerCapacity.PRIMARY_SUPERVISOR.value: "Primary supervisor",
         SignerCapacity.BACKUP_SUPERVISOR.value: "Backup supervisor",
         SignerCapacity.BACKUP_ACTING_FOR_PRIMARY.value:
             "Backup supervisor, acting for the primary supervisor",
         SignerCapacity.EXTERNAL_ASSESSOR.value: "External assessor"}


def capacity_words(capacity: str) -> str:
    """A capacity as the check-answers pages and records name it."""
    return WORDS.get(capacity, capacity.replace("_", " ").capitalize())
