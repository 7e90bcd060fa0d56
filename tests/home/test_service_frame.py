"""The service frame over HTTP: the phase banner, the footer and its four public pages."""
from __future__ import annotations

import re

import pyotp
import pytest

from roadmap.config import ConfigError, build

PAGES = {"/accessibility": "Accessibility statement for Roadmap", "/privacy": "Privacy notice",
         "/cookies": "Cookies", "/contact": "Contact and help"}
HOSTED = {"ORGANISATION_NAME": "NHS Kennet Training Hub", "CONTACT_EMAIL": "roadmap@kennet.nhs.uk",
          "CONTACT_PHONE": "0300 123 4567", "CONTACT_HOURS": "Monday to Friday, 9am to 5pm",
          "DATA_PROTECTION_EMAIL": "dpo@kennet.nhs.uk",
          "RECORDS_KEPT_FOR": "6 years after the candidate leaves the Roadmap",
          "ACCESSIBILITY_STATEMENT_DATE": "2027-01-15"}


@pytest.fixture
def hosted(app_config):
    """The settings a hosting organisation gives: its name and how to reach it."""
    app_config.update(HOSTED)
    return app_config


@pytest.mark.parametrize("path", PAGES)
def test_each_footer_page_is_public_and_linked_from_every_page(client, path):
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and f"<h1>{PAGES[path]}</h1>" in text
    sign_in = client.get("/sign-in").get_data(as_text=True)
    footer = sign_in[sign_in.index('<footer'):]
    assert f'href="{path}"' in footer


def test_every_page_says_the_service_is_in_beta_and_asks_for_feedback(client):
    text = client.get("/sign-in").get_data(as_text=True)
    banner = text[text.index('class="roadmap-phase-banner"'):text.index("</section>")]
    assert ">Beta</strong>" in banner and 'href="/contact"' in banner


@pytest.fixture
def live(app_config):
    """A service out of beta."""
    app_config["SERVICE_PHASE"] = ""
    return app_config


def test_a_live_service_shows_no_phase_banner(live, client):
    assert "roadmap-phase-banner" not in client.get("/sign-in").get_data(as_text=True)


def test_the_pages_name_the_hosting_organisation_and_its_contacts(hosted, client):
    statement = client.get("/accessibility").get_data(as_text=True)
    assert "NHS Kennet Training Hub runs it." in statement
    assert 'href="mailto:roadmap@kennet.nhs.uk?subject=Roadmap%20accessibility"' in statement
    assert "0300 123 4567 (Monday to Friday, 9am to 5pm)" in statement
    assert "It was last reviewed on 15 January 2027." in statement
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "dpo@kennet.nhs.uk" in privacy
    assert "6 years after the candidate leaves the Roadmap" in privacy
    assert "run by NHS Kennet Training Hub" in client.get("/contact").get_data(as_text=True)


def test_without_contact_settings_people_are_sent_to_their_training_hub(client):
    for path in ("/accessibility", "/contact", "/privacy"):
        text = client.get(path).get_data(as_text=True)
        assert "Ask your training hub" in text and "mailto:" not in text, path
    assert "deletes none of them by itself" in client.get("/privacy").get_data(as_text=True)


def test_the_statement_meets_the_regulations_headings(client):
    """What the Public Sector Bodies Accessibility Regulations 2018 ask a statement to say."""
    text = client.get("/accessibility").get_data(as_text=True)
    for words in ("WCAG", "2.2", "partially compliant", "Enforcement procedure",
                  "Equality and Human Rights Commission", "Equality Advisory and Support Service",
                  "Reporting accessibility problems", "How we tested this service", "axe-core",
                  "320, 390 and 1280 pixels", "keyboard", "Non-accessible content",
                  "2.2.1 Timing adjustable"):
        assert words in text, words
    assert "signed out after 30 minutes" in text  # the setting, not a number typed twice


def test_the_cookies_page_names_every_cookie_signing_in_sets(client, login, make_user):
    candidate = make_user("cara@example.nhs.uk")
    response = login(client, candidate)
    given = {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}
    assert given == {"roadmap", "roadmap-device"}
    page = client.get("/cookies").get_data(as_text=True)
    named = set(re.findall(r"<code>([^<]+)</code>", page))
    assert named == {"roadmap", "roadmap-device"}
    assert "After 365 days" in page


@pytest.mark.parametrize("key, value", [("SERVICE_PHASE", "gamma"), ("CONTACT_EMAIL", "not mail"),
                                        ("DATA_PROTECTION_EMAIL", "a@b"),
                                        ("ACCESSIBILITY_STATEMENT_DATE", "6/12/2026")])
def test_a_malformed_frame_setting_stops_the_start(tmp_path, key, value):
    with pytest.raises(ConfigError, match=key):
        build(str(tmp_path), {"TESTING": True, key: value}, environ={})


def test_the_privacy_notice_links_to_the_readers_page_only_for_candidates(client, login, make_user):
    """Issue 17 #13: the link was a 404 for everyone but a candidate."""
    readers = 'href="/portfolio/readers"'
    assert readers not in client.get("/privacy").get_data(as_text=True)
    supervisor = make_user("sup13@example.nhs.uk", roles=("supervisor",),
                           totp_secret=pyotp.random_base32())
    login(client, supervisor)
    page = client.get("/privacy").get_data(as_text=True)
    assert readers not in page and "Who can see it" in page
    client.post("/sign-out")
    login(client, make_user("cand13@example.nhs.uk"))
    assert readers in client.get("/privacy").get_data(as_text=True)
