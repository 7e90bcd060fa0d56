"""The service frame's pages (accessibility, privacy, cookies, contact): their facts, from settings.

Each hosting organisation names itself and its contacts in settings (roadmap/config.py), and
the pages read the rest from the code that does it (cookie names and lifetimes, how long links
and sessions last), so what the pages say stays what the service does.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from roadmap.accounts import devices
from roadmap.exports.pruning import KEPT
from roadmap.feedback.links import LINK_LIFETIME

# The known accessibility problems, each with the WCAG 2.2 success criterion it fails. Keep it
# true: add a problem when one is found, and take it out when it is fixed.
KNOWN_ISSUES = (
    ("2.2.1 Timing adjustable", "You are signed out after {idle} minutes without doing anything, "
     "and no warning comes first. Answers typed into an evidence form or a self-rating are kept "
     "and offered back when you sign in again; answers on other forms are lost."),
    ("1.3.1 Info and relationships", "The portfolio PDF and the verification statement are not "
     "tagged PDFs, so a screen reader does not announce their headings and tables as such. The "
     "same information is on the service's pages, and the ZIP download holds it as data."),
)


@dataclass(frozen=True)
class Cookie:
    """One cookie the service sets: its name, what it is for and how long it lasts."""

    name: str
    purpose: str
    expires: str


@dataclass(frozen=True)
class ServiceFacts:
    """What the footer pages say about who runs the service and what it keeps."""

    organisation: Optional[str]
    email: Optional[str]
    phone: Optional[str]
    hours: Optional[str]
    data_protection_email: Optional[str]
    records_kept_for: Optional[str]
    statement_date: dt.date
    phase: str
    idle_minutes: int
    absolute_hours: int
    invitation_days: int
    reset_hours: int
    feedback_link_days: int
    export_hours: int
    cookies: tuple[Cookie, ...]
    known_issues: tuple[tuple[str, str], ...]

    @property
    def runner(self) -> str:
        """Who runs the service, as a sentence's subject."""
        return self.organisation or "The organisation that runs Roadmap for your training hub"


def cookies(config: Mapping[str, Any]) -> tuple[Cookie, ...]:
    """The cookies the service sets, named as this deployment names them. None tracks anyone."""
    return (
        Cookie(config["SESSION_COOKIE_NAME"],
               "Keeps you signed in from page to page, and carries the security token that "
               "proves a form was sent from this service (protection against cross-site "
               "request forgery).", "When you close your browser, or when you sign out"),
        Cookie(devices.cookie_name(),
               "Remembers that you have signed in from this browser before, so that someone "
               "else's wrong passwords do not lock you out of it.",
               f"After {devices.LIFETIME_DAYS} days"),
    )


def facts(config: Mapping[str, Any]) -> ServiceFacts:
    """The facts of this deployment, for the footer pages."""
    return ServiceFacts(
        organisation=config["ORGANISATION_NAME"], email=config["CONTACT_EMAIL"],
        phone=config["CONTACT_PHONE"], hours=config["CONTACT_HOURS"],
        data_protection_email=config["DATA_PROTECTION_EMAIL"] or config["CONTACT_EMAIL"],
        records_kept_for=config["RECORDS_KEPT_FOR"],
        statement_date=dt.date.fromisoformat(str(config["ACCESSIBILITY_STATEMENT_DATE"])),
        phase=config["SERVICE_PHASE"], idle_minutes=config["SESSION_IDLE_MINUTES"],
        absolute_hours=config["SESSION_ABSOLUTE_HOURS"],
        invitation_days=config["INVITATION_DAYS"],
        reset_hours=config["PASSWORD_RESET_HOURS"], feedback_link_days=LINK_LIFETIME.days,
        export_hours=int(KEPT.total_seconds() // 3600), cookies=cookies(config),
        known_issues=tuple((criterion, words.format(idle=config["SESSION_IDLE_MINUTES"]))
                           for criterion, words in KNOWN_ISSUES))
