"""The candidate's evidence pages over HTTP: create, edit, lock, submit, nothing lost."""
from __future__ import annotations

import datetime as dt
import html
import re

import sqlalchemy as sa

from roadmap.accounts.models import UserSession
from roadmap.audit.models import AuditEvent
from roadmap.portfolio.models import DraftAutosave, Evidence, EvidenceCapability

TODAY = dt.date.today().isoformat()


def log_form(world, session, **extra):
    """A complete learning log entry linked to heading 1."""
    data = {"title": "Shoulder pain learning", "occurred_on": TODAY,
            "answer_entry_kind": "clinical_case", "answer_what_happened": "A shoulder case.",
            "answer_learning": "I learned to screen the neck.", "answer_hours": "1.5",
            "capabilities": [str(world.capability(session, "1").id)], "form_token": extra.pop("form_token", "t1"),
            "action": "draft"}
    data.update(extra)
    session.rollback()  # end the read, so later reads see what the app commits
    return data


def test_every_evidence_type_has_a_form_page(client, login, world, session):
    login(client, world.candidate)
    page = client.get("/portfolio/evidence/new").get_data(as_text=True)
    codes = re.findall(r"/portfolio/evidence/new/([a-z_]+)", page)
    assert len(codes) == 14
    for code in codes:
        response = client.get(f"/portfolio/evidence/new/{code}")
        assert response.status_code == 200, code
    chooser = client.get("/portfolio/evidence/new/reflection").get_data(as_text=True)
    assert "Gibbs" in chooser and "So what?" in chooser
    gibbs = client.get("/portfolio/evidence/new/reflection?template=gibbs").get_data(as_text=True)
    assert "Description - what happened?" in gibbs and 'name="answer_description"' in gibbs
    assert "Feedback on a colleague" not in client.get("/portfolio/evidence/new/msf").get_data(as_text=True)


def test_create_a_draft_and_see_it(client, login, world, session):
    login(client, world.candidate)
    response = client.post("/portfolio/evidence/new/learning_log", data=log_form(world, session))
    assert response.status_code == 302
    session.rollback()
    item = session.scalar(sa.select(Evidence))
    assert item.status == "draft" and item.fields["learning"] == "I learned to screen the neck."
    assert item.fields["hours"] == 1.5
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Shoulder pain learning" in page and "Draft" in page and "1. Communication" in page


def test_a_double_clicked_save_makes_one_item(client, login, world, session):
    login(client, world.candidate)
    first = client.post("/portfolio/evidence/new/learning_log", data=log_form(world, session))
    second = client.post("/portfolio/evidence/new/learning_log", data=log_form(world, session))
    session.rollback()
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 1


def test_required_answers_are_enforced_on_submit_with_messages_beside_fields(client, login, world, session):
    login(client, world.candidate)
    data = log_form(world, session, answer_learning="", action="submit")
    response = client.post("/portfolio/evidence/new/learning_log", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#answer_learning"' in page
    assert 'id="answer_learning-error"' in page
    # A draft may be incomplete.
    data["action"], data["form_token"] = "draft", "t2"
    assert client.post("/portfolio/evidence/new/learning_log", data=data).status_code == 302


def test_a_stale_form_is_refused_and_keeps_the_answers(client, login, world, session):
    login(client, world.candidate)
    location = client.post("/portfolio/evidence/new/learning_log",
                           data=log_form(world, session)).headers["Location"]
    evidence_id = int(location.rsplit("/", 1)[1])
    first = log_form(world, session, title="First window", lock_version="1", form_token="a")
    stale = log_form(world, session, title="Second window", lock_version="1", form_token="b")
    assert client.post(f"/portfolio/evidence/{evidence_id}/edit", data=first).status_code == 302
    response = client.post(f"/portfolio/evidence/{evidence_id}/edit", data=stale)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "changed in another window" in page
    assert 'value="Second window"' in page and 'name="lock_version" type="hidden" value="2"' in page
    session.rollback()
    assert session.get(Evidence, evidence_id).title == "First window"


def test_submit_checks_pid_then_emails_the_chosen_supervisor(client, login, world, session, mailbox):
    login(client, world.candidate)
    data = log_form(world, session, answer_what_happened="Mrs Jones, NHS 943 476 5919, SW1A 1AA.")
    location = client.post("/portfolio/evidence/new/learning_log", data=data).headers["Location"]
    evidence_id = int(location.rsplit("/", 1)[1])
    page = client.get(f"/portfolio/evidence/{evidence_id}/submit").get_data(as_text=True)
    assert page.count('<mark class="roadmap-pid">') == 3
    assert "NHS number" in page and "postcode" in page
    refused = client.post(f"/portfolio/evidence/{evidence_id}/submit",
                          data={"supervisor": world.backup.id, "lock_version": "1", "form_token": "s1"})
    assert "confirm that none of it identifies a patient" in refused.get_data(as_text=True)
    session.rollback()
    assert session.get(Evidence, evidence_id).status == "draft"
    done = client.post(f"/portfolio/evidence/{evidence_id}/submit",
                       data={"supervisor": world.backup.id, "lock_version": "1", "form_token": "s2",
                             "confirm_pid": "y"})
    assert done.status_code == 302
    session.rollback()
    item = session.get(Evidence, evidence_id)
    assert item.status == "submitted" and item.submitted_to_id == world.backup.id
    actions = session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "evidence.pid_confirmed" in actions and actions[-1] == "evidence.submitted"
    [message] = mailbox.to(world.backup.email)
    assert mailbox.link(message) == f"/portfolio/evidence/{evidence_id}"
    # The same submit clicked twice does nothing more.
    again = client.post(f"/portfolio/evidence/{evidence_id}/submit",
                        data={"supervisor": world.backup.id, "lock_version": "1", "form_token": "s2",
                              "confirm_pid": "y"})
    assert again.status_code == 302 and len(mailbox.messages) == 1


def test_only_a_current_supervisor_can_be_chosen(client, login, world, session, make_user):
    login(client, world.candidate)
    location = client.post("/portfolio/evidence/new/learning_log",
                           data=log_form(world, session)).headers["Location"]
    evidence_id = int(location.rsplit("/", 1)[1])
    stranger = make_user("stranger@example.nhs.uk", roles=("supervisor",))
    page = client.post(f"/portfolio/evidence/{evidence_id}/submit",
                       data={"supervisor": stranger.id, "lock_version": "1", "form_token": "x"})
    assert "Choose one of your current supervisors" in page.get_data(as_text=True)


def test_session_that_ends_mid_reflection_loses_nothing(client, login, world, session):
    login(client, world.candidate)
    url = "/portfolio/evidence/new/reflection?template=gibbs"
    assert client.get(url).status_code == 200
    # The candidate types for longer than the idle limit; the session ends on the server.
    from roadmap.db import utcnow

    session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(hours=2)))
    session.commit()
    words = "I noticed I rushed the examination and missed the patient's worry about work."
    response = client.post(url, data={"title": "Rushed examination", "occurred_on": TODAY,
                                      "answer_trigger": "clinical_case",
                                      "answer_description": words, "form_token": "z",
                                      "action": "draft"})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0
    kept = session.scalar(sa.select(DraftAutosave))
    assert kept.user_id == world.candidate.id and kept.reason == "session_ended"
    # Sign in again, through the link the sign-in page was given.
    client.get(response.headers["Location"])
    signed_in = login(client, world.candidate)
    assert signed_in.headers["Location"].endswith(url)
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert words in page and "when your session ended" in page
    assert 'value="Rushed examination"' in page


def test_autosave_keeps_answers_until_the_draft_is_saved(client, login, world, session):
    login(client, world.candidate)
    url = "/portfolio/evidence/new/learning_log"
    response = client.post("/portfolio/autosave", data={"path": url, "title": "Half typed",
                                                        "answer_learning": "so far"})
    assert response.status_code == 200 and response.json["saved"]
    assert client.post("/portfolio/autosave", data={"path": "/elsewhere"}).status_code == 400
    page = client.get(url).get_data(as_text=True)
    assert 'value="Half typed"' in page and "so far" in page and "automatically" in page
    client.post(url, data=log_form(world, session))
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(DraftAutosave)) == 0


def test_links_of_a_signed_item_are_frozen_and_its_snapshot_kept(client, login, world, session):
    from roadmap.portfolio.content import content_hash, evidence_content
    from roadmap.portfolio.models import EvidenceVersion
    from roadmap.supervision.models import Signature

    login(client, world.candidate)
    location = client.post("/portfolio/evidence/new/learning_log",
                           data=log_form(world, session)).headers["Location"]
    evidence_id = int(location.rsplit("/", 1)[1])
    session.rollback()
    item = session.get(Evidence, evidence_id)
    content = evidence_content(item, "learning_log", ["1"])
    version = EvidenceVersion(evidence_id=item.id, number=1, content=content,
                              content_hash=content_hash(content))
    session.add(version)
    session.flush()
    session.add(Signature(subject_type="evidence_version", subject_id=version.id,
                          signer_id=world.primary.id, signer_name="Pat", capacity="primary_supervisor",
                          content_hash=version.content_hash))
    item.status = "signed"
    session.commit()
    moved = log_form(world, session, lock_version=str(item.lock_version), form_token="m",
                     capabilities=[str(world.capability(session, "2").id)])
    page = client.post(f"/portfolio/evidence/{evidence_id}/edit", data=moved).get_data(as_text=True)
    assert "cannot change" in page
    edited = log_form(world, session, lock_version=str(item.lock_version), form_token="n",
                      answer_learning="Changed after signing.")
    assert client.post(f"/portfolio/evidence/{evidence_id}/edit", data=edited).status_code == 302
    session.rollback()
    item = session.get(Evidence, evidence_id)
    assert item.status == "changed_since_signed" and item.fields["learning"] == "Changed after signing."
    kept = session.get(EvidenceVersion, version.id)
    assert kept.content == content and kept.content_hash == content_hash(content)
    assert session.scalar(sa.select(Signature)).content_hash == content_hash(content)
    assert session.scalars(sa.select(EvidenceCapability.capability_id)).all() == \
        [world.capability(session, "1").id]


def test_self_rating_with_justification_and_linked_evidence(client, login, world, session):
    login(client, world.candidate)
    client.post("/portfolio/evidence/new/learning_log", data=log_form(world, session, capabilities=[]))
    session.rollback()
    item = session.scalar(sa.select(Evidence))
    cap = world.capability(session, "3")
    url = f"/portfolio/headings/{cap.id}"
    missing = client.post(url, data={"rating": "capable", "justification": ""})
    assert "Explain your rating" in missing.get_data(as_text=True)
    done = client.post(url, data={"rating": "capable", "justification": "My CBDs show it.",
                                  "link": [str(item.id)]})
    assert done.status_code == 302
    home = client.get("/portfolio/").get_data(as_text=True)
    assert "Capable" in home
    session.rollback()
    assert session.scalar(sa.select(EvidenceCapability.capability_id)) == cap.id


def test_outcomes_can_be_tagged_where_the_framework_has_them(client, login, session, make_user):
    from pathlib import Path

    from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
    from roadmap.framework.loader import read_file
    from roadmap.framework.models import Capability, Outcome
    from roadmap.framework.service import load_into_db

    loaded = read_file(Path(__file__).parents[1] / "data" / "frameworks" / "mini"
                       / "mini-dietetic.yaml")
    version, _ = load_into_db(session, loaded.document, loaded.source_path)
    hub = TrainingHub(name="Dietetic hub")
    session.add(hub)
    session.flush()
    cohort = Cohort(hub_id=hub.id, name="D1")
    session.add(cohort)
    session.commit()
    candidate = make_user("dee@example.nhs.uk")
    session.add(Enrolment(candidate_id=candidate.id, cohort_id=cohort.id,
                          framework_version_id=version.id, enrolled_on=dt.date.today()))
    session.commit()
    cap = session.scalar(sa.select(Capability).where(Capability.framework_version_id == version.id,
                                                     Capability.code == "1"))
    outcome = session.scalar(sa.select(Outcome).where(Outcome.capability_id == cap.id))
    session.rollback()
    login(client, candidate)
    page = client.get("/portfolio/evidence/new/cbd").get_data(as_text=True)
    assert f'name="outcome_{cap.id}"' in page and "Uses a validated screening tool." in page
    response = client.post("/portfolio/evidence/new/cbd", data={
        "title": "Weight loss case", "occurred_on": TODAY, "answer_summary": "A case.",
        "capabilities": [str(cap.id)], f"outcome_{cap.id}": str(outcome.id), "form_token": "o1",
        "action": "draft"})
    assert response.status_code == 302
    session.rollback()
    link = session.scalar(sa.select(EvidenceCapability))
    assert (link.capability_id, link.outcome_id) == (cap.id, outcome.id)


def test_numbers_and_choices_outside_the_definition_are_refused(client, login, world, session):
    login(client, world.candidate)
    for hours in ("NaN", "Infinity", "101", "-1", "lots"):
        page = client.post("/portfolio/evidence/new/learning_log",
                           data=log_form(world, session, answer_hours=hours, form_token=hours))
        assert page.status_code == 200 and 'id="answer_hours-error"' in page.get_data(as_text=True), hours
    page = client.post("/portfolio/evidence/new/learning_log",
                       data=log_form(world, session, answer_entry_kind="made_up", form_token="k"))
    assert 'id="answer_entry_kind-error"' in page.get_data(as_text=True)
