"""A candidate on the MSK roadmap with a primary and a backup supervisor, and item factories."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa

from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.demo.evidence import sample_answers
from roadmap.framework import loader
from roadmap.framework import service as frameworks
from roadmap.framework.definitions import scale_levels
from roadmap.framework.models import Capability, EvidenceType
from roadmap.portfolio.models import Evidence, EvidenceCapability
from roadmap.supervision.models import CapabilityRating, SupervisorAssignment

TODAY = dt.date(2026, 6, 1)
MSK = Path(__file__).resolve().parents[2] / "capabilities" / "msk-fcp.yaml"


@pytest.fixture
def msk(session):
    """The MSK framework, loaded."""
    loaded = loader.read_path(MSK).frameworks[0]
    version, _ = frameworks.load_into_db(session, loaded.document, loaded.source_path)
    session.commit()
    return version


@pytest.fixture
def team(session, msk, make_user):
    """Candidate, primary, backup, a stranger supervisor and the enrolment, committed."""
    secret = pyotp.random_base32()
    hub = TrainingHub(name="Hub A")
    cohort = Cohort(hub=hub, name="Cohort 1")
    session.add_all([hub, cohort])
    session.commit()
    candidate = make_user("cand@example.nhs.uk", full_name="Jo Candidate")
    primary = make_user("primary@example.nhs.uk", roles=("supervisor",), full_name="Dr Primary",
                        totp_secret=secret)
    backup = make_user("backup@example.nhs.uk", roles=("supervisor",), full_name="Bea Backup",
                       totp_secret=secret)
    stranger = make_user("stranger@example.nhs.uk", roles=("supervisor",),
                         full_name="Sam Stranger", totp_secret=secret)
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=msk.id, enrolled_on=dt.date(2026, 1, 5),
                          target_on=dt.date(2026, 9, 1))
    session.add(enrolment)
    session.flush()
    for kind, person in (("primary", primary), ("backup", backup)):
        session.add(SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=person.id,
                                         kind=kind, starts_on=dt.date(2026, 1, 5)))
    session.commit()
    return SimpleNamespace(candidate=candidate, primary=primary, backup=backup,
                           stranger=stranger, enrolment=enrolment, version=msk, secret=secret)


@pytest.fixture
def make_item(session, team):
    """Create an evidence item of a type, in a status, linked to headings."""
    types = {t.code: t for t in session.scalars(sa.select(EvidenceType).where(
        EvidenceType.framework_version_id == team.version.id))}
    capabilities = {c.code: c for c in session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == team.version.id))}
    scales = scale_levels(team.version.document)
    rng = random.Random(7)

    def make(type_code: str = "cbd", status: str = "submitted", headings: tuple[str, ...] = ("1",),
             fields: dict[str, Any] | None = None, to=None) -> Evidence:
        etype = types[type_code]
        template = etype.definition["templates"][0]["code"] if etype.definition.get("templates") else None
        answers = fields if fields is not None else sample_answers(
            etype.definition, rng, 0, template, ["candidate"], scales, TODAY)
        item = Evidence(enrolment_id=team.enrolment.id, evidence_type_id=etype.id,
                        template_code=template, title=f"{etype.name} item", occurred_on=TODAY,
                        fields=answers, status=status, created_by_id=team.candidate.id,
                        submitted_to_id=(to or team.primary).id if status == "submitted" else None,
                        submitted_at=dt.datetime(2026, 5, 20, tzinfo=dt.timezone.utc)
                        if status == "submitted" else None)
        session.add(item)
        session.flush()
        for code in headings:
            session.add(EvidenceCapability(evidence_id=item.id, capability_id=capabilities[code].id,
                                           linked_by_id=team.candidate.id))
        session.commit()
        return item

    make.types, make.capabilities, make.scales = types, capabilities, scales
    return make


def assessor_answers(make_item, type_code: str, template: str | None = None) -> dict[str, Any]:
    """A complete assessor's part for a type."""
    etype = make_item.types[type_code]
    return sample_answers(etype.definition, random.Random(3), 1, template, ["assessor"],
                          make_item.scales, TODAY)


@pytest.fixture
def ready_for_stage2(session, team, make_item):
    """Everything Stage 2 needs: Stage 1 signed off, 3 items a heading, ratings, MSF and PSQ."""
    from roadmap.feedback.models import FeedbackResponse
    from roadmap.supervision.models import StageSignOff

    session.add(StageSignOff(enrolment_id=team.enrolment.id, stage_code="stage1",
                             status="complete", completed_at=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)))
    codes = list(make_item.capabilities)
    for index in range(3 * len(codes) // 2):
        make_item("cbd", status="submitted", headings=(codes[(2 * index) % len(codes)],
                                                       codes[(2 * index + 1) % len(codes)]))
    msf = make_item("msf", status="draft", headings=("1",))
    psq = make_item("psq", status="draft", headings=("1",))
    for index in range(10):
        group = "clinical" if index % 2 else "non_clinical"
        session.add(FeedbackResponse(evidence_id=msf.id, respondent_group=group, answers={}))
    for _ in range(34):
        session.add(FeedbackResponse(evidence_id=psq.id, respondent_group="patient", answers={}))
    for capability in make_item.capabilities.values():
        for kind, person, rating in (("self", team.candidate, "capable"),
                                     ("supervisor", team.primary, "capable")):
            session.add(CapabilityRating(enrolment_id=team.enrolment.id, capability_id=capability.id,
                                         rater_kind=kind, rating=rating, rated_by_id=person.id))
    session.commit()
    return team
