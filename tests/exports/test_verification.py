"""The public /verify/<code> page and the one-page verification statement."""
from __future__ import annotations

import io

import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from roadmap import clock
from roadmap.exports import verification
from roadmap.portfolio.models import Evidence
from roadmap.providers import decisions
from roadmap.providers.models import EducationProvider, ProviderReviewer
from roadmap.supervision import approvals, signoff
from roadmap.supervision.models import CapabilityRating, StageSignOff
from tests.fixtures.msk import TODAY


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1)
    return app_config


@pytest.fixture
def signed_off(session, ready_for_stage2, make_user):
    """Stage 2 signed by the candidate and the primary supervisor, then approved by the
    education provider (its last approval); the sign-off record."""
    team = ready_for_stage2
    provider = EducationProvider(name="University of Example")
    session.add(provider)
    session.flush()
    reviewer = make_user("rhea@example.ac.uk", roles=("provider_reviewer",),
                         full_name="Rhea Reviewer")
    session.add(ProviderReviewer(provider_id=provider.id, user_id=reviewer.id))
    team.enrolment.provider_id = provider.id
    session.commit()
    record = signoff.signoff_for(session, team.enrolment, "stage2")
    from roadmap.supervision.checklist import compute

    checklist = compute(session, team.enrolment, "stage2")
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate,
                           [d["code"] for d in signoff.declarations(checklist, "candidate")])
    session.commit()
    session.expire_all()  # the sign-off moves on by UPDATE statements
    signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                            [d["code"] for d in signoff.declarations(checklist, "supervisor")],
                            None, TODAY)
    session.commit()
    decisions.decide(session, approvals.latest_round(session, record.id).id, reviewer,
                     "approved", None, {}, 0, TODAY)
    session.commit()
    session.refresh(record)
    assert record.status == "complete" and record.verification_code
    return record


def test_a_real_code_is_genuine_and_shows_who_signed_but_no_content(client, session, signed_off,
                                                                    ready_for_stage2):
    response = client.get(f"/verify/{signed_off.verification_code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This verification statement is genuine" in page
    assert "Jo Candidate" in page and "Dr Primary" in page and "primary supervisor" in page
    assert "has not changed since" in page
    titles = session.scalars(sa.select(Evidence.title)).all()
    assert titles and not any(title in page for title in titles)


def test_a_code_typed_loosely_still_verifies(client, signed_off):
    typed = signed_off.verification_code.lower().replace("-", " - ")
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def _typings(code: str) -> list[str]:
    """A printed code as people type it: spaces for hyphens, none at all, without RM-."""
    return [code.replace("-", " "), code.replace("-", ""), code.lower().replace("-", ""),
            code[3:], f"  {code.replace('-', ' - ')}  "]


def test_a_code_typed_with_spaces_or_no_hyphens_is_found_and_shown_as_printed(client, signed_off):
    code = signed_off.verification_code
    for typed in _typings(code):
        asked = client.get("/verify", query_string={"code": typed})
        assert asked.headers["Location"] == f"/verify/{code}", typed
        direct = client.get(f"/verify/{typed.strip()}")
        assert direct.status_code == 302 and direct.headers["Location"] == f"/verify/{code}", typed
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert f'<span class="nhsuk-caption-l">{code}</span>' in page and "genuine</h1>" in page


@pytest.mark.parametrize("typed, printed", [
    ("RM TKTS3 ZM8K7 FJ5CH", "RM-TKTS3-ZM8K7-FJ5CH"), ("rmtkts3zm8k7fj5ch", "RM-TKTS3-ZM8K7-FJ5CH"),
    ("TKTS3-ZM8K7-FJ5CH", "RM-TKTS3-ZM8K7-FJ5CH"), ("RM—TKTS3·ZM8K7 FJ5CH", "RM-TKTS3-ZM8K7-FJ5CH"),
    ("RM-12345", "RM12345"), ("", "")])
def test_normalise_writes_a_code_as_printed(typed, printed):
    assert verification.normalise(typed) == printed


@pytest.mark.parametrize("code", ["RM-AAAAA-BBBBB-CCCCC", "RM-12345", "anything<script>"])
def test_a_made_up_code_is_unknown(client, signed_off, code):
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "We do not know this code" in response.get_data(as_text=True)
    assert "genuine</h1>" not in response.get_data(as_text=True)


def test_the_page_says_changed_since_after_a_rating_changes(client, session, signed_off,
                                                            ready_for_stage2):
    rating = session.scalars(sa.select(CapabilityRating).where(
        CapabilityRating.rater_kind == "supervisor")).first()
    rating.rating = "excellent"
    session.commit()
    page = client.get(f"/verify/{signed_off.verification_code}").get_data(as_text=True)
    assert "This verification statement is genuine" in page
    assert "has changed since it was signed off" in page
    assert "Capability ratings have changed" in page


def test_a_tampered_record_is_not_confirmed(client, session, signed_off):
    record = session.get(StageSignOff, signed_off.id)
    record.signed_content = {**record.signed_content, "supervisor_declarations": ["edited"]}
    session.commit()
    page = client.get(f"/verify/{signed_off.verification_code}").get_data(as_text=True)
    assert "cannot be confirmed" in page


def test_the_statement_is_one_page_with_the_code(client, login, signed_off, ready_for_stage2):
    login(client, ready_for_stage2.candidate)
    response = client.get(f"/stages/signoff/{signed_off.id}/statement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert signed_off.verification_code in text and "Dr Primary" in text
    assert f"/verify/{signed_off.verification_code}" in text
    day = clock.day_of(signed_off.completed_at).isoformat()
    name = f"Jo-Candidate-Stage-2-application-in-primary-care-verification-statement-{day}.pdf"
    assert f'filename="{name}"' in response.headers["Content-Disposition"]


def test_a_stranger_cannot_download_the_statement(client, login, signed_off, ready_for_stage2):
    login(client, ready_for_stage2.stranger)
    assert client.get(f"/stages/signoff/{signed_off.id}/statement.pdf").status_code == 404


def _full_width(code: str) -> str:
    """The code as a Japanese or Chinese keyboard types it: full-width letters and dash."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in code)


def test_a_code_in_full_width_characters_is_found(client, signed_off):
    """Issue 17 #12: "ＲＭ－…" led to /verify/ and a generic page-not-found."""
    code = signed_off.verification_code
    asked = client.get("/verify", query_string={"code": _full_width(code)})
    assert asked.status_code == 302 and asked.headers["Location"] == f"/verify/{code}"
    direct = client.get(f"/verify/{_full_width(code)}")
    assert direct.status_code == 302 and direct.headers["Location"] == f"/verify/{code}"
    assert "genuine</h1>" in client.get(f"/verify/{code}").get_data(as_text=True)


@pytest.mark.parametrize("typed, message", [
    ("", "Enter the verification code"), ("   ", "Enter the verification code"),
    ("---", "Enter the code as it is printed, like RM-ABCDE-FGHJK-LMNPQ"),
    ("—·—", "Enter the code as it is printed, like RM-ABCDE-FGHJK-LMNPQ")])
def test_a_code_with_nothing_to_look_up_is_told_so_beside_the_box(client, typed, message):
    """Issue 17 #12: an empty code showed the form again in silence, "---" a page-not-found."""
    response = client.get("/verify", query_string={"code": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="code-error">.*?Error:.*?</span>\s*' + re.escape(message), page, re.S)
    assert 'href="#code"' in page and "Page not found" not in page
    assert "<title>Error: Check a verification code, portfolio PDF or credential" in page


def test_the_form_without_a_code_has_no_error(client):
    page = client.get("/verify").get_data(as_text=True)
    assert "There is a problem" not in page and 'id="code-error"' not in page
