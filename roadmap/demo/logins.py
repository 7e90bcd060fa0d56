"""What `roadmap demo` prints: every login with its name, role, capacity and authenticator
secret, and the verification codes of the signed-off stages, read from the database."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap import clock
from roadmap.accounts.models import Role, SupervisorProfile, User
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.demo import people
from roadmap.framework.models import Stage
from roadmap.links import absolute_url
from roadmap.supervision.models import (Signature, SignerCapacity, StageSignOff,
                                        SupervisorAssignment, covering)

ACTING = SignerCapacity.BACKUP_ACTING_FOR_PRIMARY.value


@dataclass(frozen=True)
class Login:
    """One line of the table."""

    email: str
    name: str
    role: str  # the role, and the capacity it is held in
    secret: str


@dataclass(frozen=True)
class Code:
    """A signed-off stage's verification code, and whose it is."""

    code: str
    candidate: str
    stage: str
    url: str


def _teams(session: Session) -> dict[int, dict[str, list[str]]]:
    """Supervisor id: kind -> the names of the candidates they supervise now."""
    found: dict[int, dict[str, list[str]]] = {}
    rows = session.execute(
        sa.select(SupervisorAssignment.supervisor_id, SupervisorAssignment.kind, User.full_name)
        .join(Enrolment, Enrolment.id == SupervisorAssignment.enrolment_id)
        .join(User, User.id == Enrolment.candidate_id)
        .where(covering(clock.now()), Enrolment.status == "active")
        .order_by(User.full_name))
    for supervisor_id, kind, name in rows:
        found.setdefault(supervisor_id, {}).setdefault(kind, []).append(name)
    return found


def _signed_off(session: Session) -> dict[int, list[str]]:
    """Supervisor id: the stages they signed off of candidates now signed off, e.g. "Olivia
    Carter, Stage 2 (acted for the primary)": the backup's story shows in the table too."""
    found: dict[int, list[str]] = {}
    rows = session.execute(
        sa.select(Signature.signer_id, Signature.capacity, User.full_name, Stage.name)
        .join(StageSignOff, sa.and_(Signature.subject_type == "stage_signoff",
                                    Signature.subject_id == StageSignOff.id))
        .join(Enrolment, Enrolment.id == StageSignOff.enrolment_id)
        .join(User, User.id == Enrolment.candidate_id)
        .join(Stage, sa.and_(Stage.framework_version_id == Enrolment.framework_version_id,
                             Stage.code == StageSignOff.stage_code))
        .where(Enrolment.status == "completed",
               Signature.capacity != SignerCapacity.CANDIDATE.value)
        .order_by(User.full_name, Stage.position))
    for signer_id, capacity, name, stage in rows:
        acting = " (acted for the primary)" if capacity == ACTING else ""
        found.setdefault(signer_id, []).append(f"{name}, {stage.split(':')[0]}{acting}")
    return found


def _supervisor(person: people.Person, user: User, teams: dict[int, dict[str, list[str]]],
                profiles: dict[int, SupervisorProfile], done: dict[int, list[str]]) -> str:
    if person.capacity:
        return f"supervisor: {person.capacity}"
    profile = profiles.get(user.id)
    words = people.CATEGORIES.get(profile.category if profile else "", "supervisor")
    if profile is not None:
        words += f", {profile.fte:g} FTE"
    team = teams.get(user.id, {})
    for kind in ("primary", "backup"):
        if team.get(kind):
            words += f"; {kind} for {', '.join(team[kind])}"
    if done.get(user.id):
        words += f"; signed off: {'; '.join(done[user.id])}"
    return f"supervisor ({words})"


def logins(session: Session) -> list[Login]:
    """The demo accounts that exist, in the order of people.EVERYONE."""
    users = {u.email: u for u in session.scalars(
        sa.select(User).where(User.email.in_([p.email for p in people.EVERYONE])))}
    teams, done = _teams(session), _signed_off(session)
    profiles = {p.user_id: p for p in session.scalars(sa.select(SupervisorProfile))}
    hub_of = dict(session.execute(
        sa.select(Enrolment.candidate_id, TrainingHub.name)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(TrainingHub, TrainingHub.id == Cohort.hub_id)).all())
    led = {hub.lead: hub.name for hub in people.HUBS}
    where = {plan.person.email: plan.where for plan in people.PLANS}
    found = []
    for person in people.EVERYONE:
        user = users.get(person.email)
        if user is None:
            continue
        if user.has_role(Role.CANDIDATE):
            hub = hub_of.get(user.id, "").removesuffix(" (demo)")
            role = f"candidate, {user.profession or 'no profession recorded'}, {hub}: " \
                   f"{where.get(person.email, '')}"
        elif user.has_role(Role.SUPERVISOR):
            role = _supervisor(person, user, teams, profiles, done)
        elif user.has_role(Role.HUB_LEAD):
            role = f"training hub lead, {led.get(person.email, '')}"
        else:
            role = person.capacity or ", ".join(r.label for r in user.role_set).lower()
        found.append(Login(user.email, user.full_name, role, user.totp_secret or "-"))
    return found


def codes(session: Session) -> list[Code]:
    """Every signed-off stage's verification code: Stage 2 first, then by candidate."""
    rows = session.execute(
        sa.select(StageSignOff.verification_code, User.full_name, Stage.name, Stage.position)
        .join(Enrolment, Enrolment.id == StageSignOff.enrolment_id)
        .join(User, User.id == Enrolment.candidate_id)
        .join(Stage, sa.and_(Stage.framework_version_id == Enrolment.framework_version_id,
                             Stage.code == StageSignOff.stage_code))
        .where(StageSignOff.status == "complete", StageSignOff.verification_code.is_not(None))
        .order_by(Stage.position.desc(), User.full_name)).all()
    return [Code(code, name, stage, absolute_url("exports.verify", code=code))
            for code, name, stage, _position in rows]


def table(rows: list[Login]) -> list[str]:
    """The logins as aligned lines, headed."""
    head = Login("Email", "Name", "Role and capacity", "Authenticator secret (TOTP)")
    widths = [max(len(getattr(r, f)) for r in [head, *rows]) for f in ("email", "name", "secret")]
    return [f"{r.email:<{widths[0]}}  {r.name:<{widths[1]}}  {r.secret:<{widths[2]}}  {r.role}"
            for r in [head, *rows]]
