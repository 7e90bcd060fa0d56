"""Without an SMTP server, email is kept in a folder; its body (with links) never reaches the log
outside development, where the developer's console is the only reader."""
from __future__ import annotations

import logging

import pytest

from roadmap import mail

BODY = "Set your password: https://roadmap.example/invitations/SECRET-TOKEN-abc123"


@pytest.mark.parametrize("env, logged", [("production", False), ("test", False),
                                         ("development", True)])
def test_kept_email_logs_its_body_only_in_development(tmp_path, caplog, env, logged):
    config = {"MAIL_FROM": "Roadmap <no-reply@roadmap.invalid>", "MAIL_URL": None,
              "MAIL_FOLDER": str(tmp_path), "ENV": env}
    with caplog.at_level(logging.WARNING, logger="roadmap.mail"):
        mail.send(config, str(tmp_path), "cand@example.nhs.uk", "Your Roadmap account", BODY)
    assert "cand@example.nhs.uk" in caplog.text and "Your Roadmap account" in caplog.text
    assert ("SECRET-TOKEN-abc123" in caplog.text) is logged
    kept = list(tmp_path.glob("*.eml"))
    assert len(kept) == 1 and b"SECRET-TOKEN-abc123" in kept[0].read_bytes()


def test_a_savepoint_neither_sends_nor_drops_what_the_transaction_queued(app, session, tmp_path):
    """Only the transaction's own commit sends: a savepoint released or rolled back on the way
    (a raced insert, a decision made all or nothing) is not the end of it."""
    folder = tmp_path / "mail"  # the test app keeps its email here
    mail.queue(session, "cand@example.nhs.uk", "Before the savepoints", BODY)
    with session.begin_nested():
        pass
    try:
        with session.begin_nested():
            raise ValueError("a raced insert")
    except ValueError:
        pass
    assert not folder.exists() or not list(folder.glob("*.eml"))
    session.commit()
    assert len(list(folder.glob("*.eml"))) == 1
