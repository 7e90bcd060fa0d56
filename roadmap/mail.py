"""Email: through SMTP when ROADMAP_MAIL_URL is set, otherwise written to instance/mail/."""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from email_validator import EmailNotValidError, validate_email

log = logging.getLogger(__name__)
MAX_ADDRESS = 320  # 64 characters before the @, 255 after


def address_ok(address: str) -> bool:
    """True when a message can be addressed to it: one plain ASCII address, no control
    characters or header tricks. Check typed addresses with this before keeping them."""
    if not address or len(address) > MAX_ADDRESS or not address.isascii():
        return False
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return False
    return True


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message; NHS mail clients read plain text best."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain="roadmap.invalid")
    message.set_content(body)
    return message


def send(config: Mapping[str, Any], instance_path: str, to: str, subject: str, body: str) -> None:
    """Send one message by SMTP, or keep it in a folder (and the log) when no server is set."""
    message = build_message(config["MAIL_FROM"], to, subject, body)
    url = config["MAIL_URL"]
    if not url:
        folder = Path(config["MAIL_FOLDER"] or Path(instance_path) / "mail")
        folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_") + ".eml"
        (folder / name).write_bytes(bytes(message))
        if config.get("ENV") == "development":  # the developer's console shows the links
            log.warning("email to %s kept in %s (no ROADMAP_MAIL_URL): %s\n%s",
                        to, folder / name, subject, body)
        else:  # bodies carry sign-in and feedback links: never into shared logs
            log.warning("email to %s kept in %s (no ROADMAP_MAIL_URL): %s",
                        to, folder / name, subject)
        return
    _smtp(url, message)


def _smtp(url: str, message: EmailMessage) -> None:
    """Deliver through the server the URL names."""
    parts = urlsplit(url)
    options = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    host, secure = parts.hostname or "localhost", parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    context = ssl.create_default_context()
    client: smtplib.SMTP = (smtplib.SMTP_SSL(host, port, context=context, timeout=20) if secure
                            else smtplib.SMTP(host, port, timeout=20))
    with client:
        if not secure and options.get("starttls") in {"1", "true", "yes"}:
            client.starttls(context=context)
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


OUTBOX = "roadmap.outbox"


def queue(session: Any, to: str, subject: str, body: str) -> None:
    """Send once the session's transaction commits; nothing goes out if it rolls back."""
    session.info.setdefault(OUTBOX, []).append((to, subject, body))


def init_app(app: Any) -> None:
    """Deliver queued messages after each commit of the app's sessions; drop them on rollback.

    Only the transaction's own end counts: a savepoint (`begin_nested`) released or rolled
    back fires the same events, and its release commits nothing yet.
    """
    from sqlalchemy import event

    sessions = app.extensions["roadmap.db"].sessions
    config, instance_path = app.config, app.instance_path

    @event.listens_for(sessions, "after_commit")
    def _deliver(session: Any) -> None:
        if session.in_nested_transaction():
            return
        for to, subject, body in session.info.pop(OUTBOX, []):
            try:
                send(config, instance_path, to, subject, body)
            except Exception:  # noqa: BLE001
                # The change is committed; a failed email (a server down, an address the
                # header parser refuses) must not turn it into an error page.
                log.exception("could not send email to %r: %s", to, subject)

    @event.listens_for(sessions, "after_rollback")
    def _discard(session: Any) -> None:
        if not session.in_nested_transaction():
            session.info.pop(OUTBOX, None)
