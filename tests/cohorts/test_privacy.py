"""The hub sees counts, statuses and dates, never reflective text or feedback.

With the demo data, crawl every hub page a hub lead can reach (and the CSV export) and check
that no free text of any evidence item, rating justification or returned-item comment appears.
"""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pyotp
import sqlalchemy as sa

from roadmap.accounts.models import User
from roadmap.audit.models import AuditEvent
from roadmap.portfolio.models import Evidence
from roadmap.supervision.models import CapabilityRating

PREFIXES = ("/hubs", "/cohorts", "/enrolments")


def free_texts(session) -> set[str]:
    """Every piece of free text a candidate or supervisor wrote."""
    texts: set[str] = set()
    for title, fields in session.execute(sa.select(Evidence.title, Evidence.fields)):
        texts.add(title)
        for value in (fields or {}).values():
            if isinstance(value, str) and " " in value and len(value) >= 20:
                texts.add(value)
    texts |= {j for j in session.scalars(sa.select(CapabilityRating.justification)) if j}
    for data in session.scalars(sa.select(AuditEvent.data)):
        if isinstance(data, dict) and isinstance(data.get("comment"), str):
            texts.add(data["comment"])
    return {t.strip() for t in texts if t and len(t.strip()) >= 12}


def crawl(client, start: str, limit: int = 150) -> dict[str, str]:
    """GET every hub page reachable by links from `start`; path -> text shown."""
    seen: dict[str, str] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        seen[url] = html.unescape(body)
        if response.mimetype != "text/html":
            continue
        for href in re.findall(r'href="([^"#]+)', body):
            href = html.unescape(href)
            if urlsplit(href).path.startswith(PREFIXES) and href not in seen:
                queue.append(href)
    return seen


def test_no_evidence_text_reaches_any_hub_page_or_the_csv(demo_data, client, login, session):
    lead = session.scalar(sa.select(User).where(User.email == "hub@example.nhs.uk"))
    client.post("/sign-in", data={"email": lead.email, "password": "a-long-demo-password"})
    client.post("/sign-in/code", data={"code": pyotp.TOTP(lead.totp_secret).now()})
    pages = crawl(client, "/hubs/")
    csvs = [url for url in pages if url.endswith(".csv") or ".csv?" in url]
    assert any("dashboard.csv" in url for url in csvs), sorted(pages)
    assert any(url.startswith("/enrolments/") for url in pages)
    assert len(pages) >= 15
    texts = free_texts(session)
    assert len(texts) > 20  # the demo has reflections, feedback and justifications
    leaks = [(url, text[:60]) for url, body in pages.items() for text in texts if text in body]
    assert leaks == []
    # And the figures are there: the demo's candidates with their statuses.
    dashboard = next(body for url, body in pages.items() if url.startswith("/cohorts/")
                     and url.count("/") == 2 and "?" not in url)
    assert "Jamie Patel" in dashboard and "No backup" in dashboard
