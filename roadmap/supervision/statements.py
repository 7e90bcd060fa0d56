"""Who approved a stage, in what capacity and on what grounds: what statements say (rule D11).

Read from the records, never from the live portfolio: the signatures, each round the
supervisor signed off (with the reasons for guidance left unmet), and the education provider's
decisions on each round, the audit sample's second review among them. Nothing here claims
more than happened: a stage is signed off by a supervisor and, where the roadmap asks for it,
approved by an education provider.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.cohorts.models import Enrolment
from roadmap.framework import strengths
from roadmap.framework.models import Capability, Stage
from roadmap.portfolio.content import content_hash
from roadmap.providers.models import EducationProvider, ProviderDecision
from roadmap.supervision.models import Signature, StageSignOff, StageSignOffRound
from roadmap.supervision.timeline import CAPACITY

LEGACY_SUPERVISOR = "Signed off by the supervisor (route before 2024)"


@dataclass(frozen=True)
class Decision:
    """One education provider's decision on a round: approved or referred, first or second."""

    review: str  # first, or second (the audit sample)
    outcome: str  # approved or referred
    provider: str
    reviewer: str
    decided_at: dt.datetime
    reason: Optional[str]
    headings: list[tuple[str, str]]  # (heading, reason) the reviewer named
    sampled: bool  # a first approval chosen for a second review
    bound: bool  # bound to its round's hash, and the round's content to that hash


@dataclass
class Round:
    """One supervisor sign-off of the stage, as frozen, and what the provider decided on it."""

    number: int
    signed_at: dt.datetime
    supervisor: str  # name and capacity, in words
    guidance_unmet: list[dict[str, str]]  # label, detail and the supervisor's reason
    decisions: list[Decision] = field(default_factory=list)

    @property
    def referral(self) -> Optional[Decision]:
        """The provider's referral of this round, if it was referred back."""
        return next((d for d in self.decisions if d.outcome == "referred"), None)


@dataclass(frozen=True)
class Approval:
    """One line of a statement: who approved, in what capacity, when."""

    label: str
    text: str
    at: Optional[dt.datetime]
    # The line without a free-text reason (a backup's "the primary is on leave…" is about a
    # third person): what a credential, public and permanent, carries. None: the same as text.
    public_text: Optional[str] = None

    @property
    def line(self) -> str:
        """The approval in one line of words."""
        when = f", {clock.in_words(self.at)}" if self.at else ""
        return f"{self.label}: {self.text}{when}"


@dataclass
class Approvals:
    """Everything a statement says about how one stage was signed off and approved."""

    signoff_id: int
    stage_name: str
    status: str
    legacy: bool  # signed under version 1 of the rules: the route before 2024
    parties: list[str]  # who approves the stage, in order
    approvals: list[Approval]
    guidance_unmet: list[dict[str, str]]  # of the round signed off last
    rounds: list[Round]
    bound: bool  # every approval is bound to the content it approved

    @property
    def referrals(self) -> list[tuple[int, Decision]]:
        """(round number, referral) for each round the provider sent back."""
        return [(r.number, r.referral) for r in self.rounds if r.referral is not None]


def _signer(signature: Signature, reason: bool = True) -> str:
    capacity = CAPACITY.get(signature.capacity, signature.capacity.replace("_", " "))
    acting = f" ({signature.acting_reason})" if signature.acting_reason and reason else ""
    return f"{signature.signer_name}, {capacity.removeprefix('as ')}{acting}"


def _supervisor_words(content: dict[str, Any]) -> str:
    person = content.get("supervisor") or {}
    capacity = CAPACITY.get(person.get("capacity", ""), "as supervisor").removeprefix("as ")
    return f"{person.get('name', 'A supervisor')}, {capacity}"


def _approvals(legacy: bool, signatures: list[Signature], rounds: list[Round]) -> list[Approval]:
    # After a referral both sign again: the statement names the signatures that stand.
    candidate = next((s for s in reversed(signatures) if s.capacity == "candidate"), None)
    supervisor = next((s for s in reversed(signatures) if s.capacity != "candidate"), None)
    found = []
    if candidate is not None:
        found.append(Approval("Declared by the candidate", candidate.signer_name,
                              candidate.signed_at))
    if supervisor is not None:
        found.append(Approval(LEGACY_SUPERVISOR if legacy else "Signed off by the supervisor",
                              _signer(supervisor), supervisor.signed_at,
                              _signer(supervisor, reason=False)))
    last = rounds[-1] if rounds else None
    for d in last.decisions if last else []:
        if d.outcome != "approved":
            continue
        if d.review == "first":
            sampled = "; sampled for audit" if d.sampled else ""
            found.append(Approval("Approved by the education provider",
                                  f"{d.provider} (reviewed by {d.reviewer}{sampled})",
                                  d.decided_at))
        else:
            found.append(Approval("Audit sample: second review by the education provider",
                                  f"{d.provider} (reviewed by {d.reviewer}), approved",
                                  d.decided_at))
    return found


def approvals_for(session: Session, signoff_ids: Iterable[int]) -> dict[int, Approvals]:
    """Sign-off id: its approvals, rounds and reasons; five statements at most, whatever the ids."""
    ids = list(signoff_ids)
    if not ids:
        return {}
    records = session.execute(
        sa.select(StageSignOff, Stage.name, Stage.requirements, Enrolment.framework_version_id)
        .join(Enrolment, Enrolment.id == StageSignOff.enrolment_id)
        .outerjoin(Stage, sa.and_(Stage.framework_version_id == Enrolment.framework_version_id,
                                  Stage.code == StageSignOff.stage_code))
        .where(StageSignOff.id.in_(ids))).all()
    signatures: dict[int, list[Signature]] = defaultdict(list)
    for s in session.scalars(sa.select(Signature).where(
            Signature.subject_type == "stage_signoff", Signature.subject_id.in_(ids))
            .order_by(Signature.signed_at, Signature.id)):
        signatures[s.subject_id].append(s)
    rounds = list(session.scalars(sa.select(StageSignOffRound).where(
        StageSignOffRound.signoff_id.in_(ids)).order_by(StageSignOffRound.number)))
    decisions: dict[int, list[Any]] = defaultdict(list)
    for d, provider in session.execute(
            sa.select(ProviderDecision, EducationProvider.name)
            .join(EducationProvider, EducationProvider.id == ProviderDecision.provider_id)
            .where(ProviderDecision.round_id.in_([r.id for r in rounds]))
            .order_by(ProviderDecision.decided_at, ProviderDecision.id)):
        decisions[d.round_id].append((d, provider))
    titles = _titles(session, {version for *_, version in records}, decisions)
    by_signoff: dict[int, list[Round]] = defaultdict(list)
    for r in rounds:
        intact = content_hash(r.signed_content) == r.content_hash
        by_signoff[r.signoff_id].append(Round(
            r.number, r.signed_at, _supervisor_words(r.signed_content),
            list(r.signed_content.get("guidance_unmet") or []),
            [Decision(d.review, d.outcome, provider, d.reviewer_name, d.decided_at, d.reason,
                      [(titles.get(code, code), str(why))
                       for code, why in (d.heading_reasons or {}).items()],
                      d.sampled_for_audit, intact and d.content_hash == r.content_hash)
             for d, provider in decisions[r.id]]))
    found = {}
    for record, name, requirements, _version in records:
        legacy = not strengths.has_strengths(requirements or {})
        kept = by_signoff[record.id]
        unmet = (kept[-1].guidance_unmet if kept
                 else list((record.signed_content or {}).get("guidance_unmet") or []))
        found[record.id] = Approvals(
            record.id, name or record.stage_code, record.status, legacy,
            strengths.approvals(requirements or {}),
            _approvals(legacy, signatures[record.id], kept), unmet, kept,
            all(d.bound for r in kept for d in r.decisions))
    return found


def _titles(session: Session, versions: set[int],
            decisions: dict[int, list[Any]]) -> dict[str, str]:
    """Heading code: "code. title", only when a decision names headings."""
    if not any(d.heading_reasons for found in decisions.values() for d, _ in found):
        return {}
    return {code: f"{code}. {title}" for code, title in session.execute(
        sa.select(Capability.code, Capability.title)
        .where(Capability.framework_version_id.in_(versions)))}


def approvals_of(session: Session, record: StageSignOff) -> Approvals:
    """The approvals of one sign-off."""
    return approvals_for(session, [record.id])[record.id]
