"""Things the fuzz world adds so that every form has a page offering it: a file on a draft,
an external assessor's signature waiting for review, an emailed unlock link, an assessment
signed on the candidate's phone waiting for its confirmation."""
from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from flask import Flask
from PIL import Image
from sqlalchemy.orm import Session

from roadmap.accounts import tokens
from roadmap.accounts.models import TokenPurpose, User
from roadmap.demo.evidence import sample_answers
from roadmap.feedback import onspot, tickets
from roadmap.feedback.links import digest
from roadmap.feedback.models import AssessmentTicket
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType, FrameworkVersion
from roadmap.portfolio import attachments
from roadmap.portfolio.models import Evidence

ASSESSOR = {"name": "Dr Fuzz Assessor", "role": "GP partner", "registration_body": "GMC",
            "registration_number": "7654321", "email": "gp.fuzz@nhs.net", "declaration": "y"}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def file_on(app: Flask, session: Session, item: Evidence, candidate: User) -> None:
    """A file on a draft, so its page offers the remove form."""
    with app.app_context():
        attachments.add(session, item, candidate, "fuzz-photo.png", _png())


def externally_signed(app: Flask, session: Session, item: Evidence, candidate: User) -> None:
    """A COT signed through an assessor's link, waiting for a supervisor to accept or dispute."""
    ticket = AssessmentTicket(evidence_id=item.id, invited_name="Dr Fuzz Assessor",
                              invited_email=ASSESSOR["email"], token_hash=digest("fuzz-signed"),
                              expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30),
                              created_by_id=candidate.id)
    session.add(ticket)
    session.flush()
    kind = session.get(EvidenceType, item.evidence_type_id)
    version = session.get(FrameworkVersion, kind.framework_version_id)
    answers: dict[str, Any] = sample_answers(
        kind.definition, random.Random(3), 1, item.template_code, ["assessor"],
        definitions.scale_levels(version.document), dt.date.today())
    with app.app_context():
        tickets.sign(session, ticket, ASSESSOR, answers, item.lock_version,
                     app.config["ASSESSOR_EMAIL_DOMAINS"])


def unlock_link(session: Session, user: User) -> str:
    """The path of an emailed link that lifts a lock on sign-in with a code."""
    token = tokens.issue(session, user, TokenPurpose.TWO_FACTOR_UNLOCK, dt.timedelta(hours=1))
    return f"/sign-in/unlock/{token}"


ON_DEVICE_TOKEN = "fuzz-on-device-" + "d" * 32


def on_device_pending(app: Flask, session: Session, item: Evidence, candidate: User) -> None:
    """A WPBA an assessor signed on the candidate's phone, waiting for their confirmation: the
    candidate's page offers re-send and withdraw, the link holder the confirm form."""
    kind = session.get(EvidenceType, item.evidence_type_id)
    version = session.get(FrameworkVersion, kind.framework_version_id)
    answers: dict[str, Any] = sample_answers(
        kind.definition, random.Random(4), 1, item.template_code, ["assessor"],
        definitions.scale_levels(version.document), dt.date.today())
    identity = {**ASSESSOR, "declaration": True, "registration_other": None, "confirm_pid": False}
    kept = {f"answer_{code}": [str(v) for v in (value if isinstance(value, list) else [value])]
            for code, value in answers.items() if value is not None}
    kept.update({name: [str(value)] for name, value in ASSESSOR.items()})
    with app.app_context():
        ticket, _ = onspot.give(session, item, candidate, identity, answers, kept,
                                item.lock_version, app.config["ASSESSOR_EMAIL_DOMAINS"],
                                "fuzz-on-device")
    ticket.token_hash = digest(ON_DEVICE_TOKEN)  # the emailed link, known to the outsider
    session.flush()
