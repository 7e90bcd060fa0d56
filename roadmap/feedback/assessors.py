"""Who may assess a candidate's WPBA through an emailed link: never the candidate themselves.

The rules hold when the link is asked for and again when it is used, because settings change
and an address can become the candidate's in between.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Optional

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from roadmap.accounts.models import Role, User, UserRole
from roadmap.cohorts.models import Enrolment, EnrolmentStatus


@dataclass(frozen=True)
class Body:
    """A professional regulator and the shape of the numbers it gives."""

    code: str
    name: str
    pattern: str
    example: str


BODIES = (
    Body("GMC", "General Medical Council", r"\d{7}", "7 digits, like 1234567"),
    Body("HCPC", "Health and Care Professions Council", r"[A-Z]{2}\d{5,6}",
         "2 letters and 5 or 6 digits, like PH123456"),
    Body("NMC", "Nursing and Midwifery Council", r"\d{2}[A-Z]\d{4}[A-Z]",
         "2 digits, a letter, 4 digits and a letter, like 12A3456E"),
    Body("GOsC", "General Osteopathic Council", r"\d{3,6}", "3 to 6 digits"),
    Body("GPhC", "General Pharmaceutical Council", r"\d{7}", "7 digits, like 2012345"),
    Body("GCC", "General Chiropractic Council", r"\d{3,6}", "3 to 6 digits"),
)
OTHER = Body("other", "Another regulator", r"[A-Z0-9][A-Z0-9/-]{2,29}",
             "3 to 30 letters, digits, / or -")
BY_CODE = {body.code: body for body in (*BODIES, OTHER)}
MAX_TEXT = 200


def clean_text(value: Optional[str], limit: int = MAX_TEXT) -> str:
    """Control characters dropped and runs of white space made one space (names go into email)."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value or "")
    return " ".join(text.split())[:limit]


def parse_address(raw: Optional[str]) -> Optional[str]:
    """The address, normalised (lower case, IDNA domain), or None when it is not one."""
    text = (raw or "").strip()
    if not text or len(text) > 254:
        return None
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return f"{checked.local_part.lower()}@{checked.ascii_domain.lower()}"


def _mailbox(address: str) -> str:
    """The mailbox behind plus addressing: name+anything@x reaches name@x."""
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def domain_allowed(address: str, domains: Iterable[str]) -> bool:
    """True when the address's domain is one of these or below one, on a label boundary."""
    host = address.rpartition("@")[2].lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def domains_words(domains: Iterable[str]) -> str:
    """The allowed domains as a person reads them: "nhs.net, nhs.uk or ac.uk"."""
    listed = list(domains)
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]


def _number_key(number: Optional[str]) -> str:
    """A registration number as compared: compatibility forms folded (full-width digits become
    0-9), white space gone, upper case; the regulator is left out, so naming the candidate's
    own regulator as "another regulator" does not make their number someone else's."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", number or "")).upper()


def _registration_key(body: Optional[str], number: Optional[str]) -> Optional[str]:
    if not body or not number:
        return None
    return _number_key(number) or None


def candidate_accounts(session: Session, candidate: User) -> list[User]:
    """The candidate's account and every account with their professional registration."""
    accounts = [candidate]
    key = _registration_key(candidate.registration_body, candidate.registration_number)
    if key is not None:
        accounts += [user for user in registered(session, key) if user.id != candidate.id]
    return accounts


def registered(session: Session, number: str) -> list[User]:
    """Every account whose registration number is this one, whatever regulator it names."""
    key = _number_key(number)
    if not key:
        return []
    rows = session.scalars(sa.select(User).where(User.registration_number.is_not(None),
        sa.func.upper(sa.func.replace(User.registration_number, " ", "")) == key)).all()
    return [user for user in rows if _number_key(user.registration_number) == key]


def _is_trainee(session: Session, user_id: int) -> bool:
    """A person on the roadmap now, and not also a supervisor: not yet verified to assess it."""
    enrolled = session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(
        Enrolment.candidate_id == user_id, Enrolment.status == EnrolmentStatus.ACTIVE.value))
    supervises = session.scalar(sa.select(sa.func.count()).select_from(UserRole).where(
        UserRole.user_id == user_id, UserRole.role == Role.SUPERVISOR.value))
    return bool(enrolled) and not supervises


def address_problem(session: Session, candidate: User, address: str,
                    domains: Iterable[str]) -> Optional[str]:
    """Why this (normalised) address may not assess the candidate's work, or None."""
    domains = tuple(domains)
    mailbox = _mailbox(address)
    if mailbox in {_mailbox(a.email.lower()) for a in candidate_accounts(session, candidate)}:
        return ("This is your own email address. Someone else who observed you must assess "
                "your work.")
    if not domain_allowed(address, domains):
        return (f"Use the assessor's work email address, ending in {domains_words(domains)}. "
                "Personal email addresses cannot be used.")
    holders = session.scalars(sa.select(User.id).where(
        sa.func.lower(User.email).in_({address, mailbox}))).all()
    if any(_is_trainee(session, user_id) for user_id in holders):
        return ("This address belongs to someone training on the Roadmap. Ask a qualified "
                "colleague, or your supervisor, to assess this.")
    return None


def registration_problem(body_code: Optional[str], other_name: Optional[str],
                         number: Optional[str]) -> tuple[dict[str, str], str, str]:
    """Check a registration: ({field: message}, the body's name, the normalised number)."""
    problems: dict[str, str] = {}
    body = BY_CODE.get(body_code or "")
    if body is None:
        return {"registration_body": "Choose your professional regulator"}, "", ""
    name = body.code
    if body is OTHER:
        name = clean_text(other_name, 100)
        if len(name) < 2:
            problems["registration_other"] = "Enter the name of your regulator"
    cleaned = _number_key(clean_text(number, 60))
    if body is not OTHER and cleaned.startswith(body.code.upper()):
        cleaned = cleaned[len(body.code):]  # "GMC 1234567" typed whole
    if not cleaned:
        problems["registration_number"] = "Enter your registration number"
    elif not re.fullmatch(body.pattern, cleaned, re.ASCII):
        problems["registration_number"] = f"Enter your registration number: {body.example}"
    return problems, name, cleaned


def same_registration(candidate_accounts_: Iterable[User], body: str, number: str) -> bool:
    """True when a registration is the candidate's own (or one of their accounts')."""
    key = _registration_key(body, number)
    return key is not None and any(_registration_key(a.registration_body, a.registration_number) == key
               for a in candidate_accounts_)
