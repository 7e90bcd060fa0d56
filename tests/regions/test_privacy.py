"""A regional lead sees counts only: no name of a candidate or supervisor, no text anyone wrote.

With the demo data loaded, a regional lead of the demo's region follows every link from their
home page and also tries every GET route with the ids of every demo object, as the hub lead's
crawl does (tests/cohorts/test_hub_lead_crawl.py). No page or CSV they get may contain a name
of anyone else or any free text, and the region's CSV must be among what they reached.
"""
from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urlsplit

import pyotp
import sqlalchemy as sa
from flask import url_for

from roadmap.accounts.models import Role, User
from roadmap.accounts.service import create_user
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
from roadmap.db import utcnow
from roadmap.portfolio.models import Evidence, EvidenceComment
from roadmap.regions.models import Region, RegionLead
from roadmap.regions.service import assign_regional_lead, create_region
from roadmap.supervision.models import CapabilityRating

SKIP = ("/sign-out", "/assets/", "/static/", "/favicon.ico")
LINK = re.compile(r'href="(/[^"#]*)"')
PASSWORD = "a-long-demo-password"


def _secrets(session, lead: User) -> set[str]:
    """Everyone's name but the lead's own, and every piece of free text long enough to tell."""
    texts = {name for name in session.scalars(sa.select(User.full_name).where(User.id != lead.id))}
    for title, fields in session.execute(sa.select(Evidence.title, Evidence.fields)):
        texts.add(title)
        for value in (fields or {}).values():
            if isinstance(value, str) and len(value) >= 20:
                texts.add(value[:60])
    texts |= {body[:60] for body in session.scalars(sa.select(EvidenceComment.body))}
    texts |= {j[:60] for j in session.scalars(sa.select(CapabilityRating.justification)) if j}
    for data in session.scalars(sa.select(AuditEvent.data)):
        if isinstance(data, dict) and isinstance(data.get("comment"), str):
            texts.add(data["comment"][:60])
    return {text.strip() for text in texts if text and len(text.strip()) >= 8}


def _routes_with_ids(app, session) -> list[str]:
    """Every GET route, each integer argument filled with the ids of demo objects."""
    ids = {
        "region_id": session.scalars(sa.select(Region.id)).all(),
        "hub_id": session.scalars(sa.select(TrainingHub.id)).all(),
        "cohort_id": session.scalars(sa.select(Cohort.id)).all(),
        "enrolment_id": session.scalars(sa.select(Enrolment.id)).all(),
        "evidence_id": session.scalars(sa.select(Evidence.id).limit(40)).all(),
        "user_id": session.scalars(sa.select(User.id)).all(),
        "lead_id": session.scalars(sa.select(RegionLead.id)).all(),
    }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(SKIP):
                continue
            args = sorted(rule.arguments)
            if not args:
                urls.append(url_for(rule.endpoint))
            elif all(arg in ids for arg in args):
                first, *rest = args
                for value in ids[first]:
                    values = {first: value, **{arg: ids[arg][0] for arg in rest if ids[arg]}}
                    if len(values) == len(args):
                        urls.append(url_for(rule.endpoint, **values))
                if args == ["hub_id", "region_id"]:  # every hub of every region, too
                    urls += [url_for(rule.endpoint, region_id=r, hub_id=h)
                             for r in ids["region_id"] for h in ids["hub_id"]]
    return urls


def test_a_regional_lead_never_sees_a_name_or_any_text(app, demo_data, client, session):
    hubs = list(session.scalars(sa.select(TrainingHub)))
    region = next((session.get(Region, h.region_id) for h in hubs if h.region_id), None)
    region = region or create_region(session, "Demo region", 50, by=None)
    for hub in hubs:
        hub.region_id = region.id
    lead = create_user(session, "crawl.region@example.nhs.uk", "Regional Crawler",
                       [Role.REGIONAL_LEAD], PASSWORD, "fast")
    lead.totp_secret, lead.totp_confirmed_at = pyotp.random_base32(), utcnow()
    assign_regional_lead(session, region, lead, by=None)
    session.commit()
    secrets = _secrets(session, lead)
    assert len(secrets) > 30  # the demo has people, reflections, feedback and justifications
    client.post("/sign-in", data={"email": lead.email, "password": PASSWORD})
    client.post("/sign-in/code", data={"code": pyotp.TOTP(lead.totp_secret).now()})
    queue, seen, reached = deque(["/home", *_routes_with_ids(app, session)]), set(), []
    while queue and len(seen) < 800:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        reached.append(url)
        body = unescape(response.get_data(as_text=True))
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{url} shows a regional lead {leaked[0]!r}"
        if response.mimetype == "text/html":
            queue.extend(link for link in LINK.findall(body) if urlsplit(link).path not in seen)
    assert f"/regions/{region.id}" in reached and f"/regions/{region.id}/figures.csv" in reached
    assert all(f"/regions/{region.id}/hubs/{hub.id}" in reached for hub in hubs)
    assert not any(url.startswith(("/hubs", "/cohorts", "/enrolments", "/stages")) for url in reached)
