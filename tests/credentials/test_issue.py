"""A stage's last approval issues its credential: Open Badges 3.0 as 1EdTech's schema says,
signed with the published key, stating the approvals and ratings, never portfolio content."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.credentials import proof
from roadmap.credentials.models import IssuedCredential
from roadmap.portfolio.models import Evidence
from roadmap.providers import decisions
from roadmap.supervision.models import StageSignOff
from tests.fixtures.msk import TODAY

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "openbadges" / \
    "ob_v3p0_achievementcredential_schema.json"


@pytest.fixture(scope="module")
def open_badges_schema() -> jsonschema.Draft201909Validator:
    """1EdTech's own JSON Schema for an OpenBadgeCredential, kept as test data."""
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_schema_is_1edtechs_published_file():
    schema = json.loads(SCHEMA.read_text())
    assert schema["$id"].startswith("https://purl.imsglobal.org/spec/ob/v3p0/schema/")
    assert schema["title"] == "JSON Schema for the AchievementCredential class."
    assert set(schema["required"]) == {"@context", "id", "type", "credentialSubject", "issuer",
                                       "validFrom"}


def test_the_last_approval_issues_a_credential_that_meets_the_schema(approved, client,
                                                                     open_badges_schema):
    row = approved.credential
    assert row is not None and row.stage_code == "stage2"
    header, payload = proof.read(row.jws)
    credential = {k: v for k, v in payload.items() if k not in {"iss", "sub", "jti", "nbf"}}
    errors = sorted(open_badges_schema.iter_errors(credential), key=str)
    assert errors == [], [e.message for e in errors]
    # The schema's own checks fail a credential that breaks them (the validator is live).
    broken = {**credential, "credentialSubject": {"id": "urn:x"}}
    assert list(open_badges_schema.iter_errors(broken))
    # The JOSE header and claims Open Badges 3.0 asks for, and the key published for its kid.
    assert header == {"alg": "Ed25519", "kid": header["kid"], "typ": "JWT"}
    assert payload["iss"] == credential["issuer"]["id"] == \
        "https://roadmap.example.nhs.uk/credentials/issuer"
    assert payload["jti"] == credential["id"] == \
        f"https://roadmap.example.nhs.uk/credentials/{row.public_id}"
    assert payload["sub"] == credential["credentialSubject"]["id"]
    published = client.get("/.well-known/jwks.json").get_json()["keys"]
    key = next(k for k in published if k["kid"] == header["kid"])
    assert proof.signed_by(row.jws, key)
    assert "d" not in key


def test_the_credential_states_the_stage_the_ratings_and_who_approved(approved, session):
    payload = proof.read(approved.credential.jws)[1]
    subject = payload["credentialSubject"]
    achieved = subject["achievement"]
    assert subject["identifier"][0]["identityHash"] == "Jo Candidate"
    assert achieved["name"].startswith("Stage 2: application in primary care")
    assert achieved["version"] == approved.team.version.version_label
    assert payload["issuer"]["name"] == "Example Training Hub"
    # Every capability heading is aligned, with the supervisor's rating as a result.
    codes = [a["targetCode"] for a in achieved["alignment"]]
    assert codes == [str(n) for n in range(1, 15)]
    assert {r["value"] for r in subject["result"]} == {"Capable"}
    assert len(subject["result"]) == 14
    # The approvals: the candidate, the supervisor, the education provider and its reviewer.
    approvals = {e["name"]: e["description"] for e in payload["evidence"]
                 if e["genre"] == "Approval"}
    assert approvals["Declared by the candidate"].startswith("Jo Candidate")
    assert approvals["Signed off by the supervisor"].startswith("Dr Primary, primary supervisor")
    assert approvals["Approved by the education provider"].startswith(
        "University of Example (reviewed by Rhea Reviewer")
    # What it does not mean.
    assert "not national recognition" in payload["description"]
    # Evidence as content hashes, never content.
    record = session.get(StageSignOff, approved.credential.signoff_id)
    hashes = {h for *_, h in record.signed_content["evidence"]}
    described = " ".join(e["description"] for e in payload["evidence"])
    assert hashes and all(h in described for h in hashes)
    assert record.content_hash in described
    titles = set(session.scalars(sa.select(Evidence.title)))
    text = json.dumps(payload)
    assert not any(title in text for title in titles)


def test_nothing_is_issued_before_the_last_approval_and_once_only(waiting, session):
    assert session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0
    decisions.decide(session, waiting.round.id, waiting.first, "approved", None, {}, 0, TODAY)
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 1
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "credential.issued"))
    assert event.actor_id == waiting.first.id and event.data["stage"] == "stage2"


def test_without_a_key_the_approval_stands_and_no_credential_is_issued(app, waiting, session):
    app.config["CREDENTIAL_KEY_FILE"] = None
    decisions.decide(session, waiting.round.id, waiting.first, "approved", None, {}, 0, TODAY)
    session.commit()
    assert session.scalar(sa.select(StageSignOff.status).where(
        StageSignOff.id == waiting.round.signoff_id)) == "complete"
    assert session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0


def test_the_candidate_is_told_the_credential_is_ready(mailbox, approved):
    told = [m for m in mailbox.messages if m["To"] == "cand@example.nhs.uk"
            and "is signed off" in m["Subject"]]
    assert told and "digital credential" in told[-1].get_content()


@pytest.mark.msk_v1
def test_where_the_supervisor_approves_last_their_sign_off_issues_it(session, ready_for_stage2):
    from roadmap.supervision import signoff

    team = ready_for_stage2
    signoff.candidate_sign(session, team.enrolment, "stage2", team.candidate,
                           ["candidate_own_work"])
    session.commit()
    assert session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0
    signoff.supervisor_sign(session, team.enrolment, "stage2", team.primary,
                            ["supervisor_verified"], None, TODAY)
    session.commit()
    row = session.scalar(sa.select(IssuedCredential))
    payload = proof.read(row.jws)[1]
    approvals = [e["name"] for e in payload["evidence"] if e["genre"] == "Approval"]
    assert approvals == ["Declared by the candidate",
                         "Signed off by the supervisor (route before 2024)"]
    event = session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "credential.issued"))
    assert event.actor_id == team.primary.id
