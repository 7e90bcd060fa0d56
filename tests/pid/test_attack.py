"""Issue 22's attack on the scanner, one rule at a time: clinicians flagged as patients,
identifiers hidden by invisible spaces, dots, capitals and file names, and a right-to-left
override that turned a highlighted postcode around. The same texts are in the corpus's
"attack" split (tests/data/pid_attack.txt), measured with the rest."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.pid import check, highlight, scan
from roadmap.portfolio import staff
from roadmap.portfolio.models import Evidence
from tests.portfolio.world import PortfolioWorld, build_world


def kinds(text: str, known: tuple[str, ...] = ()) -> list[str]:
    return [finding.kind for finding in scan(text, known)]


@pytest.mark.parametrize("text", [
    "Observed by Tom Hughes, I saw a gentleman in his 70s",
    "Supervised by Ben Osei, I saw a 45-year-old",
    "Priya Shah watched the consultation: a gentleman with knee pain",
    "Seen jointly with Aisha Khan, a lady with hand numbness",
    "My supervisor Owen Price sat in while I saw a gentleman",
    "Physio Dan Whitfield and I reviewed a lady with heel pain",
    "Jointly with GP Hannah Reid, I saw a lady with back pain",
    "Assessed by Mr Hughes, I saw a gentleman with a stiff shoulder",
])
def test_a_clinician_beside_a_patient_is_not_flagged(text: str):
    assert kinds(text) == []


def test_a_patient_beside_the_same_words_still_is():
    assert kinds("Saw Margaret Hill, 67, observed by my supervisor") == ["name"]
    assert kinds("Mrs Hill said her knee was worse; observed by Dr Okoye") == ["name"]


def test_known_staff_are_never_flagged_but_patients_are():
    text = "Pat Primary and I saw a gentleman with knee pain; later Mrs Jones rang."
    assert [f.text for f in scan(text)] == ["Pat Primary", "Mrs Jones"]
    assert [f.text for f in scan(text, ["Pat Primary", "Cara Candidate"])] == ["Mrs Jones"]
    assert check.flagged({"a": "Cara Candidate saw a gentleman"}, ["Cara Candidate"]) == {}
    assert check.flagged({"a": "Mr Primary and I saw a lady"}, ["Pat Primary"]) == {}


@pytest.mark.parametrize("number", ["943\u00a0476\u00a05919", "943\u2009476\u20095919",
                                    "943\u202f476\u202f5919", "943\t476\t5919", "943\n476\n5919",
                                    "943.476.5919", "943 476-5919"])
def test_nhs_numbers_are_found_through_any_space_or_dot(number: str):
    assert kinds(f"NHS {number} on the letter") == ["nhs_number"]
    assert kinds(f"The letter had {number} on it") == ["nhs_number"]


def test_dotted_numbers_that_are_not_nhs_numbers_are_left_alone():
    assert kinds("Version 1.2.3, reference 943.476.5918, code v1.943.476.5919.2") == []
    assert kinds("943 patients, 476 of whom had imaging, 5919 appointments") == []


@pytest.mark.parametrize("text", ["lives near LS1  4AP now", "lives near LS1\u00a04AP now",
                                  "lives near LS1\u00a0\u00a04AP now"])
def test_postcodes_with_two_spaces_or_a_no_break_space_are_found(text: str):
    assert kinds(text) == ["postcode"]


@pytest.mark.parametrize("filename, kind", [
    ("LS1-4AP.pdf", "postcode"), ("letter-LS1-4AP.pdf", "postcode"),
    ("letter_SW1A_1AA.pdf", "postcode"), ("Margaret_Hill_67.pdf", "name"),
    ("Margaret-Hill-67.docx", "name"), ("knee_xray_notes.pdf", None),
    ("MSK_audit_2025-03-14.pdf", None), ("Reflection_Sarah_Lewis_feedback.pdf", None),
])
def test_file_names_read_underscores_and_hyphens_as_spaces(filename: str, kind: Any):
    found = check.flagged({"name": check.file_name_words(filename)}).get("name", [])
    assert [f.kind for f in found] == ([kind] if kind else [])


def test_titles_in_capitals_bare_ages_and_possessives_are_found():
    assert [f.text for f in scan("MRS PATEL attended with her daughter")] == ["MRS PATEL"]
    assert [f.text for f in scan("Referral header: MR JOHN DAVIES, knee pain")] == ["MR JOHN DAVIES"]
    assert kinds("The MRI report said MR SCAN of the spine was clear; MS FLARE queried") == []
    assert kinds("Margaret Hill 67 knee pain, worse on stairs") == ["name"]
    assert kinds("Margaret Hill 94 knee pain") == ["name", "age"]
    assert kinds("Team huddle: Sarah Lewis 12 minutes late") == []
    assert kinds("I wrote down Margaret Hill's NHS number by mistake") == ["name"]


def test_a_right_to_left_override_cannot_turn_a_highlight_around():
    text = "Postcode \u202eLS1 4AP\u202c and \u2066more\u2069 text"
    shown = str(highlight(text, scan(text)))
    assert "LS1 4AP</mark>" in shown
    assert not any(chr(c) in shown for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
    assert str(check.marked({"a": text}, check.flagged({"a": text}))["a"]) == shown


def test_a_patient_writing_a_psq_is_asked_about_themselves():
    found = check.flagged({"a": "From Margaret Hill, 67, thank you"})
    [words] = check.messages(found, check.PATIENT_WORDS).values()
    assert "Please do not include your name or details that could identify you or another " \
           "patient" in words and "a name" in words and "who the patient is" not in words


@pytest.fixture
def world(session: Any, make_user: Any) -> PortfolioWorld:
    return build_world(session, make_user)


def test_the_portfolio_knows_its_candidate_supervisors_and_assessors(session, world):
    assert staff.known_people(session, world.enrolment.id) == [
        "Bob Backup", "Cara Candidate", "Pat Primary"]


def test_a_reflection_naming_the_candidates_own_supervisor_raises_no_warning(
        client, login, world, session):
    """Over HTTP: the candidate names their supervisor beside "saw a gentleman": no highlight,
    no confirmation asked, no pid_confirmed event; a patient's name in the same place is still
    highlighted."""
    login(client, world.candidate)
    data = {"title": "Knee assessment", "occurred_on": dt.date.today().isoformat(),
            "answer_entry_kind": "clinical_case",
            "answer_what_happened": "Pat Primary and I saw a gentleman with knee pain.",
            "answer_learning": "Bob Backup showed me the Lachman test.", "answer_hours": "1",
            "capabilities": [str(world.capability(session, "1").id)], "form_token": "t1",
            "action": "draft"}
    session.rollback()
    location = client.post("/portfolio/evidence/new/learning_log", data=data).headers["Location"]
    evidence_id = int(location.rsplit("/", 1)[1])
    page = client.get(f"/portfolio/evidence/{evidence_id}/submit").get_data(as_text=True)
    assert '<mark class="roadmap-pid">' not in page
    done = client.post(f"/portfolio/evidence/{evidence_id}/submit",
                       data={"supervisor": world.primary.id, "lock_version": "1",
                             "form_token": "s1"})
    assert done.status_code == 302
    session.rollback()
    assert session.get(Evidence, evidence_id).status == "submitted"
    actions = session.scalars(sa.select(AuditEvent.action)).all()
    assert "evidence.pid_confirmed" not in actions

    patient = {**data, "title": "Another knee", "form_token": "t2",
               "answer_what_happened": "Margaret Hill and I saw a gentleman with knee pain."}
    location = client.post("/portfolio/evidence/new/learning_log", data=patient).headers["Location"]
    evidence_id = int(location.rsplit("/", 1)[1])
    page = client.get(f"/portfolio/evidence/{evidence_id}/submit").get_data(as_text=True)
    assert page.count('<mark class="roadmap-pid">') == 1 and "Margaret Hill</mark>" in page
