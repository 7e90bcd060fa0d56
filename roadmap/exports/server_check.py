"""What the service says now about a checked file: are its verification codes genuine, are its
signed items and sign-offs still what the service holds, and what has happened since.

Disagreement (a code the service does not know, a hash it never signed) means the file is not
what it claims; a change since (a new event, an edit after signing) is only news.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.audit.models import AuditEvent
from roadmap.exports import verification
from roadmap.exports.check import Report
from roadmap.portfolio.models import Evidence, EvidenceStatus, EvidenceVersion


def _stages(session: Session, report: Report) -> tuple[list[str], list[str], list[str]]:
    wrong, since, confirmed = [], [], []
    for stage in report.manifest.get("stages") or []:
        code = stage.get("verification_code")
        if not code:
            continue
        name = stage.get("name") or stage.get("code")
        found = verification.lookup(session, str(code))
        if found is None:
            wrong.append(f"{name}: our records hold no sign-off with the verification code "
                         f"{code}.")
            continue
        if not found.genuine:
            wrong.append(f"{name}: the service cannot confirm the sign-off with code {code}.")
        if found.content_hash != stage.get("content_hash"):
            wrong.append(f"{name}: what was signed is not what our records hold for this "
                         "sign-off.")
        since += [f"{name}: {change}" for change in found.changes]
        if found.genuine and found.content_hash == stage.get("content_hash"):
            confirmed.append(f"{name}: the verification code {code} is genuine.")
    return wrong, since, confirmed


def _items(session: Session, report: Report) -> tuple[list[str], list[str]]:
    """Signed hashes the service never held (wrong); items signed again or edited (since)."""
    claimed = {(i.get("evidence_id"), i.get("version")): i
               for i in report.manifest.get("signed_items") or []}
    ids = {evidence_id for evidence_id, _ in claimed}
    held = {(v.evidence_id, v.number): v.content_hash for v in session.scalars(
        sa.select(EvidenceVersion).where(EvidenceVersion.evidence_id.in_(ids)))} if ids else {}
    edited = set(session.scalars(sa.select(Evidence.id).where(
        Evidence.id.in_(ids), Evidence.status == EvidenceStatus.CHANGED_SINCE_SIGNED.value))
    ) if ids else set()
    latest = {evidence_id: number for evidence_id, number in held}
    for evidence_id, number in held:
        latest[evidence_id] = max(latest[evidence_id], number)
    wrong, since = [], []
    newest_claimed: dict[int, int] = {}
    for (evidence_id, number), item in claimed.items():
        newest_claimed[evidence_id] = max(newest_claimed.get(evidence_id, 0), number or 0)
        if held.get((evidence_id, number)) != item.get("content_hash"):
            wrong.append(f"“{item.get('title')}” (version {number}): the service holds no "
                         "signed version with this hash.")
    titles = {i.get("evidence_id"): i.get("title") for i in claimed.values()}
    for evidence_id, number in sorted(newest_claimed.items()):
        if latest.get(evidence_id, 0) > number:
            since.append(f"“{titles[evidence_id]}” has been signed again since (version "
                         f"{latest[evidence_id]}).")
        elif evidence_id in edited:
            since.append(f"“{titles[evidence_id]}” has been edited since it was signed.")
    return wrong, since


def _events(session: Session, report: Report) -> tuple[list[str], list[str]]:
    head = report.manifest.get("audit_head") or {}
    if not head:
        return [], []
    found = session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.id == head.get("id")))
    if found != head.get("hash"):
        return ["The audit chain's head the file records is not in the service's chain."], []
    later = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.enrolment_id == report.manifest.get("enrolment_id"),
        AuditEvent.id > int(head.get("id") or 0))) or 0
    if not later:
        return [], ["Nothing has been recorded in this portfolio since the file was made."]
    return [], [f"{later} event{'s have' if later > 1 else ' has'} been recorded in this portfolio "
                "since the file was made: it is no longer the latest copy."]


def compare(session: Session, report: Report) -> Report:
    """Fill in report.server and report.server_agrees from the database."""
    if not report.manifest:
        return report
    wrong_stages, since_stages, confirmed = _stages(session, report)
    wrong_items, since_items = _items(session, report)
    wrong_events, since_events = _events(session, report)
    wrong: list[Any] = wrong_stages + wrong_items + wrong_events
    report.server_wrong, report.server_confirmed = wrong, confirmed
    report.server_since = since_stages + since_items + since_events
    report.server = wrong + confirmed + report.server_since
    report.server_agrees = not wrong
    return report
