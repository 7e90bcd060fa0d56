"""The practitioner's credential in Chromium: download it, open the shareable page, check it.

Stage 2 is approved by the education provider (its last approval) with a signing key set up,
so the credential is issued. Every page is visited at 390 px and at 1280 px: axe finds no
violation and nothing scrolls sideways.
"""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from roadmap.credentials import keys
from roadmap.credentials.models import IssuedCredential
from roadmap.providers import decisions
from tests.fixtures.msk import TODAY

from .axe import assert_accessible, assert_reflows, check_page, click_and_check, visit

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def at_both_widths(page: Page) -> None:
    """The page as it is now, on a phone and on a desktop: axe clean, no sideways scroll."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.reload()
        check_page(page)
        assert_reflows(page)


def result_at_both_widths(page: Page) -> None:
    """A page that answered a form: axe clean and no sideways scroll at both widths."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        assert_accessible(page)
        assert_reflows(page)


def test_the_practitioner_downloads_and_shares_their_credential(
        page: Page, sign_in: Callable[..., Page], app: Any, live_server: str, waiting: Any,
        session: Any, tmp_path: Path) -> None:
    key_file = tmp_path / "signing.pem"
    keys.generate(key_file)
    app.config.update(CREDENTIAL_KEY_FILE=str(key_file), BASE_URL=live_server,
                      CREDENTIAL_ISSUER_NAME="Example Training Hub")
    decisions.decide(session, waiting.round.id, waiting.first, "approved", None, {}, 0, TODAY)
    session.commit()
    issued = session.scalar(sa.select(IssuedCredential))
    assert issued is not None
    team = waiting.team

    page.set_viewport_size(PHONE)
    sign_in(team.candidate.email)
    visit(page, f"/stages/{team.enrolment.id}/stage2")
    click_and_check(page.get_by_role("link", name="Your digital credential for this stage"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your digital credential")
    expect(page.get_by_text("Example Training Hub").first).to_be_visible()
    at_both_widths(page)

    # The signed credential and the badge image carrying it.
    with page.expect_download() as download:
        page.get_by_role("link", name="The credential (.jwt)").click()
    saved = tmp_path / "credential.jwt"
    download.value.save_as(saved)
    assert saved.read_text() == issued.jws
    with page.expect_download() as download:
        page.get_by_role("link", name="The badge image (SVG)").click()
    badge = tmp_path / "badge.svg"
    download.value.save_as(badge)
    assert f'verify="{issued.jws}"' in badge.read_text()

    # The link to share: what anyone sees.
    click_and_check(page.get_by_role("link", name=f"{live_server}/credentials/{issued.public_id}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jo Candidate completed")
    expect(page.get_by_text("This credential has not been revoked")).to_be_visible()
    at_both_widths(page)

    # Whoever is shown the badge checks it on /verify.
    page.set_viewport_size(PHONE)
    visit(page, "/verify")
    at_both_widths(page)
    page.get_by_label("Or upload it").set_input_files(str(badge))
    click_and_check(page.get_by_role("button", name="Verify the credential"))
    expect(page.get_by_role("heading", level=1)).to_have_text("This credential is valid")
    result_at_both_widths(page)  # a POST's answer: checked as it stands, not reloaded
    # A credential pasted with one letter of its holder's name changed is caught, in words.
    visit(page, "/verify/credential")
    head, body, signature = issued.jws.split(".")
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    changed = payload.replace(b"Jo Candidate", b"Jo Candidatf", 1)
    tampered = ".".join([head, base64.urlsafe_b64encode(changed).decode().rstrip("="),
                         signature])
    page.get_by_label("The credential").fill(tampered)
    click_and_check(page.get_by_role("button", name="Verify the credential"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "This credential has been altered")
    result_at_both_widths(page)
