"""A hub lead in a real browser: upload a cohort, assign supervisors, see who has no backup."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pyotp
from playwright.sync_api import Page, expect

from bench.dashboard import framework
from roadmap.cohorts import service

from .axe import click_and_check

CSV = ("full_name,email,profession,employer,route,enrolled_on,stage2_started_on,target_on,"
       "primary_supervisor_email,backup_supervisor_email\n"
       "Jamie Patel,jamie@example.nhs.uk,Physiotherapist,,portfolio,06/01/2026,02/03/2026,,,\n"
       "Olivia Carter,olivia@example.nhs.uk,Osteopath,,portfolio,06/01/2026,02/03/2026,,,\n")


def assign(page: Page, candidate: str, kind: str, supervisor_id: int) -> None:
    """From the dashboard, open a candidate's supervisors page and assign one."""
    click_and_check(page.get_by_role("row", name=candidate).get_by_role("link", name=candidate, exact=True))
    page.get_by_label(f"{kind} supervisor", exact=True).check()
    page.get_by_label("Supervisor", exact=True).select_option(str(supervisor_id))
    click_and_check(page.get_by_role("button", name="Assign supervisor"))
    expect(page.get_by_text(f"is now the {kind.lower()} supervisor of {candidate}")).to_be_visible()
    click_and_check(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link"))


def test_hub_lead_uploads_a_cohort_assigns_supervisors_and_sees_no_backup_flagged(
        page: Page, sign_in: Callable[..., Page], make_user: Callable[..., Any], session: Any,
        tmp_path: Path) -> None:
    framework(session)
    hub = service.create_hub(session, "Thames Valley Training Hub", None, 50, None)
    cohort = service.create_cohort(session, hub, "Spring 2026", None, None)
    session.commit()
    secret = pyotp.random_base32()
    make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=hub.id, totp_secret=secret)
    priya = make_user("priya@example.nhs.uk", roles=("supervisor",), full_name="Dr Priya Shah")
    tom = make_user("tom@example.nhs.uk", roles=("supervisor",), full_name="Tom Hughes")
    file = tmp_path / "spring.csv"
    file.write_text(CSV, encoding="utf-8")

    sign_in("lead@example.nhs.uk", totp_secret=secret)
    click_and_check(page.get_by_role("link", name="Training hub"))
    click_and_check(page.get_by_role("link", name="Spring 2026", exact=True))
    click_and_check(page.get_by_role("link", name="enrol a cohort from a CSV file"))
    page.get_by_label("CSV file").set_input_files(str(file))
    click_and_check(page.get_by_role("button", name="Check the file"))
    click_and_check(page.get_by_role("button", name="Import 2 candidates and send invitations"))
    expect(page.get_by_text("2 candidates enrolled")).to_be_visible()

    assign(page, "Jamie Patel", "Primary", priya.id)
    assign(page, "Jamie Patel", "Backup", tom.id)
    assign(page, "Olivia Carter", "Primary", tom.id)

    olivia = page.get_by_role("row", name="Olivia Carter")
    expect(olivia.locator(".nhsuk-tag", has_text="No backup")).to_be_visible()
    expect(olivia).to_contain_text("No backup supervisor")
    jamie = page.get_by_role("row", name="Jamie Patel")
    expect(jamie).to_contain_text("Tom Hughes")
    expect(jamie.locator(".nhsuk-tag", has_text="No backup")).to_have_count(0)
    click_and_check(page.get_by_role("link", name="No backup supervisor: 1"))
    expect(page.locator("tbody tr")).to_have_count(1)
    click_and_check(page.get_by_role("link", name=hub.name).first)
    expect(page.get_by_role("heading", name="Supervisor load")).to_be_visible()
    assert f"/cohorts/{cohort.id}" in page.content()
