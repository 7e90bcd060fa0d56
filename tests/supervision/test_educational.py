"""The educational supervisor over HTTP: assigned by the hub, reads the portfolio, acts on nothing,
carries no load, and records progress reviews the candidate answers once."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from roadmap import clock
from roadmap.accounts.models import SupervisorProfile
from roadmap.audit.models import AuditEvent
from roadmap.cohorts import staffing
from roadmap.cohorts.models import Cohort
from roadmap.supervision import assignments, progress_reviews
from roadmap.supervision.errors import Conflict
from roadmap.supervision.models import ProgressReview, SupervisorAssignment
from roadmap.web.reach import Reach, reach

LEVELS = ("on_track", "some_concerns", "significant_concerns")


@pytest.fixture
def educational(session, team, make_user):
    """The candidate's educational supervisor, assigned since the enrolment began."""
    person = make_user("edsup@example.nhs.uk", roles=("supervisor",), full_name="Eda Educational",
                       totp_secret=team.secret)
    session.add(SupervisorAssignment(enrolment_id=team.enrolment.id, supervisor_id=person.id,
                                     kind="educational", starts_on=dt.date(2026, 1, 5)))
    session.commit()
    return person


@pytest.fixture
def hub_lead(session, team, make_user):
    """The lead of the candidate's hub."""
    hub_id = session.scalar(sa.select(Cohort.hub_id).where(Cohort.id == team.enrolment.cohort_id))
    return make_user("lead@example.nhs.uk", roles=("hub_lead",), full_name="Lee Lead",
                     hub_id=hub_id, totp_secret=team.secret)


def _signed_in(app, login, user):
    client = app.test_client()
    login(client, user)
    return client


def _actions(session):
    session.rollback()
    return session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def _review_form(session, team, level="on_track", **extra):
    caps = progress_reviews.headings(session, team.enrolment)
    data = {f"progress_{cap.id}": level for cap in caps}
    data.update({"reviewed_on": clock.today().isoformat(), "agreed_actions": "Two CBDs by May"})
    data.update(extra)
    return data


def test_the_hub_lead_assigns_an_educational_supervisor_on_its_own_path(
        app, session, team, hub_lead, make_user, login, mailbox):
    person = make_user("eda@example.nhs.uk", roles=("supervisor",), full_name="Eda Educational")
    lead = _signed_in(app, login, hub_lead)
    url = f"/enrolments/{team.enrolment.id}/educational-supervisor"
    page = lead.get(f"/enrolments/{team.enrolment.id}/supervisors").get_data(as_text=True)
    assert "Assign an educational supervisor" in page and 'action="' + url in page

    refused = lead.post(url, data={"educational-supervisor_id": str(team.primary.id),
                                   "educational-starts_on": "01/06/2026"})
    assert refused.status_code == 400
    assert "Dr Primary is the primary supervisor: the educational supervisor must be someone " \
           "else" in refused.get_data(as_text=True)
    empty = lead.post(url, data={"educational-starts_on": ""})
    assert empty.status_code == 400 and "Choose a supervisor" in empty.get_data(as_text=True)

    done = lead.post(url, data={"educational-supervisor_id": str(person.id),
                                "educational-starts_on": clock.today().strftime("%d/%m/%Y")})
    assert done.status_code == 302 and done.headers["Location"].endswith("#educational")
    session.rollback()
    held = session.scalars(sa.select(SupervisorAssignment).where(
        SupervisorAssignment.kind == "educational")).one()
    assert (held.supervisor_id, held.assigned_by_id) == (person.id, hub_lead.id)
    assert "educational_supervisor.assigned" in _actions(session)
    assert "assignment.created" not in _actions(session)  # not the primary/backup path's event
    told = mailbox.to(team.candidate.email)
    assert [m["Subject"] for m in told] == ["Eda Educational is now your educational supervisor"]
    assert "they sign no item and no stage" in told[0].get_content()
    page = lead.get(f"/enrolments/{team.enrolment.id}/supervisors").get_data(as_text=True)
    assert "Eda Educational, since" in page
    # The candidate's "who can see your portfolio" page lists them as educational supervisor.
    readers = _signed_in(app, login, team.candidate).get("/portfolio/readers").get_data(as_text=True)
    assert "Educational supervisor" in readers and "sign nothing" in readers
    # The primary/backup path never makes one, and never makes them a backup as well.
    with pytest.raises(assignments.AssignmentError, match="primary or backup"):
        assignments.assign(session, team.enrolment, person, "educational", clock.today(), None)
    with pytest.raises(assignments.AssignmentError, match="is the educational supervisor"):
        assignments.assign(session, team.enrolment, person, "backup", clock.today(), None)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_educational_supervisor_reads_the_portfolio_and_acts_on_nothing(
        app, session, team, make_item, educational, login):
    item = make_item("cbd", status="submitted")
    candidate = _signed_in(app, login, team.candidate)
    upload = candidate.post(f"/portfolio/evidence/{item.id}/attachments",
                            data={"file": (io.BytesIO(_png()), "knee.png")},
                            content_type="multipart/form-data")
    assert upload.status_code == 302
    session.rollback()
    attachment_id = session.scalar(sa.text("SELECT id FROM attachments"))
    assert reach(session, educational, team.enrolment, clock.today()) is Reach.EDUCATIONAL
    reader = _signed_in(app, login, educational)
    enrolment_id = team.enrolment.id

    # Reads: the item, its file, the candidate's page, a heading's ratings, the timeline.
    assert item.title in reader.get(f"/portfolio/evidence/{item.id}").get_data(as_text=True)
    with reader.get(f"/portfolio/attachments/{attachment_id}") as download:
        assert download.status_code == 200 and download.get_data().startswith(b"\x89PNG")
    page = reader.get(f"/supervision/candidates/{enrolment_id}").get_data(as_text=True)
    assert "Record a progress review" in page and "Record an assessment you observed" not in page
    assert f"/portfolio/evidence/{item.id}" in page and f"/supervision/items/{item.id}" not in page
    capability = make_item.capabilities["1"]
    heading = reader.get(f"/supervision/candidates/{enrolment_id}/headings/{capability.id}")
    assert heading.status_code == 200 and "Save rating" not in heading.get_data(as_text=True)
    assert reader.get(f"/timeline/{enrolment_id}").status_code == 200
    # Issue 17 #14: they sign nothing, so their inbox offers nothing to sign nor a signed list.
    inbox = reader.get("/supervision").get_data(as_text=True)
    assert "Your candidates" in inbox
    assert "Recently signed by you" not in inbox and "Waiting for you (" not in inbox
    opened = candidate.get("/portfolio/readers/opened").get_data(as_text=True)
    assert "edsup@example.nhs.uk, educational supervisor" in opened

    # The stages, from the candidate's page: each a link to its checklist, read only.
    for code in ("stage1", "stage2"):
        assert f'href="/stages/{enrolment_id}/{code}"' in page
    stage = reader.get(f"/stages/{enrolment_id}/stage2").get_data(as_text=True)
    assert "Checklist" in stage and "Declarations" not in stage and 'type="submit"' not in stage

    # Never acts: no assessment form, no signing or returning, no stage, no rating, no export.
    refused = {
        ("GET", f"/supervision/items/{item.id}"): {},
        ("POST", f"/supervision/items/{item.id}"): {"lock_version": item.lock_version},
        ("POST", f"/supervision/items/{item.id}/check"): {},
        ("POST", f"/supervision/items/{item.id}/return"): {"comment": "Redo it",
                                                            "lock_version": item.lock_version},
        ("POST", f"/supervision/items/{item.id}/external/accept"): {},
        ("POST", f"/supervision/items/{item.id}/external/dispute"): {"reason": "No"},
        ("POST", f"/stages/{enrolment_id}/stage2"): {"declarations": ["evidence_own"]},
        ("GET", f"/stages/{enrolment_id}/stage2/check"): {},
        ("GET", f"/supervision/candidates/{enrolment_id}/observed"): {},
        ("POST", f"/supervision/candidates/{enrolment_id}/headings/{capability.id}"):
            {"rate-rating": "capable"},
        ("GET", f"/exports/enrolment/{enrolment_id}"): {},
    }
    for (method, url), data in refused.items():
        assert reader.open(url, method=method, data=data).status_code in (403, 404), (method, url)
    session.rollback()
    assert session.get(type(item), item.id).status == "submitted"

    # Nothing of theirs to sign shows on their inbox or home page.
    inbox = reader.get("/supervision").get_data(as_text=True)
    assert "Jo Candidate" in inbox and "Educational supervisor" in inbox and item.title not in inbox
    assert "Nothing to sign: you review progress" in inbox
    home = reader.get("/home").get_data(as_text=True)
    assert "Educational" in home and "Jo Candidate" in home
    assert "Items waiting on you" not in home  # nothing ever waits on them: no column of zeros
    # The candidate cannot submit to them: only the primary and backup are offered.
    draft = make_item("cbd", status="draft")
    offered = candidate.get(f"/portfolio/evidence/{draft.id}/submit").get_data(as_text=True)
    assert "Dr Primary" in offered and "Eda Educational" not in offered


def test_an_ended_educational_assignment_leaves_nothing_to_read(session, team, educational):
    held = session.scalars(sa.select(SupervisorAssignment).where(
        SupervisorAssignment.supervisor_id == educational.id)).one()
    assignments.end_assignment(session, held, None)
    session.commit()
    assert reach(session, educational, team.enrolment, clock.today()) is Reach.NONE


def test_educational_supervision_is_not_counted_in_capacity(
        app, session, team, hub_lead, make_user, login):
    busy = make_user("busy@example.nhs.uk", roles=("supervisor",), full_name="Bo Busy")
    session.add(SupervisorProfile(user_id=busy.id, category="ahp_fellow", fte=0.25))
    session.commit()  # 0.25 FTE: one candidate fills them
    lead = _signed_in(app, login, hub_lead)
    before = assignments.loads(session, [busy.id], clock.today())[busy.id]
    answer = lead.post(f"/enrolments/{team.enrolment.id}/educational-supervisor", data={
        "educational-supervisor_id": str(busy.id),
        "educational-starts_on": clock.today().strftime("%d/%m/%Y")})
    assert answer.status_code == 302  # no over-capacity question to confirm
    session.rollback()
    after = assignments.loads(session, [busy.id], clock.today())[busy.id]
    assert before.candidates == after.candidates == 0 and not after.over
    hub_id = session.scalar(sa.select(Cohort.hub_id).where(Cohort.id == team.enrolment.cohort_id))
    listed = [person.id for person, *_ in staffing.hub_loads(session, hub_id, clock.today())]
    assert busy.id not in listed and team.primary.id in listed
    assert "over_capacity" not in " ".join(_actions(session))


def test_a_progress_review_is_recorded_seen_and_answered_once(
        app, session, team, educational, make_user, login, mailbox):
    reader = _signed_in(app, login, educational)
    url = f"/supervision/candidates/{team.enrolment.id}/progress-reviews/new"
    form = reader.get(url)
    assert form.status_code == 200 and "Progress on each capability heading" in form.get_data(
        as_text=True)

    missing = reader.post(url, data={"reviewed_on": ""})
    text = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "Enter the date of the review" in text
    assert "Choose the progress on 1." in text
    worried = reader.post(url, data=_review_form(session, team, "significant_concerns"))
    assert worried.status_code == 400 and "Say what the concerns are" in worried.get_data(
        as_text=True)
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    ahead = reader.post(url, data=_review_form(session, team, reviewed_on=future))
    assert "cannot be in the future" in ahead.get_data(as_text=True)
    patient = reader.post(url, data=_review_form(session, team, concerns="Saw Mr Patel Smith"))
    assert patient.status_code == 400 and "may identify a patient" in patient.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(ProgressReview)) == 0

    done = reader.post(url, data=_review_form(session, team, "some_concerns",
                                              concerns="Few CBDs so far"))
    assert done.status_code == 302
    session.rollback()
    review = session.scalars(sa.select(ProgressReview)).one()
    assert review.reviewer_id == educational.id and review.concerns == "Few CBDs so far"
    assert {entry["level"] for entry in review.heading_progress.values()} == {"some_concerns"}
    assert "progress_review.recorded" in _actions(session)
    told = mailbox.to(team.candidate.email)
    assert told and told[-1]["Subject"] == "Your educational supervisor reviewed your progress"
    assert mailbox.link(told[-1]) == f"/progress-reviews/{team.enrolment.id}"

    candidate = _signed_in(app, login, team.candidate)
    listed = candidate.get(f"/progress-reviews/{team.enrolment.id}").get_data(as_text=True)
    assert "Not yet: you may respond" in listed
    shown = candidate.get(f"/progress-reviews/review/{review.id}").get_data(as_text=True)
    assert "Few CBDs so far" in shown and "Two CBDs by May" in shown and "Some concerns" in shown
    timeline = candidate.get(f"/timeline/{team.enrolment.id}").get_data(as_text=True)
    assert "Recorded a progress review" in timeline
    # The workplace supervisors read it too; a supervisor of nobody here does not.
    assert _signed_in(app, login, team.primary).get(
        f"/progress-reviews/review/{review.id}").status_code == 200
    assert _signed_in(app, login, team.stranger).get(
        f"/progress-reviews/review/{review.id}").status_code == 404
    # Only the candidate responds.
    assert reader.post(f"/progress-reviews/review/{review.id}/response",
                       data={"response": "Me"}).status_code == 404

    respond = f"/progress-reviews/review/{review.id}/response"
    blank = candidate.post(respond, data={"response": " "})
    assert blank.status_code == 400 and "Enter your response" in blank.get_data(as_text=True)
    first = candidate.post(respond, data={"response": "Agreed: two CBDs by May."})
    assert first.status_code == 302
    assert mailbox.to(educational.email)[-1]["Subject"] == "Jo Candidate responded to your review"
    second = candidate.post(respond, data={"response": "Changed my mind."}, follow_redirects=True)
    assert "You have already responded to this review" in second.get_data(as_text=True)
    session.rollback()
    review = session.get(ProgressReview, review.id)
    assert review.candidate_response == "Agreed: two CBDs by May." and review.responded_at
    assert _actions(session).count("progress_review.responded") == 1


def test_a_response_is_written_only_where_there_is_none(session, team, educational):
    review = progress_reviews.record(
        session, team.enrolment, educational, clock.today(),
        {cap.code: ("on_track", "") for cap in progress_reviews.headings(session, team.enrolment)},
        "", "", clock.today(), pid_confirmed=False, link="http://roadmap.test/")
    session.commit()
    # Another response lands after this one was read: the stale copy still says "none".
    with session.get_bind().engine.begin() as connection:
        connection.execute(sa.update(ProgressReview).values(
            candidate_response="The first", responded_at=clock.now()))
    with pytest.raises(Conflict, match="already responded"):
        progress_reviews.respond(session, review, team.candidate, "The second",
                                 pid_confirmed=False, link="http://roadmap.test/")
    session.rollback()
    assert session.get(ProgressReview, review.id).candidate_response == "The first"


def test_the_candidates_page_counts_items_against_the_suggested_number(
        app, session, team, make_item, educational, login):
    for _ in range(4):
        make_item("cbd", status="signed", headings=("1",))
    page = _signed_in(app, login, educational).get(f"/supervision/candidates/{team.enrolment.id}")
    text = page.get_data(as_text=True)
    assert "Items (at least 3 suggested)" in text
    assert " of 3<" not in text  # "4 of 3" read as a count that had gone wrong
    assert '<span class="nhsuk-table__heading" aria-hidden="true">Items</span><span>4</span>' in text



def test_a_supervisor_who_signs_keeps_the_count_of_what_waits_on_them(app, team, make_item, login):
    make_item("cbd", status="submitted")
    home = _signed_in(app, login, team.primary).get("/home").get_data(as_text=True)
    assert "Items waiting on you" in home
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">1</td>' in home


def _summary(page):
    """The error summary's entries, in order."""
    block = page.split('nhsuk-error-summary__list', 1)[1].split("</ul>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", entry).split())
            for entry in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_a_progress_review_shows_every_problem_at_once_named_and_in_page_order(
        app, session, team, educational, login):
    """Issue 17 #8: a future date is shown with the too-long boxes, each box named, in the
    order of the page (the date, the headings' comments, concerns, actions)."""
    reader = _signed_in(app, login, educational)
    url = f"/supervision/candidates/{team.enrolment.id}/progress-reviews/new"
    caps = progress_reviews.headings(session, team.enrolment)
    next_year = (clock.today() + dt.timedelta(days=366)).isoformat()
    data = _review_form(session, team, reviewed_on=next_year, concerns="c" * 10_000,
                        agreed_actions="a" * 10_000, **{f"comment_{caps[0].id}": "x" * 10_000})
    refused = reader.post(url, data=data)
    assert refused.status_code == 400
    entries = _summary(refused.get_data(as_text=True))
    assert entries == [
        "The date of the review cannot be in the future",
        f"Comment on {caps[0].code}. {caps[0].title} must be 2,000 characters or fewer",
        "Concerns must be 5,000 characters or fewer",
        "Actions agreed with the candidate must be 5,000 characters or fewer"]
    assert session.scalar(sa.select(sa.func.count()).select_from(ProgressReview)) == 0


def test_a_progress_review_and_its_response_confirmed_past_a_warning_are_audited(
        app, session, team, educational, login):
    """Issue 22: the educational supervisor, then the candidate, confirm that flagged text
    identifies nobody; each confirmation is an audit event with fields and kinds, no text."""
    reader = _signed_in(app, login, educational)
    url = f"/supervision/candidates/{team.enrolment.id}/progress-reviews/new"
    given = _review_form(session, team, concerns="Discussed NHS number 943 476 5919 in clinic")
    warned = reader.post(url, data=given)
    assert warned.status_code == 400 and "may identify a patient (NHS number)" in warned.get_data(
        as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?943 476 5919</mark>', warned.get_data(as_text=True))
    assert "progress_review.pid_confirmed" not in _actions(session)
    assert reader.post(url, data={**given, "confirm_pid": "y"}).status_code == 302
    session.rollback()
    review = session.scalars(sa.select(ProgressReview)).one()
    event = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "progress_review.pid_confirmed")).one()
    assert (event.actor_id, event.subject_id) == (educational.id, review.id)
    assert event.data == {"findings": [{"field": "concerns", "kind": "nhs_number"}]}

    candidate = _signed_in(app, login, team.candidate)
    respond = f"/progress-reviews/review/{review.id}/response"
    answer = {"response": "Agreed. The patient was Mrs Agnes Wright, 94."}
    refused = candidate.post(respond, data=answer)
    assert refused.status_code == 400 and "may identify a patient" in refused.get_data(as_text=True)
    assert re.search(r'<mark class="roadmap-pid">.*?Agnes Wright</mark>',
                     refused.get_data(as_text=True))
    assert candidate.post(respond, data={**answer, "confirm_pid": "y"}).status_code == 302
    session.rollback()
    events = session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "progress_review.pid_confirmed").order_by(AuditEvent.id)).all()
    assert len(events) == 2 and events[1].actor_id == team.candidate.id
    assert {f["field"] for f in events[1].data["findings"]} == {"response"}
    assert "Wright" not in str(events[1].data)
