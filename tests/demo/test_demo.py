"""`roadmap demo`: every login printed with what a newcomer needs, idempotent, new databases only."""
from __future__ import annotations

import re
from types import SimpleNamespace

import sqlalchemy as sa

from roadmap.audit.models import AuditEvent
from roadmap.demo import evidence as demo_text
from roadmap.framework.models import EvidenceType
from roadmap.models import (Attachment, Enrolment, Evidence, Signature, StageSignOff,
                            SupervisorAssignment, User)

CANDIDATES = [f"candidate{n}@example.nhs.uk" for n in range(1, 17)]
STAFF = ["supervisor1@example.nhs.uk", "supervisor2@example.nhs.uk", "fellow1@example.nhs.uk",
         "fellow2@example.nhs.uk", "fellow3@example.nhs.uk", "hub@example.nhs.uk",
         "hub2@example.nhs.uk", "hub3@example.nhs.uk", "admin@example.nhs.uk",
         "provider@example.ac.uk", "provider2@example.ac.uk", "edsup@example.ac.uk",
         "region@example.nhs.uk"]


def _counts(session) -> dict[str, int]:
    return {model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Enrolment, Evidence, SupervisorAssignment, Signature,
                          StageSignOff, Attachment, AuditEvent)}


def _line(output: str, email: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(email + " "))


def test_every_login_is_printed_with_name_role_capacity_and_secret(demo_data, session):
    result = SimpleNamespace(output=demo_data)  # what `roadmap demo` printed as it built this
    assert "Password for every account: a-long-demo-password" in result.output
    users = {u.email: u for u in session.scalars(sa.select(User))}
    for email in CANDIDATES + STAFF:
        line = _line(result.output, email)
        assert users[email].full_name in line
        secret = users[email].totp_secret
        assert (secret in line) if email in STAFF else (" - " in line and secret is None)
    assert "regional lead" in _line(result.output, "region@example.nhs.uk")
    assert "GP supervisor" in _line(result.output, "supervisor1@example.nhs.uk")
    fellow = _line(result.output, "fellow1@example.nhs.uk")
    assert "AHP supervision fellow" in fellow and "backup for " in fellow
    assert "primary for " in fellow and "Mohammed Ali" in fellow
    # The signed-off candidate shows too, with the backup's story.
    assert "signed off: Olivia Carter, Stage 2 (acted for the primary)" in fellow
    assert "signed off: Olivia Carter, Stage 1" in _line(result.output,
                                                         "supervisor1@example.nhs.uk")
    assert "educational supervisor" in _line(result.output, "edsup@example.ac.uk")
    assert "Buckinghamshire" in _line(result.output, "hub2@example.nhs.uk")
    assert "ready" in _line(result.output, "candidate4@example.nhs.uk")
    assert re.search(r"RM-\S+  Olivia Carter, Stage 2", result.output)


def test_a_second_run_changes_nothing_but_the_passwords(demo_data, runner, session):
    first = SimpleNamespace(output=demo_data)  # the worker's one build, its rows copied here
    before = _counts(session)
    second = runner.invoke(args=["demo", "--password", "another-long-password"])
    assert second.exit_code == 0, second.output
    assert "Demo data was already there" in second.output
    session.rollback()  # end the read snapshot, see what the command committed
    assert _counts(session) == before
    codes = sorted(re.findall(r"RM-[A-Z2-9-]{17}", first.output))
    assert codes and codes == sorted(re.findall(r"RM-[A-Z2-9-]{17}", second.output))
    secret = re.compile(r"\s([A-Z2-7]{32})\s")
    for email in ("supervisor1@example.nhs.uk", "provider@example.ac.uk"):  # kept, not renewed
        assert secret.search(_line(first.output, email)).group(1) == \
            secret.search(_line(second.output, email)).group(1)


def test_demo_refuses_a_short_password(runner, session):
    result = runner.invoke(args=["demo", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert _counts(session)["User"] == 0


def test_demo_refuses_a_database_whose_log_runs_past_the_story_start(runner, session):
    # Loading the roadmap first records an event now; the story's events would come after it
    # in the log but months before it in time.
    assert runner.invoke(args=["framework", "load"]).exit_code == 0
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "already has events" in result.output and "new database" in result.output
    session.rollback()
    assert _counts(session)["User"] == 0 and _counts(session)["AuditEvent"] == 1


def _answers(session, code: str) -> list[dict]:
    return [fields for fields in session.scalars(
        sa.select(Evidence.fields).join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .where(EvidenceType.code == code))]


def test_each_answer_of_the_demo_reads_as_its_question_asks(demo_data, session):
    """What went well is praise and what to develop is not; an MSF or PSQ is not a shoulder
    examination; patients, not colleagues, answer a PSQ; a CBD's questions are not its case."""
    for code in ("mini_cex", "cot", "ceps_dops"):
        signed = [f for f in _answers(session, code) if f.get("strengths")]
        assert signed, code
        for fields in signed:
            assert fields["strengths"] in demo_text.ASSESSOR["strengths"], code
            assert fields["development"] in demo_text.ASSESSOR["development"], code
    for code in ("msf", "psq"):
        for fields in _answers(session, code):
            assert "shoulder" not in " ".join(str(v) for v in fields.values()).lower(), code
    psq_reflections = [f["reflection"] for f in _answers(session, "psq") if f.get("reflection")]
    assert psq_reflections and all("olleague" not in r and "atient" in r for r in psq_reflections)
    cbds = _answers(session, "cbd")
    assert cbds and all(f["questions"] != f["case_summary"] for f in cbds if f.get("questions"))
