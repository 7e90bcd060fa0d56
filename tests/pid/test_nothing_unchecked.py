"""Nothing leaves unchecked (issue 22): every text column is classified (roadmap/pid/fields.py),
and over the demo (built through the real services), every free text a person wrote, and all
that the portfolio PDF's gathered data, the ZIP's data.json and the hub's, provider's and
region's pages show, either scans clean or was confirmed (a `*.pid_confirmed` audit event for
its enrolment). A new free-text column fails the first test until it is classified; text that
skipped the check fails the second (shown by the third, which plants some)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from html import unescape
from typing import Any, Iterator, Optional

import pyotp
import sqlalchemy as sa

import roadmap.models  # noqa: F401  every model's table in the metadata
from roadmap import clock
from roadmap.audit import service as audit
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Enrolment
from roadmap.db import Base
from roadmap.exports import archive, gather
from roadmap.pid import fields, scan
from roadmap.supervision.models import CapabilityRating, StageSignOffRound
from tests.fixtures.demo import DEMO_PASSWORD

TABLES = Base.metadata.tables
TEXT_TYPES = (sa.String, sa.Text, sa.JSON)
NHS_NUMBER = "943 476 5919"


def _text_columns() -> set[str]:
    return {f"{table.name}.{column.name}" for table in TABLES.values()
            for column in table.columns if isinstance(column.type, TEXT_TYPES)}


def test_every_text_column_is_classified_once_with_a_reason():
    named = [*fields.CHECKED, *fields.UNCHECKED, *fields.NOT_FREE_TEXT]
    assert len(named) == len(set(named)), "a column is named twice"
    unclassified = _text_columns() - set(named)
    assert not unclassified, (
        f"{sorted(unclassified)}: free text? Check it (roadmap.pid.check) and add it to "
        "CHECKED, or say in NOT_FREE_TEXT why it is no one's free text about patients")
    assert not set(named) - _text_columns(), "a column named in fields.py no longer exists"
    assert all(reason.strip() for reason in {**fields.CHECKED, **fields.UNCHECKED,
                                             **fields.NOT_FREE_TEXT}.values())


def test_no_free_text_is_left_unchecked():
    """Issue 22's goal: every free text a person writes passes the check where it is written."""
    assert fields.UNCHECKED == {}


def _strings(value: Any) -> Iterator[str]:
    """Every string in a value: JSON, dicts, lists, dataclasses (the gathered data)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))


def _enrolment_of(name: str) -> tuple[Any, Optional[Any]]:
    """The table joined to what says whose enrolment a row belongs to, and that column."""
    t, evidence = TABLES[name], TABLES["evidence"]
    if "enrolment_id" in t.c:
        return t, t.c.enrolment_id
    if "evidence_id" in t.c:
        return t.join(evidence, evidence.c.id == t.c.evidence_id), evidence.c.enrolment_id
    signoffs, rounds = TABLES["stage_signoffs"], TABLES["stage_signoff_rounds"]
    if name == "stage_signoff_rounds":
        return t.join(signoffs, signoffs.c.id == t.c.signoff_id), signoffs.c.enrolment_id
    if name == "provider_decisions":
        return (t.join(rounds, rounds.c.id == t.c.round_id)
                .join(signoffs, signoffs.c.id == rounds.c.signoff_id)), signoffs.c.enrolment_id
    if name == "lna_credits":
        analyses = TABLES["learning_needs_analyses"]
        return t.join(analyses, analyses.c.id == t.c.analysis_id), analyses.c.enrolment_id
    if name == "signatures":
        versions = TABLES["evidence_versions"]
        joined = (t.outerjoin(signoffs, sa.and_(t.c.subject_type == "stage_signoff",
                                                signoffs.c.id == t.c.subject_id))
                  .outerjoin(versions, sa.and_(t.c.subject_type == "evidence_version",
                                               versions.c.id == t.c.subject_id))
                  .outerjoin(evidence, evidence.c.id == versions.c.evidence_id))
        return joined, sa.func.coalesce(signoffs.c.enrolment_id, evidence.c.enrolment_id)
    return t, None


def _written(session) -> list[tuple[str, Optional[int], str]]:
    """(column, enrolment id, text) for every string in a CHECKED or UNCHECKED column."""
    found = []
    for name in [*fields.CHECKED, *fields.UNCHECKED]:
        table, column = name.split(".")
        source, enrolment = _enrolment_of(table)
        query = sa.select(TABLES[table].c[column],
                          enrolment if enrolment is not None else sa.null()).select_from(source)
        for value, enrolment_id in session.execute(query):
            if isinstance(value, str) and isinstance(TABLES[table].c[column].type, sa.JSON):
                value = json.loads(value)
            found += [(name, enrolment_id, text) for text in _strings(value)]
    return found


def _confirmed_enrolments(session) -> set[int]:
    return set(session.scalars(sa.select(AuditEvent.enrolment_id).where(
        AuditEvent.action.like("%pid_confirmed"), AuditEvent.enrolment_id.is_not(None))))


def unchecked(session) -> tuple[list[tuple[str, str]], set[str]]:
    """(column, text) for each flagged text without a confirmation, or in an UNCHECKED column;
    and the flagged texts that were confirmed (what the exports and pages may show)."""
    confirmed_for, bad, confirmed = _confirmed_enrolments(session), [], set()
    for name, enrolment_id, text in _written(session):
        if not scan(text):
            continue
        if name in fields.CHECKED and enrolment_id in confirmed_for:
            confirmed.add(text)
        else:
            bad.append((name, text))
    return bad, confirmed


def _identities(session) -> set[str]:
    """The values of identity fields (people's own names, emails, registrations)."""
    values = set()
    for name, reason in fields.NOT_FREE_TEXT.items():
        if reason == fields.IDENTITY:
            table, column = name.split(".")
            values |= {v for v in session.scalars(sa.select(TABLES[table].c[column])) if v}
    return values


def _shown_unchecked(texts: Iterator[str], allowed: set[str]) -> list[str]:
    """The shown texts with a finding that is neither inside a confirmed text nor an identity."""
    return sorted({text for text in texts if (findings := scan(text)) and not all(
        any(f.text in ok for ok in allowed) for f in findings)})


def test_the_demo_leaves_nothing_unchecked(demo_data, session, app, client):
    written = _written(session)
    assert len({text for _, _, text in written if len(text) > 40}) > 100  # the demo writes a lot
    bad, confirmed = unchecked(session)
    assert bad == [], bad[:5]
    allowed = confirmed | _identities(session)
    today = clock.today()
    for enrolment in session.scalars(sa.select(Enrolment)):
        shown = list(_strings(json.loads(json.dumps(archive.data(session, enrolment, today),
                                                    default=str))))
        shown += _strings(gather.gather(session, enrolment, today, None))
        assert _shown_unchecked(iter(shown), allowed) == [], enrolment.id
    # What the hub lead, the regional lead and the provider's reviewer see.
    pages = {"hub@example.nhs.uk": ["/home"], "region@example.nhs.uk": ["/home"],
             "provider@example.ac.uk": ["/home"] + [
                 f"/provider/rounds/{i}" for i in session.scalars(sa.select(StageSignOffRound.id))]}
    users = {u.email: u for u in session.scalars(sa.select(roadmap.models.User))}
    reached = 0
    for email, paths in pages.items():
        client.post("/sign-out")
        client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})
        client.post("/sign-in/code", data={"code": pyotp.TOTP(users[email].totp_secret).now()})
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                continue
            reached += 1
            body = unescape(re.sub(r"<[^>]+>", "\n", response.get_data(as_text=True)))
            nodes = (line.strip() for line in body.splitlines() if line.strip())
            assert _shown_unchecked(nodes, allowed) == [], (email, path)
    assert reached >= 4


def test_text_that_skipped_the_check_is_found_until_it_is_confirmed(demo_data, session):
    """A justification written past the services (as a new feature without the check would)
    is reported; an audit event confirming flagged text for its enrolment clears it."""
    rating = session.scalars(sa.select(CapabilityRating).where(
        CapabilityRating.justification.is_not(None)).order_by(CapabilityRating.id)).first()
    confirmed_before = _confirmed_enrolments(session)
    assert rating.enrolment_id not in confirmed_before
    rating.justification += f" The patient's NHS number was {NHS_NUMBER}."
    session.flush()
    bad, _ = unchecked(session)
    assert ("capability_ratings.justification", rating.justification) in bad
    audit.record(session, "capability_rating.pid_confirmed", actor_id=rating.rated_by_id,
                 subject_type="capability_rating", subject_id=rating.id,
                 enrolment_id=rating.enrolment_id,
                 data={"findings": [{"field": "justification", "kind": "nhs_number"}]})
    bad, confirmed = unchecked(session)
    assert bad == [] and rating.justification in confirmed
    session.rollback()
    assert isinstance(clock.today(), dt.date)
