"""Stage sign-off: the candidate declares and signs, then the supervisor; one signature wins.

What the supervisor signs is frozen in StageSignOff.signed_content: the candidate's signed
part, the checklist as it stood, the supervisor's reason for each guidance item not met
(rule D10), the learning needs analysis' credits (D12), every heading's ratings, and the hash
of every signed evidence version. The hash
of that content is what both signatures are bound to (rule D8). Only gates block signing.
Each supervisor sign-off is also kept as a round; whether it completes the stage or waits for
the next approval (the education provider's) is the framework's to say (see approvals.py).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping, Optional, Union

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.form_limits import too_long
from roadmap.accounts.models import Role, User
from roadmap.audit import service as audit
from roadmap.cohorts.models import Enrolment
from roadmap.db import utcnow
from roadmap.fields import plain_text
from roadmap.framework.models import Capability, FrameworkVersion
from roadmap.lna.credits import frozen_credits
from roadmap.pid import check as pid_check
from roadmap.portfolio import pid
from roadmap.portfolio.content import content_hash
from roadmap.portfolio.models import EvidenceVersion
from roadmap.readers.team import current_team
from roadmap.supervision import approvals, awards, checklist as checklists
from roadmap.supervision.capacity import stage_capacity
from roadmap.supervision.errors import Conflict, Incomplete, NotAllowed
from roadmap.supervision.models import CapabilityRating, Signature, StageSignOff

# A referred stage goes back to the candidate, who signs again as for an open one.
CANDIDATE_SIGNS = ("open", approvals.REOPENED)
REASON_LONGEST = 2000  # characters of one reason for unmet guidance; never cut, refused


def signoff_for(session: Session, enrolment: Enrolment, stage_code: str) -> StageSignOff:
    """The sign-off record of a stage, created open the first time it is asked for."""
    record = session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == enrolment.id, StageSignOff.stage_code == stage_code))
    if record is None:
        record = StageSignOff(enrolment_id=enrolment.id, stage_code=stage_code, status="open")
        session.add(record)
        session.flush()
    return record


def declarations(checklist: checklists.Checklist, party: str) -> list[dict[str, str]]:
    """The declarations one party signs for a stage, from the framework."""
    return [d for d in checklist.stage.requirements.get("sign_off", {}).get("declarations", [])
            if d["signed_by"] == party]


def signs_as(session: Session, enrolment: Enrolment, record: Optional[StageSignOff], person: User,
             today: dt.date) -> Optional[str]:
    """Who the person signs a stage as now: "candidate", "supervisor", or None (they do not).

    The candidate signs first (again after a referral), then a current primary or backup
    supervisor signs it off.
    """
    status = record.status if record is not None else "open"
    if person.has_role(Role.CANDIDATE) and enrolment.candidate_id == person.id:
        return "candidate" if status in CANDIDATE_SIGNS else None
    if status != "candidate_signed" or not person.has_role(Role.SUPERVISOR):
        return None
    kind = current_team(session, enrolment.id, today).kind_of(person.id)
    return "supervisor" if kind is not None else None


def sign(session: Session, enrolment: Enrolment, stage_code: str, person: User,
         accepted: Iterable[str], acting_reason: Optional[str], today: dt.date,
         reasons: Union[str, Mapping[str, str], None] = None, *,
         pid_confirmed: bool = False) -> str:
    """Sign a stage as whoever the person is for it now (see `signs_as`); the party who signed.

    `reasons` are the supervisor's for unmet guidance (see guidance_reasons).
    """
    record = session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == enrolment.id, StageSignOff.stage_code == stage_code))
    party = signs_as(session, enrolment, record, person, today)
    if party == "candidate":
        candidate_sign(session, enrolment, stage_code, person, accepted)
    elif party == "supervisor":
        supervisor_sign(session, enrolment, stage_code, person, accepted, acting_reason, today,
                        reasons, pid_confirmed=pid_confirmed)
    else:
        raise NotAllowed("You have nothing to sign on this stage now.")
    return party


def unconfirmed(required: list[dict[str, str]], accepted: Iterable[str]) -> dict[str, str]:
    """Declaration code: the message beside it, for each declaration not confirmed."""
    chosen = set(accepted)
    return {d["code"]: "Confirm this declaration to sign" for d in required
            if d["code"] not in chosen}


def _accepted(required: list[dict[str, str]], accepted: Iterable[str]) -> None:
    missing = unconfirmed(required, accepted)
    if missing:
        raise Incomplete("Confirm every declaration before you sign.", missing)


def ready(checklist: checklists.Checklist) -> None:
    """Incomplete, naming each unmet gate, unless the stage may be signed off (rule D10)."""
    if not checklist.gates_met:
        missing = {c.code: c.detail for c in checklist.checks if not c.met and c.is_gate}
        raise Incomplete("The stage cannot be signed off until every required check is met.",
                         missing)


def guidance_reasons(checklist: checklists.Checklist,
                     given: Union[str, Mapping[str, str], None], *,
                     pid_confirmed: bool = False) -> list[dict[str, str]]:
    """Each unmet guidance item with the supervisor's reason for signing off without it (D10).

    `given` is one reason covering every item, or a reason per item keyed by check code. A
    reason is kept without hidden characters, refused when too long (never cut: it is signed)
    and, until the supervisor confirms it does not, when it may identify a patient (D9).
    """
    unmet = checklist.unmet_guidance
    given = {c.code: given for c in unmet} if isinstance(given, str) else dict(given or {})
    reasons = {c.code: plain_text(given.get(c.code)).strip() for c in unmet}
    problems = {code: too_long("The reason", REASON_LONGEST)
                for code, text in reasons.items() if len(text) > REASON_LONGEST}
    problems.update({c.code: f"Say why you sign off with this not met: {c.label}"
                     for c in unmet if not reasons[c.code]})
    if problems:
        raise Incomplete("Give a reason for each guidance item that is not met, or one reason "
                         "covering them all.", problems)
    if not pid_confirmed and (found := pid.warnings(reasons)):
        raise Incomplete(pid.PATIENT_DETAILS, found)
    return [{"code": c.code, "label": c.label, "detail": c.detail, "reason": reasons[c.code]}
            for c in unmet]


def candidate_sign(session: Session, enrolment: Enrolment, stage_code: str, candidate: User,
                   accepted: Iterable[str]) -> Signature:
    """The candidate confirms their declarations and signs, once every gate is met."""
    if enrolment.candidate_id != candidate.id:
        raise NotAllowed("Only the candidate signs their own declarations.")
    record = signoff_for(session, enrolment, stage_code)
    if record.status not in CANDIDATE_SIGNS:
        raise Conflict("You have already signed this stage.")
    checklist = checklists.compute(session, enrolment, stage_code)
    ready(checklist)
    required = declarations(checklist, "candidate")
    _accepted(required, accepted)
    now = utcnow()
    part = {"enrolment_id": enrolment.id, "stage": stage_code,
            "candidate": {"id": candidate.id, "name": candidate.full_name},
            "declarations": [d["text"].strip() for d in required],
            "checklist": checklist.summary(), "signed_at": now.isoformat()}
    digest = content_hash(part)
    # After a referral the last round keeps what was signed before; the record starts afresh.
    result = session.execute(
        sa.update(StageSignOff).where(StageSignOff.id == record.id,
                                      StageSignOff.status.in_(CANDIDATE_SIGNS))
        .values(status="candidate_signed", candidate_signed_at=now, signed_content={"candidate": part},
                content_hash=None, lock_version=StageSignOff.lock_version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict("You have already signed this stage.")
    signature = Signature(subject_type="stage_signoff", subject_id=record.id,
                          signer_id=candidate.id, signer_name=candidate.full_name,
                          capacity="candidate", content_hash=digest, signed_at=now)
    session.add(signature)
    session.flush()
    audit.record(session, "stage.candidate_signed", actor_id=candidate.id,
                 subject_type="stage_signoff", subject_id=record.id, enrolment_id=enrolment.id,
                 data={"stage": stage_code, "signature_id": signature.id,
                       "capacity": "candidate", "content_hash": digest})
    return signature


def portfolio_state(session: Session, enrolment: Enrolment) -> dict[str, Any]:
    """Every heading's two ratings and every signed evidence version's hash, as data."""
    ratings: dict[str, dict[str, str]] = {}
    for code, kind, rating in session.execute(
            sa.select(Capability.code, CapabilityRating.rater_kind, CapabilityRating.rating)
            .join(Capability, Capability.id == CapabilityRating.capability_id)
            .where(CapabilityRating.enrolment_id == enrolment.id)):
        ratings.setdefault(code, {})[kind] = rating
    from roadmap.portfolio.models import Evidence

    versions = session.execute(
        sa.select(EvidenceVersion.evidence_id, EvidenceVersion.number, EvidenceVersion.content_hash)
        .join(Evidence, Evidence.id == EvidenceVersion.evidence_id)
        .where(Evidence.enrolment_id == enrolment.id)
        .order_by(EvidenceVersion.evidence_id, EvidenceVersion.number)).all()
    framework = session.scalar(sa.select(FrameworkVersion.content_hash)
                               .where(FrameworkVersion.id == enrolment.framework_version_id))
    return {"ratings": ratings, "framework": framework,
            "evidence": [[e, n, h] for e, n, h in versions]}



def supervisor_sign(session: Session, enrolment: Enrolment, stage_code: str, signer: User,
                    accepted: Iterable[str], acting_reason: Optional[str], today: dt.date,
                    reasons: Union[str, Mapping[str, str], None] = None, *,
                    pid_confirmed: bool = False) -> Signature:
    """The supervisor signs off the stage; if two try at once, exactly one succeeds.

    With guidance unmet, `reasons` says why (see guidance_reasons); they are frozen into
    the signed content, for whoever approves next. What was signed is kept as a new round;
    the stage is complete now only when the supervisor gives its last approval.
    """
    capacity, reason = stage_capacity(session, signer, enrolment.id, today, acting_reason)
    if reason and not pid_confirmed and (found := pid.warnings({"acting_reason": reason})):
        raise Incomplete(pid.PATIENT_DETAILS, found)
    record = signoff_for(session, enrolment, stage_code)
    if record.status in CANDIDATE_SIGNS:
        raise Incomplete("The candidate has not signed yet.",
                         {"candidate": "The candidate signs their declarations first"})
    if record.status != "candidate_signed":
        raise Conflict(_already_signed(session, record))
    checklist = checklists.compute(session, enrolment, stage_code)
    ready(checklist)
    required = declarations(checklist, "supervisor")
    _accepted(required, accepted)
    unmet = guidance_reasons(checklist, reasons, pid_confirmed=pid_confirmed)
    waiting = approvals.waits_for(checklist.stage.requirements)
    now = utcnow()
    content = {**record.signed_content, **portfolio_state(session, enrolment),
               "supervisor": {"id": signer.id, "name": signer.full_name,
                              "capacity": capacity.value, "acting_reason": reason},
               "supervisor_declarations": [d["text"].strip() for d in required],
               "checklist": checklist.summary(), "guidance_unmet": unmet,
               "lna_credits": frozen_credits(session, enrolment, stage_code),
               "completed_at": now.isoformat()}
    digest = content_hash(content)
    result = session.execute(
        sa.update(StageSignOff)
        .where(StageSignOff.id == record.id, StageSignOff.status == "candidate_signed",
               StageSignOff.lock_version == record.lock_version)
        .values(status=approvals.WAITING if waiting else "complete", signed_content=content,
                content_hash=digest, completed_at=None if waiting else now,
                verification_code=None if waiting else approvals.verification_code(),
                lock_version=StageSignOff.lock_version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.refresh(record)
        raise Conflict(_already_signed(session, record))
    session.refresh(record)
    signature = Signature(subject_type="stage_signoff", subject_id=record.id, signer_id=signer.id,
                          signer_name=signer.full_name, capacity=capacity.value,
                          acting_reason=reason, content_hash=digest, signed_at=now)
    session.add(signature)
    kept = approvals.add_round(session, record, content, digest, now)
    if not waiting:
        approvals.record_dates(enrolment, stage_code, today)
    session.flush()
    if found := pid_check.flagged({"acting_reason": reason or "",
                                   **{f"reason:{u['code']}": u["reason"] for u in unmet}}):
        # Signed past a warning (guidance_reasons refused it unconfirmed): fields and kinds only.
        audit.record(session, "stage.pid_confirmed", actor_id=signer.id,
                     subject_type="stage_signoff", subject_id=record.id,
                     enrolment_id=enrolment.id, data=pid_check.audit_data(found))
    audit.record(session, "stage.signed_off", actor_id=signer.id, subject_type="stage_signoff",
                 subject_id=record.id, enrolment_id=enrolment.id,
                 data={"stage": stage_code, "signature_id": signature.id,
                       "capacity": capacity.value, "acting_reason": reason,
                       "content_hash": digest, "verification_code": record.verification_code,
                       "guidance_unmet": [item["code"] for item in unmet],
                       "round": kept.number, "round_id": kept.id, "waiting_for": waiting,
                       "signed_at": clock.written(now)})
    if waiting:
        approvals.tell_waiting(session, enrolment, checklist.stage.name, signer)
    else:
        issued = awards.award(session, record, enrolment, signer.id)
        approvals.tell_complete(session, enrolment, checklist.stage.name,
                                f"{signer.full_name} signed it off", str(record.verification_code),
                                issued is not None)
    return signature


def _already_signed(session: Session, record: StageSignOff) -> str:
    """Who won the race, in words for the one who lost it."""
    signature = session.scalar(sa.select(Signature).where(
        Signature.subject_type == "stage_signoff", Signature.subject_id == record.id,
        Signature.capacity != "candidate").order_by(Signature.id.desc()).limit(1))
    if signature is None:
        return "Someone else signed this stage off a moment ago. Reload the page to see it."
    role = signature.capacity.replace("_", " ")
    return (f"{signature.signer_name} ({role}) has already signed this stage off. "
            "Your signature was not added.")
