"""The candidate's evidence rules, without HTTP: roadmap.portfolio.service."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from roadmap import mail
from roadmap.clock import start_of_day
from roadmap.audit.models import AuditEvent
from roadmap.portfolio import service
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import SupervisorAssignment

TODAY = dt.date.today()
ANSWERS = {"entry_kind": "clinical_case", "what_happened": "A knee case.", "learning": "Ottawa rules."}


def links(world, session, *codes):
    return service.Links(tuple(world.capability(session, c).id for c in codes), {})


def new_log(session, world, answers=None, codes=("1",)):
    return service.create_evidence(session, world.enrolment, world.candidate,
                                   world.kind(session, "learning_log"), None, "A log", TODAY,
                                   dict(ANSWERS if answers is None else answers),
                                   links(world, session, *codes))


def test_create_makes_a_draft_with_links_and_an_audit_event(session, world):
    item = new_log(session, world, codes=("1", "3"))
    assert item.status == "draft" and item.lock_version == 1
    assert len(service.current_links(session, item).capability_ids) == 2
    assert session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "evidence.created"


def test_a_template_must_be_chosen_for_a_type_that_has_them(session, world):
    with pytest.raises(service.PortfolioError, match="Choose a template"):
        service.create_evidence(session, world.enrolment, world.candidate,
                                world.kind(session, "reflection"), None, "R", TODAY, {},
                                links(world, session, "1"))


def test_links_must_fit_the_type_and_the_roadmap(session, world):
    with pytest.raises(service.PortfolioError, match="at most 3"):
        service.create_evidence(session, world.enrolment, world.candidate, world.kind(session, "cbd"),
                                None, "C", TODAY, {}, links(world, session, "1", "2", "3", "4"))
    with pytest.raises(service.PortfolioError, match="your own roadmap"):
        service.create_evidence(session, world.enrolment, world.candidate,
                                world.kind(session, "learning_log"), None, "C", TODAY, {},
                                service.Links((999_999,), {}))


def test_a_stale_lock_version_is_refused_and_nothing_changes(session, world):
    item = new_log(session, world)
    service.update_evidence(session, item, world.candidate, 1, "Second", TODAY, ANSWERS,
                            links(world, session, "1"))
    with pytest.raises(service.StaleForm):
        service.update_evidence(session, item, world.candidate, 1, "Stale", TODAY, ANSWERS,
                                links(world, session, "1"))
    session.refresh(item)
    assert item.title == "Second" and item.lock_version == 2


def test_the_candidate_cannot_overwrite_the_assessors_answers(session, world):
    item = new_log(session, world)
    item.fields = {**item.fields, "comment": "Supervisor's comment"}
    session.flush()
    service.update_evidence(session, item, world.candidate, item.lock_version, "T", TODAY,
                            {**ANSWERS, "comment": "forged"}, links(world, session, "1"))
    assert item.fields["comment"] == "Supervisor's comment"


def test_submit_needs_complete_answers_a_current_supervisor_and_a_pid_check(session, world):
    item = new_log(session, world, answers={"entry_kind": "clinical_case", "what_happened": "Mrs Smith"})
    submit = lambda who, confirmed=False: service.submit(  # noqa: E731
        session, item, world.candidate, who, item.lock_version, TODAY, confirmed, "http://x/1")
    with pytest.raises(service.PortfolioError, match="What you learned"):
        submit(world.primary.id)
    service.update_evidence(session, item, world.candidate, item.lock_version, "T", TODAY,
                            {**item.fields, "learning": "x"}, links(world, session, "1"))
    session.execute(sa.update(SupervisorAssignment).where(SupervisorAssignment.supervisor_id == world.backup.id)
                    .values(ended_at=start_of_day(TODAY)))
    with pytest.raises(service.PortfolioError, match="current supervisors"):
        submit(world.backup.id)
    with pytest.raises(service.PortfolioError, match="highlighted"):
        submit(world.primary.id)
    submit(world.primary.id, confirmed=True)
    assert item.status == "submitted" and item.submitted_to_id == world.primary.id
    [(to, subject, body)] = session.info[mail.OUTBOX]
    assert to == world.primary.email and "http://x/1" in body
    with pytest.raises(service.PortfolioError, match="already with a supervisor"):
        submit(world.primary.id, confirmed=True)


def test_a_returned_item_can_be_resubmitted(session, world):
    item = new_log(session, world)
    item.status = "returned"
    session.flush()
    service.submit(session, item, world.candidate, world.backup.id, item.lock_version, TODAY, False, "l")
    assert item.status == "submitted" and item.submitted_to_id == world.backup.id


def test_a_form_token_is_claimed_once(session, world):
    assert service.claim_form_token(session, world.candidate, "tok") is None
    assert service.claim_form_token(session, world.candidate, "tok").token == "tok"
    assert service.claim_form_token(session, world.candidate, "") is None


def test_current_supervisors_primary_first(session, world):
    names = [(u.id, kind) for u, kind in service.current_supervisors(session, world.enrolment, TODAY)]
    assert names == [(world.primary.id, "primary"), (world.backup.id, "backup")]
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0
