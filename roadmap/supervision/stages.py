"""A stage's page: its checklist, where it waits, its approvals, and what the reader may sign."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.credentials import service as credentials
from roadmap.credentials.models import IssuedCredential
from roadmap.portfolio import pid
from roadmap.supervision import checklist as checklists, signoff, statements, waiting
from roadmap.readers.team import current_team
from roadmap.supervision.errors import Incomplete
from roadmap.supervision.models import Signature, StageSignOff


@dataclass
class StagePage:
    """One stage of an enrolment, and what this person may do with it."""

    person: User  # the candidate
    checklist: checklists.Checklist
    record: Optional[StageSignOff]
    party: Optional[str]  # what the reader signs as now: "candidate", "supervisor" or None
    declarations: list[dict[str, str]]  # what they declare as they sign
    signatures: list[Signature]
    is_backup: bool  # the reader is the candidate's backup supervisor: they say why they sign
    wait: waiting.StageWait  # where the stage waits, and on whom
    approvals: Optional[statements.Approvals]  # who approved it so far, rounds and reasons
    credential: Optional[IssuedCredential] = None  # issued at the stage's last approval

    @property
    def status(self) -> str:
        """"open", "candidate_signed", "supervisor_signed", "referred" or "complete"."""
        return self.record.status if self.record is not None else "open"

    @property
    def gates(self) -> list[checklists.Check]:
        """The checks that must be met before the stage can be signed off."""
        return [check for check in self.checklist.checks if check.is_gate]

    @property
    def guidance(self) -> list[checklists.Check]:
        """The checks a supervisor may sign past with a reason (rule D10)."""
        return [check for check in self.checklist.checks if not check.is_gate]

    @property
    def asks_reasons(self) -> bool:
        """True when the reader signs off now and guidance is unmet: each needs a reason."""
        return self.party == "supervisor" and bool(self.checklist.unmet_guidance)


def reason_field(code: str) -> str:
    """The form field of the reason for one unmet guidance item (a check code may hold ":")."""
    return "reason-" + code.replace(":", "-")


def reasons_given(page: StagePage, form: Mapping[str, str]) -> dict[str, str]:
    """Check code: the reason typed for it, for every unmet guidance item (signing checks it)."""
    return {check.code: form.get(reason_field(check.code)) or ""
            for check in page.checklist.unmet_guidance}


def reason_errors(page: StagePage, reasons: Mapping[str, str], refused: Incomplete,
                  pid_confirmed: bool) -> tuple[dict[str, str], bool]:
    """Check code: the error beside its reason field, from what signing refused; and whether
    a reason may identify a patient (the supervisor is then asked to confirm it does not).

    Signing stops at the first thing missing; when that was a declaration, the reasons are
    checked the same way too, so every error shows at once.
    """
    codes = {check.code for check in page.checklist.unmet_guidance}
    found = {code: text for code, text in refused.problems.items() if code in codes}
    warned = str(refused) == pid.PATIENT_DETAILS
    if not found and page.asks_reasons:
        try:
            signoff.guidance_reasons(page.checklist, reasons, pid_confirmed=pid_confirmed)
        except Incomplete as more:
            found, warned = dict(more.problems), str(more) == pid.PATIENT_DETAILS
    return found, warned


def stage_page(session: Session, enrolment: Enrolment, stage_code: str, reader: User,
               today: dt.date) -> StagePage:
    """The stage as this person sees it; LookupError when the roadmap has no such stage."""
    checklist = checklists.compute(session, enrolment, stage_code)
    record = session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == enrolment.id, StageSignOff.stage_code == stage_code))
    party = signoff.signs_as(session, enrolment, record, reader, today)
    signatures = session.scalars(sa.select(Signature).where(
        Signature.subject_type == "stage_signoff", Signature.subject_id == (record.id if record else 0))
        .order_by(Signature.signed_at)).all()
    kind = current_team(session, enrolment.id, today).kind_of(reader.id)
    wait = waiting.stage_wait(session, enrolment.id, stage_code, today)
    return StagePage(session.get(User, enrolment.candidate_id), checklist, record, party,
                     signoff.declarations(checklist, party) if party else [], list(signatures),
                     kind == "backup", wait,
                     statements.approvals_of(session, record) if record is not None else None,
                     credentials.for_signoff(session, record.id) if record is not None else None)


def signed_words(session: Session, enrolment: Enrolment, stage_code: str, party: str,
                 today: dt.date) -> str:
    """What the person is told once they have signed: who the stage waits for next."""
    if party == "candidate":
        return (f"You signed your declarations on {clock.in_words(clock.now())}. Your "
                "supervisor has been asked to sign off the stage.")
    wait = waiting.stage_wait(session, enrolment.id, stage_code, today)
    if wait.state == waiting.SIGNED_OFF:
        return f"{wait.stage_name} is signed off."
    return f"You signed off {wait.stage_name} on {clock.in_words(clock.now())}. {wait.words}."
