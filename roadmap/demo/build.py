"""Create the demo hub, cohort, people, enrolments and evidence in every state (idempotent)."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.accounts.models import Role, SupervisorProfile, User
from roadmap.accounts.passwords import hash_password
from roadmap.accounts.service import create_user, find_user
from roadmap.audit import service as audit
from roadmap.cohorts.models import Cohort, Employer, Enrolment, TrainingHub
from roadmap.db import utcnow
from roadmap.demo import people
from roadmap.demo.evidence import case_title, sample_answers
from roadmap.framework import definitions
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion
from roadmap.portfolio.content import content_hash, evidence_content
from roadmap.portfolio.models import Evidence, EvidenceCapability, EvidenceVersion
from roadmap.regions.models import Region
from roadmap.regions.service import create_region
from roadmap.supervision.models import CapabilityRating, Signature, SupervisorAssignment

# The order items cycle through, so every candidate with a few items has each state.
STATES = ("signed", "submitted", "draft", "signed", "returned", "signed", "changed_since_signed",
          "signed", "draft", "signed")
TYPES = ("cbd", "cot", "reflection", "mini_cex", "case_mix", "learning_log", "ceps_dops",
         "tutorial_record", "cbd", "cot", "case_mix", "elearning_certificate")


def upsert_people(session: Session, password: str, profile: str, hub: TrainingHub) -> dict[str, User]:
    """Create the demo accounts, or reset their password; second factors where roles need them."""
    accounts: dict[str, User] = {}
    everyone = (*people.SUPERVISORS, people.HUB_LEAD, people.ADMIN, *people.CANDIDATES)
    for person in everyone:
        user = find_user(session, person.email)
        if user is None:
            user = create_user(session, person.email, person.full_name,
                               [Role(r) for r in person.roles], password, profile,
                               hub_id=hub.id, profession=person.profession,
                               registration_body=person.registration_body,
                               registration_number=person.registration_number)
        else:
            user.password_hash = hash_password(password, profile)
            user.is_active = True
        if user.needs_two_factor and not user.totp_secret:
            user.totp_secret, user.totp_confirmed_at = pyotp.random_base32(), utcnow()
        if person.supervisor_category and session.get(SupervisorProfile, user.id) is None:
            session.add(SupervisorProfile(user_id=user.id, category=person.supervisor_category,
                                          fte=person.fte or 1.0))
        accounts[person.email] = user
    session.flush()
    return accounts


def ensure_hub(session: Session) -> tuple[TrainingHub, bool]:
    """The demo hub, and whether it was made just now."""
    hub = session.scalar(sa.select(TrainingHub).where(TrainingHub.name == people.HUB["name"]))
    if hub is not None:
        return hub, False
    region = (session.scalar(sa.select(Region).where(Region.name == people.REGION["name"]))
              or create_region(session, **people.REGION, by=None))
    hub = TrainingHub(**people.HUB, region_id=region.id)
    session.add(hub)
    session.flush()
    audit.record(session, "hub.created", subject_type="hub", subject_id=hub.id,
                 data={"name": hub.name})
    return hub, True


def build_cohort(session: Session, hub: TrainingHub, version: FrameworkVersion,
                 accounts: dict[str, User], today: dt.date) -> None:
    """Employers, the cohort, ten enrolments with supervisors, evidence and ratings."""
    rng = random.Random(2026)
    employers = [Employer(name=name) for name in people.EMPLOYERS]
    cohort = Cohort(hub=hub, name=people.COHORT, starts_on=today - dt.timedelta(days=240))
    session.add_all([*employers, cohort])
    session.flush()
    types = {t.code: t for t in session.scalars(
        sa.select(EvidenceType).where(EvidenceType.framework_version_id == version.id))}
    capabilities = session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == version.id).order_by(Capability.position)).all()
    scales = definitions.scale_levels(version.document)
    supervisors = [accounts[p.email] for p in people.SUPERVISORS]
    for person, plan in zip(people.CANDIDATES, people.PLANS):
        candidate = accounts[person.email]
        enrolled = today - dt.timedelta(days=30 * plan.months_in)
        verified = enrolled + dt.timedelta(days=21) if plan.months_in >= 2 else None
        enrolment = Enrolment(
            candidate_id=candidate.id, cohort_id=cohort.id, framework_version_id=version.id,
            employer_id=employers[plan.employer].id, route="portfolio", enrolled_on=enrolled,
            stage1_verified_on=verified, stage2_started_on=verified,
            target_on=(verified or enrolled) + dt.timedelta(days=182))
        session.add(enrolment)
        session.flush()
        audit.record(session, "enrolment.created", subject_type="enrolment",
                     subject_id=enrolment.id, enrolment_id=enrolment.id,
                     data={"candidate": candidate.email, "framework": version.content_hash})
        team = {"primary": supervisors[plan.primary]}
        if plan.backup is not None:
            team["backup"] = supervisors[plan.backup]
        for kind, supervisor in team.items():
            assignment = SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=supervisor.id,
                                              kind=kind, starts_on=enrolled)
            session.add(assignment)
            session.flush()
            audit.record(session, "assignment.created", subject_type="assignment",
                         subject_id=assignment.id, enrolment_id=enrolment.id,
                         data={"supervisor": supervisor.email, "kind": kind})
        for index in range(plan.items):
            _add_item(session, rng, enrolment, candidate, team, types, capabilities, scales,
                      index, enrolled, today)
        if verified is not None:
            _sign_off_stage1(session, rng, enrolment, candidate, team["primary"], types, verified)
        if plan.months_in >= 3:
            _add_ratings(session, rng, enrolment, candidate, team["primary"], capabilities,
                         version.document["capability_scale"], scales,
                         supervisor_rates_all=plan.items >= 30)


MODULES = ("pci_shared_decision_making", "pci_care_and_support_planning",
           "pci_social_prescribing", "pci_supported_self_management")


def _sign_off_stage1(session: Session, rng: random.Random, enrolment: Enrolment, candidate: User,
                     supervisor: User, types: dict[str, EvidenceType], verified: dt.date) -> None:
    """Certificates for each required module, then Stage 1 signed by candidate and primary."""
    from roadmap.supervision import signoff

    certificate = types["elearning_certificate"]
    for module in MODULES:
        item = Evidence(enrolment_id=enrolment.id, evidence_type_id=certificate.id,
                        title=f"Certificate: {module.removeprefix('pci_').replace('_', ' ')}",
                        occurred_on=verified - dt.timedelta(days=rng.randint(3, 14)),
                        created_by_id=candidate.id, status="submitted", submitted_to_id=supervisor.id,
                        submitted_at=utcnow() - dt.timedelta(days=30),
                        fields={"certificate_kind": "elearning", "module": module,
                                "course_title": module.removeprefix("pci_").replace("_", " ").capitalize(),
                                "provider": "Personalised Care Institute",
                                "completed_on": verified.isoformat()})
        session.add(item)
        session.flush()
        audit.record(session, "evidence.submitted", actor_id=candidate.id, subject_type="evidence",
                     subject_id=item.id, enrolment_id=enrolment.id, data={"type": "elearning_certificate"})
    signoff.candidate_sign(session, enrolment, "stage1", candidate, ["candidate_own_work"])
    signoff.supervisor_sign(session, enrolment, "stage1", supervisor, ["supervisor_verified"],
                            None, verified)


def _add_item(session: Session, rng: random.Random, enrolment: Enrolment, candidate: User,
              team: dict[str, User], types: dict[str, EvidenceType],
              capabilities: list[Capability], scales: dict[str, list[str]], index: int,
              enrolled: dt.date, today: dt.date) -> None:
    """One evidence item in the state the cycle gives it, with its audit trail."""
    state = STATES[index % len(STATES)]
    etype = types[TYPES[index % len(TYPES)]]
    definition = etype.definition
    template = definition["templates"][index % len(definition["templates"])]["code"] \
        if definition.get("templates") else None
    span = max((today - enrolled).days, 1)
    when = enrolled + dt.timedelta(days=min(span - 1, (index * span) // 40 + rng.randint(0, 6)))
    signer = team["backup"] if ("backup" in team and index % 4 == 3) else team["primary"]
    parties = ["candidate"] + (["assessor"] if state in ("signed", "changed_since_signed") else [])
    item = Evidence(
        enrolment_id=enrolment.id, evidence_type_id=etype.id, template_code=template,
        title=case_title(index) if etype.is_wpba or etype.code in ("reflection", "case_mix")
        else f"{etype.name}: {case_title(index).lower()}",
        occurred_on=when, created_by_id=candidate.id, status="draft",
        fields=sample_answers(definition, rng, index, template, parties, scales, when))
    session.add(item)
    session.flush()
    linked = _pick_capabilities(rng, definition, capabilities)
    for capability in linked:
        session.add(EvidenceCapability(evidence_id=item.id, capability_id=capability.id,
                                       linked_by_id=candidate.id))
    record = _recorder(session, item, enrolment)
    record("evidence.created", candidate.id, {"type": etype.code})
    if state == "draft":
        return
    item.status, item.submitted_to_id = "submitted", signer.id
    item.submitted_at = utcnow() - dt.timedelta(days=rng.randint(1, 20))
    record("evidence.submitted", candidate.id, {"to": signer.email})
    if state == "returned":
        item.status = "returned"
        record("evidence.returned", signer.id,
               {"comment": "Please add what you would do differently next time."})
    elif state in ("signed", "changed_since_signed"):
        _sign(session, item, etype.code, [c.code for c in linked], signer, team, record)
        if state == "changed_since_signed":
            item.fields = {**item.fields, **{k: v + " I have added a further reflection since."
                                             for k, v in item.fields.items()
                                             if isinstance(v, str) and len(v) > 60}}
            item.status = "changed_since_signed"
            item.lock_version += 1
            record("evidence.edited_after_signing", candidate.id, {})


def _sign(session: Session, item: Evidence, type_code: str, codes: list[str], signer: User,
          team: dict[str, User], record: Any) -> None:
    """Freeze the item as signed: a version with its hash, and a signature bound to that hash."""
    content = evidence_content(item, type_code, codes)
    digest = content_hash(content)
    version = EvidenceVersion(evidence_id=item.id, number=1, content=content, content_hash=digest)
    session.add(version)
    session.flush()
    capacity = "primary_supervisor" if signer is team["primary"] else "backup_supervisor"
    signature = Signature(subject_type="evidence_version", subject_id=version.id,
                          signer_id=signer.id, signer_name=signer.full_name, capacity=capacity,
                          content_hash=digest)
    session.add(signature)
    session.flush()
    item.status = "signed"
    record("evidence.signed", signer.id, {"capacity": capacity, "content_hash": digest,
                                          "signature_id": signature.id})


def _recorder(session: Session, item: Evidence, enrolment: Enrolment) -> Any:
    def record(action: str, actor_id: int, data: dict[str, Any]) -> None:
        audit.record(session, action, actor_id=actor_id, subject_type="evidence",
                     subject_id=item.id, enrolment_id=enrolment.id, data=data)
    return record


def _pick_capabilities(rng: random.Random, definition: dict[str, Any],
                       capabilities: list[Capability]) -> list[Capability]:
    by_code = {c.code: c for c in capabilities}
    suggested = [by_code[code] for code in definition.get("suggested_capabilities", [])
                 if code in by_code]
    pool = suggested or capabilities
    return rng.sample(pool, k=min(len(pool), rng.randint(1, 3)))


def _add_ratings(session: Session, rng: random.Random, enrolment: Enrolment, candidate: User,
                 supervisor: User, capabilities: list[Capability], scale_code: str,
                 scales: dict[str, list[str]], supervisor_rates_all: bool) -> None:
    """Self-ratings on every heading; the supervisor's on some (on all for the furthest along)."""
    levels = scales[scale_code]
    for capability in capabilities:
        session.add(CapabilityRating(
            enrolment_id=enrolment.id, capability_id=capability.id, rater_kind="self",
            rating=levels[2] if rng.random() < 0.8 else levels[1], rated_by_id=candidate.id,
            justification="My linked WPBAs and reflections show this across several cases."))
        if supervisor_rates_all or rng.random() < 0.4:
            session.add(CapabilityRating(
                enrolment_id=enrolment.id, capability_id=capability.id,
                rater_kind="supervisor", rating=levels[3] if rng.random() < 0.2 else levels[2],
                rated_by_id=supervisor.id, justification="Agree: well evidenced."))
    audit.record(session, "capability_ratings.recorded", actor_id=candidate.id,
                 subject_type="enrolment", subject_id=enrolment.id, enrolment_id=enrolment.id,
                 data={"headings": len(capabilities)})

