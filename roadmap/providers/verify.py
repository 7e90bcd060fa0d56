"""What the education providers decided still holds: the approvals half of `roadmap audit verify`.

Every decision must match the audit event that recorded it (who, what, the reasons and
when), be bound to its round's content hash, judge a round whose content still matches that
hash, be made by someone who reviewed for the provider at the time, and, for a second
review, follow a sampled first approval by another person. A stage signed in rounds whose
approvals end with the education provider is complete only with the provider's approval of
its latest round. Read in batches.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import Stage
from roadmap.portfolio.content import content_hash
from roadmap.providers.models import ProviderDecision, ProviderReviewer
from roadmap.supervision import approvals
from roadmap.supervision.models import StageSignOff, StageSignOffRound

ACTIONS = ("provider.approved", "provider.referred")
BATCH = 1000


@dataclass
class DecisionCheck:
    """What checking the decisions found: how many, and the first problem if any."""

    decisions: int = 0
    problem: Optional[str] = None


def _events(session: Session) -> dict[int, tuple[int, Optional[int], dict[str, Any]]]:
    """Decision id -> (event id, actor, data) of the event that recorded it."""
    found: dict[int, tuple[int, Optional[int], dict[str, Any]]] = {}
    for event_id, actor_id, data in session.execute(
            sa.select(AuditEvent.id, AuditEvent.actor_id, AuditEvent.data)
            .where(AuditEvent.action.in_(ACTIONS)).order_by(AuditEvent.id)):
        data = data or {}
        if str(data.get("decision_id", "")).isdigit():
            found[int(data["decision_id"])] = (event_id, actor_id, data)
    return found


def text_digest(value: Any) -> str:
    """SHA-256 of a reason (a text, a dict of texts, or None) as canonical JSON."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def reasons_sealed(reason: Optional[str], by_heading: Optional[dict[str, str]]) -> dict[str, Any]:
    """What a decision's event keeps of its reasons (issue 22): their digests and lengths, not
    the text. The text stays on the decision's row, where it was checked for patient details;
    the log, which is kept for ever and copied into backups, need not hold a second copy of it.
    The digests bind the row's text as the text itself did: any change to it is found."""
    return {"reason_sha256": text_digest(reason or None), "reason_length": len(reason or ""),
            "heading_reasons_sha256": text_digest(by_heading or None),
            "heading_reasons_count": len(by_heading or {})}


def _reasons_hold(decision: ProviderDecision, data: dict[str, Any]) -> list[str]:
    """The reasons that differ from what the event recorded: the text itself in events made
    before issue 22 (never rewritten), its digest since."""
    if "reason" in data or "heading_reasons" in data:
        return [column for column, same in (
            ("reason", data.get("reason") == decision.reason),
            ("heading_reasons", (data.get("heading_reasons") or None)
             == (decision.heading_reasons or None))) if not same]
    return [column for column, same in (
        ("reason", data.get("reason_sha256") == text_digest(decision.reason or None)),
        ("heading_reasons", data.get("heading_reasons_sha256")
         == text_digest(decision.heading_reasons or None))) if not same]


def _differences(decision: ProviderDecision, actor_id: Optional[int],
                 data: dict[str, Any]) -> list[str]:
    """The columns where the row no longer says what the event recorded; none when it holds.

    What a person reads (the reviewer's name, the reasons, the time) is compared too, where
    the event recorded it: older events lack the name and the time, newer ones keep the
    reasons as digests (see reasons_sealed).
    """
    differ = [column for column, same in (
        ("reviewer_id", actor_id == decision.reviewer_id),
        ("outcome", data.get("outcome") == decision.outcome),
        ("review", data.get("review") == decision.review),
        ("round_id", data.get("round_id") == decision.round_id),
        ("content_hash", data.get("content_hash") == decision.content_hash),
        ("provider_id", data.get("provider_id") == decision.provider_id),
        ("sampled_for_audit", bool(data.get("sampled_for_audit")) == decision.sampled_for_audit),
    ) if not same] + _reasons_hold(decision, data)
    if "reviewer_name" in data and data["reviewer_name"] != decision.reviewer_name:
        differ.append("reviewer_name")
    if "decided_at" in data and not clock.same_moment(data["decided_at"], decision.decided_at):
        differ.append("decided_at")
    return differ


def _reviewed_then(periods: list[ProviderReviewer], decision: ProviderDecision) -> bool:
    """True when the person reviewed for the provider at the moment they decided."""
    return any(p.provider_id == decision.provider_id and p.added_at <= decision.decided_at
               and (p.ended_at is None or p.ended_at > decision.decided_at) for p in periods)


def _check_one(decision: ProviderDecision, event: Any, kept: Optional[StageSignOffRound],
               periods: list[ProviderReviewer],
               first: Optional[ProviderDecision]) -> Optional[str]:
    """What is wrong with one decision; None when it holds."""
    name = (f"provider decision {decision.id} ({decision.outcome} by {decision.reviewer_name}, "
            f"{decision.review} review)")
    if event is None:
        return f"{name} has no event in the audit log: it was added outside the application"
    differ = _differences(decision, event[1], event[2])
    if differ:
        return (f"{name} does not match audit event {event[0]} that recorded it "
                f"({', '.join(differ)})")
    if kept is None or kept.content_hash != decision.content_hash:
        return f"{name} is not bound to the round it judged"
    if content_hash(kept.signed_content) != kept.content_hash:
        return (f"{name}: round {kept.number} of stage sign-off {kept.signoff_id} no longer "
                "matches the hash that was approved")
    if not _reviewed_then(periods, decision):
        return f"{name}: {decision.reviewer_name} did not review for that provider then"
    if decision.review == "second" and (first is None or not first.sampled_for_audit
                                        or first.reviewer_id == decision.reviewer_id):
        return f"{name}: a second review needs a sampled first approval by another reviewer"
    return None


def _check_batch(session: Session, decisions: list[ProviderDecision],
                 events: dict[int, Any]) -> Optional[str]:
    """One batch of decisions, with their rounds, reviewers and first reviews."""
    round_ids = {d.round_id for d in decisions}
    rounds = {r.id: r for r in session.scalars(sa.select(StageSignOffRound).where(
        StageSignOffRound.id.in_(round_ids)).execution_options(populate_existing=True))}
    firsts = {d.round_id: d for d in session.scalars(sa.select(ProviderDecision).where(
        ProviderDecision.round_id.in_(round_ids), ProviderDecision.review == "first"))}
    periods: dict[int, list[ProviderReviewer]] = {}
    for row in session.scalars(sa.select(ProviderReviewer).where(
            ProviderReviewer.user_id.in_({d.reviewer_id for d in decisions}))):
        periods.setdefault(row.user_id, []).append(row)
    for decision in decisions:
        problem = _check_one(decision, events.get(decision.id), rounds.get(decision.round_id),
                             periods.get(decision.reviewer_id, []),
                             firsts.get(decision.round_id))
        if problem:
            return problem
    return None


def _final_approval(decided: list[ProviderDecision]) -> bool:
    """True when a round's decisions end in an approval that is the last one needed."""
    first = next((d for d in decided if d.review == "first"), None)
    second = next((d for d in decided if d.review == "second"), None)
    if first is None or first.outcome != "approved":
        return False
    return not first.sampled_for_audit or (second is not None and second.outcome == "approved")


def _check_completions(session: Session) -> Optional[str]:
    """A stage signed in rounds is complete only with every approval its roadmap asks for."""
    latest = (sa.select(StageSignOffRound.signoff_id,
                        sa.func.max(StageSignOffRound.number).label("number"))
              .group_by(StageSignOffRound.signoff_id).subquery())
    rows = session.execute(
        sa.select(StageSignOff.id, StageSignOff.stage_code, StageSignOffRound.id,
                  Stage.requirements)
        .join(latest, latest.c.signoff_id == StageSignOff.id)
        .join(StageSignOffRound, sa.and_(StageSignOffRound.signoff_id == StageSignOff.id,
                                         StageSignOffRound.number == latest.c.number))
        .join(Enrolment, Enrolment.id == StageSignOff.enrolment_id)
        .join(Stage, sa.and_(Stage.framework_version_id == Enrolment.framework_version_id,
                             Stage.code == StageSignOff.stage_code))
        .where(StageSignOff.status == "complete")).all()
    needing = [(s, code, r) for s, code, r, rules in rows
               if approvals.waits_for(rules or {}) == "education_provider"]
    for start in range(0, len(needing), BATCH):
        chunk = needing[start:start + BATCH]
        decided: dict[int, list[ProviderDecision]] = {}
        for decision in session.scalars(sa.select(ProviderDecision).where(
                ProviderDecision.round_id.in_([r for _, _, r in chunk]))):
            decided.setdefault(decision.round_id, []).append(decision)
        for signoff_id, code, round_id in chunk:
            if not _final_approval(decided.get(round_id, [])):
                return (f"stage sign-off {signoff_id} ({code}) is marked complete without the "
                        "education provider's approval")
    return None


def check_decisions(session: Session) -> DecisionCheck:
    """Every provider decision, then every completed stage that needed one."""
    report, events, last = DecisionCheck(), _events(session), 0
    while True:
        decisions = list(session.scalars(
            sa.select(ProviderDecision).where(ProviderDecision.id > last)
            .order_by(ProviderDecision.id).limit(BATCH)
            .execution_options(populate_existing=True)))
        if not decisions:
            break
        report.decisions += len(decisions)
        report.problem = _check_batch(session, decisions, events)
        if report.problem:
            return report
        last = decisions[-1].id
        session.expunge_all()
    report.problem = _check_completions(session)
    return report
