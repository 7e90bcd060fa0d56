"""A candidate on the MSK roadmap with a provider, two providers' reviewers and two supervisors."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from PIL import Image

from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.framework import loader, service as frameworks
from roadmap.providers.models import EducationProvider, ProviderReviewer
from roadmap.supervision.models import SupervisorAssignment

MSK = Path(__file__).resolve().parents[2] / "capabilities" / "msk-fcp.yaml"
PAGE = "/portfolio/learning-needs-analysis"
ANSWERS = {"answer_prior_study": ["fcp_module", "masters_stage1"],
           "answer_details": "MSc Advanced Practice, University of Leeds, 2023: the FCP module."}
SHARED_DECISIONS = "elearning:pci_shared_decision_making"


def png(size: tuple[int, int] = (6, 4)) -> bytes:
    """A small real PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def lna(session, make_user):
    """The MSK roadmap loaded; a candidate of Provider A; reviewers of A and of B; supervisors."""
    loaded = loader.read_path(MSK).frameworks[0]
    version, _ = frameworks.load_into_db(session, loaded.document, loaded.source_path)
    secret = pyotp.random_base32()
    hub = TrainingHub(name="LNA hub")
    cohort = Cohort(hub=hub, name="LNA cohort")
    provider, other = EducationProvider(name="Provider A"), EducationProvider(name="Provider B")
    session.add_all([hub, cohort, provider, other])
    session.commit()
    candidate = make_user("lena@example.nhs.uk", full_name="Lena Learner")
    reviewer = make_user("rita@example.nhs.uk", roles=("provider_reviewer",),
                         full_name="Rita Reviewer", totp_secret=secret)
    stranger = make_user("otto@example.nhs.uk", roles=("provider_reviewer",),
                         full_name="Otto Other", totp_secret=secret)
    primary = make_user("pam@example.nhs.uk", roles=("supervisor",), full_name="Pam Primary",
                        totp_secret=secret)
    backup = make_user("ben@example.nhs.uk", roles=("supervisor",), full_name="Ben Backup",
                       totp_secret=secret)
    enrolment = Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version.id, provider_id=provider.id,
                          enrolled_on=dt.date.today() - dt.timedelta(days=7))
    session.add(enrolment)
    session.flush()
    session.add_all([ProviderReviewer(provider_id=provider.id, user_id=reviewer.id),
                     ProviderReviewer(provider_id=other.id, user_id=stranger.id)])
    for kind, person in (("primary", primary), ("backup", backup)):
        session.add(SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=person.id,
                                         kind=kind, starts_on=dt.date.today()
                                         - dt.timedelta(days=7)))
    session.commit()
    return SimpleNamespace(version=version, enrolment=enrolment, candidate=candidate,
                           reviewer=reviewer, stranger=stranger, primary=primary, backup=backup,
                           provider=provider, secret=secret)


@pytest.fixture
def client_as(app, login):
    """A test client signed in as the person: `client_as(user)`."""
    def sign_in(user: Any) -> Any:
        client = app.test_client()
        login(client, user)
        return client
    return sign_in


@pytest.fixture
def sent(lna, client_as, session):
    """The candidate's analysis, answered, with one uploaded file, and sent; returns it."""
    from roadmap.lna.models import LearningNeedsAnalysis

    client = client_as(lna.candidate)
    assert client.get(PAGE).status_code == 200
    response = client.post(f"{PAGE}/files", data={"file": (io.BytesIO(png()), "msc.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    analysis = session.scalar(sa.select(LearningNeedsAnalysis))
    response = client.post(PAGE, data={**ANSWERS, "lock_version": analysis.lock_version,
                                       "action": "send"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    session.rollback()  # a fresh read: the app committed since
    return session.get(LearningNeedsAnalysis, analysis.id)
