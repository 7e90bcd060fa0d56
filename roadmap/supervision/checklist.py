"""The stage checklist, computed from the framework's rules: what is met and what is missing.

Each check carries its strength from the framework (rule D10): a gate blocks sign-off until
met; unmet guidance lets the stage be signed off with the supervisor's reason.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.clock import day_of, long_date
from roadmap.cohorts.models import Enrolment
from roadmap.feedback.models import FeedbackResponse
from roadmap.framework import strengths
from roadmap.framework.models import Capability, EvidenceType, Stage
from roadmap.lna.credits import credited
from roadmap.portfolio.models import Evidence, EvidenceCapability
from roadmap.portfolio.progress import COUNTED_STATUSES
from roadmap.supervision.external import pending_titles
from roadmap.supervision.models import CapabilityRating, StageSignOff
from roadmap.supervision.ratings import capability_scale


@dataclass
class Check:
    """One line of the checklist."""

    code: str
    label: str
    met: bool
    detail: str
    missing: list[str] = field(default_factory=list)
    strength: str = strengths.GATE
    own_label: Optional[str] = None  # the label as the candidate reads it, where it names them

    @property
    def is_gate(self) -> bool:
        """True when the stage cannot be signed off until this check is met."""
        return self.strength == strengths.GATE


@dataclass
class Checklist:
    """Every check of one stage for one enrolment."""

    stage: Stage
    checks: list[Check]

    @property
    def all_met(self) -> bool:
        """True when nothing is missing, gates and guidance alike."""
        return all(check.met for check in self.checks)

    @property
    def gates_met(self) -> bool:
        """True when every gate is met: the stage can be signed off (with reasons for guidance)."""
        return all(check.met for check in self.checks if check.is_gate)

    @property
    def unmet_guidance(self) -> list[Check]:
        """The guidance not met, for which a supervisor signing off gives a reason."""
        return [check for check in self.checks if not check.met and not check.is_gate]

    def summary(self) -> list[dict[str, Any]]:
        """The checks as plain data, for the signed record."""
        return [{"code": c.code, "label": c.label, "met": c.met, "detail": c.detail,
                 "strength": c.strength} for c in self.checks]


def _stage(session: Session, enrolment: Enrolment, stage_code: str) -> Stage:
    stage = session.scalar(sa.select(Stage).where(
        Stage.framework_version_id == enrolment.framework_version_id, Stage.code == stage_code))
    if stage is None:
        raise LookupError(f"no stage {stage_code!r} in this roadmap")
    return stage


def compute(session: Session, enrolment: Enrolment, stage_code: str) -> Checklist:
    """Work out every requirement of a stage for an enrolment, in a fixed number of queries."""
    stage = _stage(session, enrolment, stage_code)
    rules = stage.requirements
    capabilities = session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == enrolment.framework_version_id)
        .order_by(Capability.position)).all()
    if rules.get("capabilities"):
        capabilities = [c for c in capabilities if c.code in set(rules["capabilities"])]
    types = {t.code: t.id for t in session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == enrolment.framework_version_id))}
    checks: list[Check] = []
    if rules.get("requires_stage"):
        checks.append(_previous_stage(session, enrolment, rules["requires_stage"]))
    for module in rules.get("required_elearning", []):
        checks.append(_certificate(session, enrolment, types.get(module["evidence_type"]), module))
    if rules.get("min_evidence_per_capability"):
        checks.append(_evidence_per_heading(session, enrolment, capabilities, rules, types))
    if "wpba_pace" in strengths.stage_checks(rules):
        checks.append(_wpba_pace(session, enrolment, rules, types))
    if rules.get("sign_off", {}).get("every_capability_supportive"):
        checks.extend(_ratings(session, enrolment, capabilities))
    for kind in ("msf", "psq"):
        if rules.get(kind):
            checks.append(_feedback(session, enrolment, kind, rules[kind],
                                    types.get(rules[kind]["evidence_type"])))
    unreviewed = _external_unreviewed(session, enrolment, rules, types)
    if unreviewed is not None:
        checks.append(unreviewed)
    credits = credited(session, enrolment, stage_code)  # earlier study, from the LNA (D12)
    for check in checks:
        check.strength = strengths.strength(rules, check.code)
        if check.code in credits:
            check.met, check.detail, check.missing = True, credits[check.code].detail, []
    return Checklist(stage, checks)


def _external_unreviewed(session: Session, enrolment: Enrolment, rules: dict[str, Any],
                         types: dict[str, int]) -> Optional[Check]:
    """Not a framework rule but the app's own: no stage rests on an external signature unseen.

    Shown only while one waits, so portfolios without external assessments see no new line.
    """
    accepted = ([types[code] for code in rules["evidence_types"] if code in types]
                if rules.get("evidence_types") else None)
    waiting = pending_titles(session, enrolment.id, accepted)
    if not waiting:
        return None
    return Check("external_reviewed", "A supervisor has reviewed every external assessor's "
                 "signature", False, f"{len(waiting)} signed by an external assessor, waiting "
                 "for a supervisor to accept or dispute.", waiting)


def _previous_stage(session: Session, enrolment: Enrolment, code: str) -> Check:
    done = session.scalar(sa.select(StageSignOff.completed_at).where(
        StageSignOff.enrolment_id == enrolment.id, StageSignOff.stage_code == code,
        StageSignOff.status == "complete"))
    name = session.scalar(sa.select(Stage.name).where(
        Stage.framework_version_id == enrolment.framework_version_id, Stage.code == code)) or code
    if done is None:
        return Check("requires_stage", f"{name} verified first", False,
                     f"{name} has not been signed off yet.")
    return Check("requires_stage", f"{name} verified first", True,
                 f"{name} was signed off on {long_date(day_of(done))}.")


def _certificate(session: Session, enrolment: Enrolment, type_id: Optional[int],
                 module: dict[str, Any]) -> Check:
    items = session.scalars(sa.select(Evidence.fields).where(
        Evidence.enrolment_id == enrolment.id, Evidence.evidence_type_id == type_id,
        Evidence.status.in_(COUNTED_STATUSES))).all()
    met = any((fields or {}).get("module") == module["code"] for fields in items)
    label = f"Certificate: {module['title']}"
    return Check(f"elearning:{module['code']}", label, met,
                 "Certificate in the portfolio." if met else
                 "No certificate yet: add it as e-learning evidence and choose this module.")


def _evidence_per_heading(session: Session, enrolment: Enrolment, capabilities: list[Capability],
                          rules: dict[str, Any], types: dict[str, int]) -> Check:
    minimum = rules["min_evidence_per_capability"]
    accepted = [types[code] for code in rules.get("evidence_types", []) if code in types]
    counts = Counter(dict(session.execute(
        sa.select(EvidenceCapability.capability_id, sa.func.count())
        .join(Evidence, Evidence.id == EvidenceCapability.evidence_id)
        .where(Evidence.enrolment_id == enrolment.id, Evidence.status.in_(COUNTED_STATUSES),
               Evidence.evidence_type_id.in_(accepted))
        .group_by(EvidenceCapability.capability_id)).all()))
    short = [f"{c.code}. {c.title} ({counts[c.id]} of {minimum})" for c in capabilities
             if counts[c.id] < minimum]
    enough = len(capabilities) - len(short)
    return Check("evidence_per_heading", f"At least {minimum} pieces of evidence for every heading",
                 not short, f"{enough} of {len(capabilities)} headings have enough evidence.", short)


def _wpba_pace(session: Session, enrolment: Enrolment, rules: dict[str, Any],
               types: dict[str, int]) -> Check:
    """The WPBAs a full-time stage makes at the expected pace (D3: 2 a month for 6 months).

    Counted over the whole stage rather than month by month, so a part-time candidate who
    takes longer reaches it too.
    """
    per_month, months = rules["wpba_per_month"], rules["expected_months"]
    need = per_month * months
    accepted = [types[code] for code in rules.get("evidence_types", []) if code in types]
    done = session.scalar(
        sa.select(sa.func.count()).select_from(Evidence)
        .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .where(Evidence.enrolment_id == enrolment.id, EvidenceType.is_wpba.is_(True),
               Evidence.evidence_type_id.in_(accepted),
               Evidence.status.in_(COUNTED_STATUSES))) or 0
    return Check("wpba_pace", f"At least {need} workplace-based assessments ({per_month} a month "
                 f"over {months} months)", done >= need, f"{done} of {need} WPBAs.")


def _ratings(session: Session, enrolment: Enrolment, capabilities: list[Capability]) -> list[Check]:
    levels = capability_scale(session, enrolment.framework_version_id)
    supportive = {level["code"] for level in levels if level.get("supportive")}
    labels = " or ".join(level["label"].lower() for level in levels if level.get("supportive"))
    given: dict[str, dict[int, str]] = defaultdict(dict)
    for capability_id, kind, rating in session.execute(
            sa.select(CapabilityRating.capability_id, CapabilityRating.rater_kind,
                      CapabilityRating.rating).where(CapabilityRating.enrolment_id == enrolment.id)):
        given[kind][capability_id] = rating
    unrated_self = [f"{c.code}. {c.title}" for c in capabilities if c.id not in given["self"]]
    not_supported = [f"{c.code}. {c.title}" for c in capabilities
                     if given["supervisor"].get(c.id) not in supportive]
    return [
        Check("self_ratings", "The candidate has rated themselves on every heading",
              not unrated_self, f"{len(capabilities) - len(unrated_self)} of {len(capabilities)} "
              "headings self-rated.", unrated_self,
              own_label="You have rated yourself on every heading"),
        Check("supervisor_ratings", f"The supervisor rates every heading {labels}",
              not not_supported, f"{len(capabilities) - len(not_supported)} of "
              f"{len(capabilities)} headings rated {labels}.", not_supported),
    ]


def _feedback(session: Session, enrolment: Enrolment, kind: str, rule: dict[str, Any],
              type_id: Optional[int]) -> Check:
    """The best round of MSF or PSQ against the minimum responses (rule D7)."""
    rows = session.execute(
        sa.select(FeedbackResponse.evidence_id, FeedbackResponse.respondent_group, sa.func.count())
        .join(Evidence, Evidence.id == FeedbackResponse.evidence_id)
        .where(Evidence.enrolment_id == enrolment.id, Evidence.evidence_type_id == type_id)
        .group_by(FeedbackResponse.evidence_id, FeedbackResponse.respondent_group)).all()
    rounds: dict[int, Counter] = defaultdict(Counter)
    for evidence_id, group, count in rows:
        rounds[evidence_id][group] += count
    name = "Multi-source feedback" if kind == "msf" else "Patient questionnaire"
    if not rule.get("min_responses"):
        # No minimum set (D7): a round with responses in the portfolio is what is asked.
        best = max((sum(g.values()) for g in rounds.values()), default=0)
        return Check(kind, f"{name}: a round with responses", best > 0,
                     f"{best} response{'' if best == 1 else 's'} in the fullest round." if best
                     else "No responses yet.")
    need = rule["min_responses"]
    need_clinical, need_other = rule.get("min_clinical", 0), rule.get("min_non_clinical", 0)

    def enough(groups: Counter) -> bool:
        return (sum(groups.values()) >= need and groups["clinical"] >= need_clinical
                and groups["non_clinical"] >= need_other)

    best = max(rounds.values(), key=lambda g: (enough(g), sum(g.values())), default=Counter())
    detail = f"{sum(best.values())} of {need} responses"
    if kind == "msf":
        detail += (f" ({best['clinical']} of {need_clinical} clinical, "
                   f"{best['non_clinical']} of {need_other} non-clinical)")
    return Check(kind, f"{name}: at least {need} responses", enough(best), detail + ".")
