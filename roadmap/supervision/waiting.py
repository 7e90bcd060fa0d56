"""Where each stage of an enrolment waits, and on whom (rule D11), for a set of enrolments at once.

The candidate, the supervisors and the hub all read the same answer, worked out from the
sign-off's status, its latest round and the education provider's decisions on that round, in
one statement whatever the number of enrolments.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any, Iterable, Optional, Union

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from roadmap import clock
from roadmap.cohorts.models import Enrolment
from roadmap.framework.models import Stage
from roadmap.providers.models import DecisionOutcome, EducationProvider, ProviderDecision
from roadmap.supervision.models import StageSignOff, StageSignOffRound

CANDIDATE, SUPERVISOR, PROVIDER, SECOND_REVIEW, REFERRED, SIGNED_OFF = (
    "candidate", "supervisor", "provider", "second_review", "referred", "signed_off")


@dataclass(frozen=True)
class Referral:
    """The education provider's referral of a stage back to the candidate and supervisor."""

    on: dt.date
    reason: str
    provider: str


@dataclass(frozen=True)
class StageWait:
    """Where one stage of one enrolment waits: its state in words, since when, on whom."""

    enrolment_id: int
    stage_code: str
    stage_name: str
    state: str  # CANDIDATE, SUPERVISOR, PROVIDER, SECOND_REVIEW, REFERRED or SIGNED_OFF
    today: dt.date
    since: Optional[dt.date] = None  # when the provider's wait began
    provider: Optional[str] = None  # the education provider it waits for
    referral: Optional[Referral] = None  # the last referral, until the supervisor signs again
    signed_off_on: Optional[dt.date] = None
    # While it waits on the candidate: (met, total) of the checks that must be met, when worked
    # out (one enrolment's pages); None on the hub's dashboard, which counts no checklists.
    gates: Optional[tuple[int, int]] = None

    @property
    def gates_unmet(self) -> bool:
        """True when the candidate cannot sign yet: a check that must be met is not."""
        return self.gates is not None and self.gates[0] < self.gates[1]

    @property
    def days(self) -> Optional[int]:
        """How many days the provider has had it; None when it does not wait for a provider."""
        if self.since is None or self.state not in (PROVIDER, SECOND_REVIEW):
            return None
        return max(0, (self.today - self.since).days)

    @property
    def waits_for_provider(self) -> bool:
        """True while the education provider's first or second review is awaited."""
        return self.state in (PROVIDER, SECOND_REVIEW)

    @property
    def words(self) -> str:
        """The wait in one line, as every page and the CSV show it."""
        provider = self.provider or "not named yet: the training hub sets it"
        if self.state == SIGNED_OFF:
            return "Signed off"
        if self.state == REFERRED and self.referral is not None:
            return (f"Referred back by the education provider on "
                    f"{clock.long_date(self.referral.on)}: {self.referral.reason}")
        if self.waits_for_provider:
            who = ("the education provider" if self.state == PROVIDER
                   else "a second review by the education provider (audit sample)")
            if self.since is None:
                return f"Waiting for {who} ({provider})"
            if not self.days:
                return f"Waiting for {who} ({provider}) since today"
            return (f"Waiting for {who} ({provider}) since {clock.long_date(self.since)}, "
                    f"{clock.day_count(self.days)}")
        if self.state == CANDIDATE and self.gates_unmet:
            met, total = self.gates or (0, 0)
            line = f"Working toward the checklist: {met} of {total} must-be-met checks met"
        elif self.state == CANDIDATE and self.gates is None:
            line = "With the candidate: the checklist, then their declaration"
        elif self.state == CANDIDATE:
            line = "Waiting for the candidate's declaration"
        else:
            line = "Waiting for the supervisor's sign-off"
        if self.referral is not None:
            on = clock.long_date(self.referral.on)
            line += f" (referred back by the education provider on {on})"
        return line

    @property
    def own_words(self) -> str:
        """The wait as the candidate reads it about their own stage ("your declaration")."""
        if self.state == CANDIDATE and self.gates_unmet:
            met, total = self.gates or (0, 0)
            line = f"Waiting for the checks that must be met: {met} of {total} met"
            return self.words.replace(self.words.split(" (referred back")[0], line, 1)
        return self.words.replace("Waiting for the candidate's declaration",
                                  "Waiting for your declaration")


Scope = Union[Iterable[int], sa.Select]


def _decisions(rows: list[Any]) -> tuple[Optional[Any], Optional[Any]]:
    """The first and the second review of a round, from its joined rows."""
    found = {row.review: row for row in rows if row.review is not None}
    return found.get("first"), found.get("second")


def _wait(rows: list[Any], today: dt.date) -> StageWait:
    """One stage's wait, from its rows: the sign-off, and a decision on its latest round each."""
    record = rows[0]
    base = {"enrolment_id": record.enrolment_id, "stage_code": record.stage_code,
            "stage_name": record.stage_name, "today": today, "provider": record.provider}
    if record.status is None:
        return StageWait(state=CANDIDATE, **base)
    first, second = _decisions(rows)
    last = second or first
    referral = None
    if last is not None and last.outcome == DecisionOutcome.REFERRED.value:
        referral = Referral(clock.day_of(last.decided_at), last.reason or "", last.decided_by)
    if record.status == "complete":
        done = record.completed_at
        return StageWait(state=SIGNED_OFF, signed_off_on=clock.day_of(done) if done else None,
                         **base)
    if record.status == "referred":
        return StageWait(state=REFERRED, referral=referral, **base)
    if record.status == "supervisor_signed" and referral is None:
        if first is not None and first.sampled_for_audit and second is None:
            return StageWait(state=SECOND_REVIEW, since=clock.day_of(first.decided_at),
                             **{**base, "provider": first.decided_by})
        since = record.round_signed_at
        return StageWait(state=PROVIDER, since=clock.day_of(since) if since else None, **base)
    state = SUPERVISOR if record.status == "candidate_signed" else CANDIDATE
    return StageWait(state=state, referral=referral, **base)


def stage_waits(session: Session, scope: Scope, today: dt.date) -> dict[int, list[StageWait]]:
    """Enrolment id: every stage of its roadmap in order, with where each waits.

    `scope` is a list of enrolment ids, or a SELECT of them. One statement, whatever its size:
    a row for each stage of each enrolment, and one more for each decision on a latest round.
    """
    latest = (sa.select(StageSignOffRound.signoff_id,
                        sa.func.max(StageSignOffRound.number).label("number"))
              .join(StageSignOff, StageSignOff.id == StageSignOffRound.signoff_id)
              .where(StageSignOff.enrolment_id.in_(scope))
              .group_by(StageSignOffRound.signoff_id).subquery("latest"))
    S, R, D = StageSignOff, StageSignOffRound, ProviderDecision
    named = aliased(EducationProvider, name="named")  # the enrolment's provider
    deciding = aliased(EducationProvider, name="deciding")
    rows = session.execute(
        sa.select(Enrolment.id.label("enrolment_id"), named.name.label("provider"),
                  Stage.code.label("stage_code"), Stage.name.label("stage_name"), S.status,
                  S.completed_at, R.signed_at.label("round_signed_at"), D.review, D.outcome,
                  D.reason, D.decided_at, D.sampled_for_audit,
                  deciding.name.label("decided_by"))
        .join(Stage, Stage.framework_version_id == Enrolment.framework_version_id)
        .outerjoin(named, named.id == Enrolment.provider_id)
        .outerjoin(S, sa.and_(S.enrolment_id == Enrolment.id, S.stage_code == Stage.code))
        .outerjoin(latest, latest.c.signoff_id == S.id)
        .outerjoin(R, sa.and_(R.signoff_id == latest.c.signoff_id, R.number == latest.c.number))
        .outerjoin(D, D.round_id == R.id)
        .outerjoin(deciding, deciding.id == D.provider_id)
        .where(Enrolment.id.in_(scope))
        .order_by(Enrolment.id, Stage.position, Stage.id)).all()
    by_stage: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for row in rows:
        by_stage[(row.enrolment_id, row.stage_code)].append(row)
    found: dict[int, list[StageWait]] = defaultdict(list)
    for (enrolment_id, _code), stage_rows in by_stage.items():
        found[enrolment_id].append(_wait(stage_rows, today))
    return found


def with_gates(session: Session, enrolment_id: int, waits: list[StageWait]) -> list[StageWait]:
    """One enrolment's waits, each waiting on the candidate told how many must-be-met checks
    are met: the candidate cannot declare until all are, so "waiting for your declaration"
    would send people chasing the wrong thing (issue 17 #4). A checklist per such stage: for
    one enrolment's pages, not the hub's dashboard of hundreds."""
    from roadmap.supervision import checklist as checklists  # the checklist reads waits' tables
    enrolment = session.get(Enrolment, enrolment_id)
    found = []
    for wait in waits:
        if wait.state == CANDIDATE and enrolment is not None:
            checks = [c for c in checklists.compute(session, enrolment, wait.stage_code).checks
                      if c.is_gate]
            wait = replace(wait, gates=(sum(c.met for c in checks), len(checks)))
        found.append(wait)
    return found


def one_enrolment(session: Session, enrolment_id: int, today: dt.date) -> list[StageWait]:
    """Every stage of one enrolment in order, with where each waits and, where it waits on
    the candidate, how many must-be-met checks are met."""
    return with_gates(session, enrolment_id,
                      stage_waits(session, [enrolment_id], today).get(enrolment_id, []))


def stage_wait(session: Session, enrolment_id: int, stage_code: str, today: dt.date) -> StageWait:
    """Where one stage of one enrolment waits; LookupError when its roadmap has no such stage."""
    for wait in one_enrolment(session, enrolment_id, today):
        if wait.stage_code == stage_code:
            return wait
    raise LookupError(f"no stage {stage_code!r} in this roadmap")


def current(waits: list[StageWait]) -> Optional[StageWait]:
    """The stage the enrolment is at: the first not signed off, or the last when all are."""
    return next((w for w in waits if w.state != SIGNED_OFF), waits[-1] if waits else None)
