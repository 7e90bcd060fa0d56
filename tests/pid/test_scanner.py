"""The patient-identifiable data scanner (rule D9): roadmap.pid.scan, one rule at a time."""
from __future__ import annotations

import nhs_number
from hypothesis import given, settings, strategies as st

from roadmap.pid import Finding, highlight, scan, warnings
from roadmap.portfolio import pid as portfolio_pid

VALID = "9434765919"  # a valid check digit
INVALID = "9434765918"  # the same number with a wrong check digit


def kinds(text: str) -> list[str]:
    return [f.kind for f in scan(text)]


def test_valid_nhs_numbers_are_found_with_or_without_spaces():
    assert kinds(f"NHS number {VALID} noted") == ["nhs_number"]
    assert kinds("NHS number 943 476 5919 noted") == ["nhs_number"]
    assert kinds("NHS number 943-476-5919 noted") == ["nhs_number"]
    found = scan("seen: 943 476 5919.")
    assert found == [Finding("nhs_number", 6, 18, "943 476 5919")]


def test_invalid_nhs_numbers_are_not_flagged():
    assert "nhs_number" not in kinds(f"reference {INVALID}")
    assert "nhs_number" not in kinds("reference 943 476 5918")
    assert kinds("ten digits 1234567890 here") == []  # check digit 0 is wrong for this


def test_dates_of_birth_and_full_dates():
    assert kinds("DOB 03/04/1954") == ["date_of_birth"]
    assert kinds("born on 3rd April 1954") == ["date_of_birth"]
    assert kinds("date of birth: 1954-04-03") == ["date_of_birth"]
    assert kinds("seen on 12 March 2025 in clinic") == ["date"]
    assert kinds("for 6 weeks, 3 times a day") == []


def test_training_and_sign_off_dates_are_not_a_patients():
    assert kinds("Attended the injection therapy course on 14 March 2025.") == []
    assert kinds("Stage 1 was signed off on 03/02/2025.") == []
    assert kinds("Saw her on 03/02/2025 for an injection.") == ["date"]


def test_postcodes_phones_emails_and_names():
    assert kinds("lives at SW1A 1AA") == ["postcode"]
    assert kinds("lives in ls1 4dy") == ["postcode"]
    assert kinds("call 07700 900123") == ["phone"]
    assert kinds("call +44 7700 900123") == ["phone"]
    assert kinds("email jo.bloggs@example.com") == ["email"]
    assert kinds("Mrs Jones said") == ["name"]
    assert kinds("the mr scan was normal") == []


def test_clinicians_names_are_not_patients():
    """Rule D9 is about patients: Dr and Prof names, and a Mr or Ms with a role, are clinicians."""
    assert kinds("Dr. Amir Khan referred") == []
    assert kinds("discussed with Dr Patel, my supervisor") == []
    assert kinds("Mr Davies, the orthopaedic consultant, agreed to see her.") == []
    assert kinds("consultant Mr Varma listed her for surgery") == []
    assert kinds("Mr Varma listed her for surgery") == ["name"]
    assert kinds("My supervisor Sarah Lewis observed three consultations.") == []


def test_names_without_a_title_where_a_patient_sits():
    assert scan("Saw Margaret Hill, 67, with back pain.") == [
        Finding("name", 4, 17, "Margaret Hill")]
    for text in ["saw Margaret Hill in clinic", "Margaret Hill, 67, retired",
                 "patient John Smith presented", "pt J Smith attended", "pt J. Smith attended",
                 "a lady called Margaret Hill", "the gentleman, John Smith, had night pain",
                 "Margaret Hill came in. Later Mrs Hill told me more.",
                 "Alan Pearson had cauda equina symptoms", "I told Terry the scan was normal",
                 "I was asked by Jean Moss's daughter about a scan"]:
        assert "name" in kinds(text), text
    assert kinds("Discussed the audit with Margaret Hill.") == []
    assert kinds("Baker's cyst on ultrasound; positive Phalen's test.") == []


def test_ages_over_89_street_addresses_and_practices_beside_a_patient():
    assert kinds("A 94-year-old woman fell at home") == ["age"]
    assert [f.text for f in scan("Roy Kettlewell (94) fell at home")] == ["Roy Kettlewell", "94"]
    assert kinds("aged 91, lives alone") == ["age"]
    assert kinds("A 67-year-old woman fell at home") == []
    assert kinds("She lives at 12 Acacia Avenue") == ["address"]
    assert kinds("lives at 4 Kingsway with her son") == ["address"]
    assert kinds("review in 6 weeks; 2 x 10 reps; 14 March") == []
    assert kinds("I work at Elmwood Surgery two days a week.") == []
    assert kinds("Mrs Hill of Elmwood Surgery") == ["name", "place"]
    assert kinds("The patient was seen at Pinderfields Hospital.") == ["place"]


def test_the_old_import_path_and_warnings_still_work():
    """Features import roadmap.portfolio.pid; it is the same scanner."""
    assert portfolio_pid.scan is scan and portfolio_pid.Finding is Finding
    assert warnings({"a": "Mrs Jones, NHS 943 476 5919", "b": "NRS 7/10, SPADI 54"}) == {
        "a": "This may identify a patient (NHS number, name): change it, or confirm that none of it does"}


def test_clinical_text_without_identifiers_is_clean():
    text = ("A decorator with six weeks of lateral shoulder pain. I screened for red flags, "
            "examined the cervical spine and agreed a plan of graded loading, review in 6 weeks.")
    assert scan(text) == []


def test_highlight_escapes_the_text_and_marks_findings():
    text = "<b>x</b> NHS 943 476 5919"
    marked = str(highlight(text, scan(text)))
    assert "&lt;b&gt;" in marked and "<b>" not in marked
    assert '<mark class="roadmap-pid">' in marked and "943 476 5919</mark>" in marked


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=400_000_000, max_value=999_999_999), st.sampled_from(["", " ", "-"]))
def test_every_valid_nhs_number_is_found_and_no_invalid_one(base: int, sep: str):
    digits = str(base)
    check = nhs_number.calculate_checksum(digits)
    for last in range(10):
        number = digits + str(last)
        shown = f"{number[:3]}{sep}{number[3:6]}{sep}{number[6:]}"
        found = [f for f in scan(f"note {shown} end") if f.kind == "nhs_number"]
        assert bool(found) == nhs_number.is_valid(number)
        if str(check) == str(last) and nhs_number.is_valid(number):
            assert found[0].text == shown


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_findings_are_ordered_disjoint_slices_of_the_text(text: str):
    findings = scan(text)
    for finding in findings:
        assert text[finding.start:finding.end] == finding.text
    for first, second in zip(findings, findings[1:]):
        assert first.end <= second.start
