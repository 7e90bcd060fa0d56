"""A candidate on the MSK roadmap with a primary and a backup supervisor, for portfolio tests.

build_world makes one (the browser tests make several); the `world` fixture of
tests/portfolio/conftest.py makes one per test.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.framework.models import Capability, EvidenceType, FrameworkVersion
from roadmap.framework.service import load_into_db
from roadmap.supervision.models import SupervisorAssignment
from tests.fixtures.msk import msk_document


@dataclass
class PortfolioWorld:
    """The people and rows a portfolio test starts from."""

    version: FrameworkVersion
    enrolment: Enrolment
    candidate: Any
    primary: Any
    backup: Any

    def kind(self, session: Any, code: str) -> EvidenceType:
        """An evidence type of the roadmap by code."""
        return session.scalar(sa.select(EvidenceType).where(
            EvidenceType.framework_version_id == self.version.id, EvidenceType.code == code))

    def capability(self, session: Any, code: str) -> Capability:
        """A capability heading of the roadmap by code."""
        return session.scalar(sa.select(Capability).where(
            Capability.framework_version_id == self.version.id, Capability.code == code))


def build_world(session: Any, make_user: Any, prefix: str = "") -> PortfolioWorld:
    """Load the roadmap (once per database), enrol a candidate, assign two supervisors."""
    loaded = msk_document()
    version, _ = load_into_db(session, loaded.document, loaded.source_path)
    hub = session.scalar(sa.select(TrainingHub).where(TrainingHub.name == "Portfolio hub"))
    if hub is None:
        hub = TrainingHub(name="Portfolio hub")
        session.add(hub)
        session.flush()
    cohort = Cohort(hub_id=hub.id, name=f"Cohort {prefix}{dt.datetime.now().timestamp()}")
    session.add(cohort)
    session.commit()
    candidate = make_user(f"{prefix}cara@example.nhs.uk", full_name=f"{prefix}Cara Candidate")
    primary = make_user(f"{prefix}pat@example.nhs.uk", roles=("supervisor",),
                        full_name=f"{prefix}Pat Primary")
    backup = make_user(f"{prefix}bob@example.nhs.uk", roles=("supervisor",),
                       full_name=f"{prefix}Bob Backup")
    today = dt.date.today()
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version.id, enrolled_on=today - dt.timedelta(days=60),
                          stage2_started_on=today - dt.timedelta(days=30),
                          target_on=today + dt.timedelta(days=150))
    session.add(enrolment)
    session.flush()
    session.add_all([
        SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=primary.id, kind="primary",
                             starts_on=today - dt.timedelta(days=60)),
        SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=backup.id, kind="backup",
                             starts_on=today - dt.timedelta(days=60)),
    ])
    session.commit()
    return PortfolioWorld(version, enrolment, candidate, primary, backup)

