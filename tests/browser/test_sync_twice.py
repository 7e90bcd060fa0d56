"""Two tabs sync the same draft at once (issue 21 #3): the second finds the form token used and
must not call the draft unsaveable; it reads the item and shows the conflict if there is one."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from flask import url_for
from playwright.sync_api import Page

from roadmap.portfolio import service
from tests.portfolio.world import build_world

from .axe import visit
from .test_offline import forget_refusals


def test_a_repeated_sync_of_a_stale_edit_shows_the_conflict_again(
        page: Page, session: Any, make_user: Callable[..., Any], sign_in: Callable[..., Page],
        page_problems: Any, app: Any) -> None:
    world = build_world(session, make_user)
    evidence = service.create_evidence(
        session, world.enrolment, world.candidate, world.kind(session, "cbd"), None,
        "Shoulder review", dt.date.today(), {"case_summary": "First words.", "complexity": "medium"},
        service.Links((), {}))
    session.commit()
    stale_lock = evidence.lock_version
    service.update_evidence(session, evidence, world.candidate, evidence.lock_version,
                            "From the laptop", dt.date.today(),
                            {"case_summary": "Their words.", "complexity": "high"},
                            service.Links((), {}))
    session.commit()
    sign_in(world.candidate.email)
    visit(page, "/portfolio/")
    with app.test_request_context():
        script = url_for("static", filename="sync.js")
    draft = {"id": "tab-draft", "typeCode": "cbd", "evidenceId": str(evidence.id),
             "lockVersion": str(stale_lock), "url": f"/portfolio/evidence/{evidence.id}/edit",
             "title": "Mine", "state": "waiting", "attempt": 0,
             "fields": [["title", "Mine"], ["answer_case_summary", "My words."],
                        ["answer_complexity", "medium"]]}
    # Both tabs post the same token: one is refused as stale, the other is a repeat.
    first, second = page.evaluate("""async ([script, draft]) => {
        const { syncDraft } = await import(script);
        const first = await syncDraft(draft);
        return [first, await syncDraft(draft)];
      }""", [script, draft])
    assert first["state"] == "conflict"
    assert second["state"] == "conflict", second
    assert ["answer_case_summary", "Their words."] in second["theirs"]
    forget_refusals(page_problems)
