"""A hub lead sees progress, never reflective text or feedback: crawl everything they reach.

With the demo data loaded, the hub lead follows every link from their home page and also
tries every GET route with the ids of every demo object. No page, CSV or download they get
may contain any free text a candidate or supervisor wrote.
"""
from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urlsplit

import pyotp
import sqlalchemy as sa

from roadmap.accounts.models import User
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.portfolio.models import Evidence, EvidenceComment
from roadmap.supervision.models import CapabilityRating

SKIP = ("/sign-out", "/assets/", "/static/", "/favicon.ico")
LINK = re.compile(r'href="(/[^"#]*)"')


def _secrets(session) -> set[str]:
    """Every piece of free text written by candidates and supervisors, long enough to be telling."""
    texts: set[str] = set()
    for fields in session.scalars(sa.select(Evidence.fields)):
        for value in (fields or {}).values():
            if isinstance(value, str) and len(value) >= 40:
                texts.add(value[:60])
    texts |= {body[:60] for body in session.scalars(sa.select(EvidenceComment.body))}
    texts |= {j[:60] for j in session.scalars(sa.select(CapabilityRating.justification)) if j}
    return texts


def _routes_with_ids(app, session) -> list[str]:
    """Every GET route, with each integer argument filled by the ids of demo objects."""
    ids = {
        "enrolment_id": session.scalars(sa.select(Enrolment.id)).all(),
        "evidence_id": session.scalars(sa.select(Evidence.id).limit(40)).all(),
        "cohort_id": session.scalars(sa.select(Cohort.id)).all(),
        "hub_id": session.scalars(sa.select(TrainingHub.id)).all(),
        "user_id": session.scalars(sa.select(User.id)).all(),
    }
    urls = []
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(SKIP):
                continue
            args = [a for a in rule.arguments]
            if not args:
                urls.append(url_for(rule.endpoint))
            elif len(args) == 1 and args[0] in ids:
                urls += [url_for(rule.endpoint, **{args[0]: i}) for i in ids[args[0]]]
    return urls


def test_hub_lead_never_sees_reflective_text(app, demo_data, client, session):
    secrets = _secrets(session)
    assert len(secrets) > 10  # the demo has plenty of reflective text to leak
    lead = session.scalar(sa.select(User).where(User.email == "hub@example.nhs.uk"))
    client.post("/sign-in", data={"email": lead.email, "password": "a-long-demo-password"})
    client.post("/sign-in/code", data={"code": pyotp.TOTP(lead.totp_secret).now()})
    queue, seen = deque(["/home", *_routes_with_ids(app, session)]), set()
    reached = 0
    while queue and len(seen) < 600:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        reached += 1
        body = unescape(response.get_data(as_text=True)) if response.mimetype.startswith(
            ("text/", "application/json")) else response.get_data().decode("latin-1")
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{url} shows reflective text to a hub lead: {leaked[0]!r}"
        if response.mimetype == "text/html":
            queue.extend(link for link in LINK.findall(body) if urlsplit(link).path not in seen)
    assert reached >= 12, sorted(seen)  # home, and each demo candidate's stage pages at least
