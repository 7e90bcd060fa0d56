"""Routes of exports, for the access test: someone else's enrolment, job and sign-off."""
from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.access_routes import ROLES, Route

NOBODY: frozenset[str] = frozenset()
UNKNOWN_JOB = "A" * 32  # well formed, and nobody's


def _signoff(world: dict[str, Any]) -> Any:
    """A completed Stage 1 of the candidate the supervision routes use (made on first use,
    because that candidate is added to the world after this module's turn)."""
    if "exports_signoff" not in world:
        from sqlalchemy.orm import object_session

        from roadmap.supervision.models import StageSignOff

        enrolment = world["supervised_enrolment"]
        session = object_session(enrolment)
        record = StageSignOff(enrolment_id=enrolment.id, stage_code="stage1", status="complete",
                              signed_content={"ratings": {}, "evidence": []}, content_hash="0" * 64,
                              verification_code="RM-ACCES-SS2TE-ST234",
                              completed_at=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc))
        session.add(record)
        session.commit()
        world["exports_signoff"] = record
    return world["exports_signoff"]


ROUTES: dict[str, Route] = {
    "exports.start": (lambda w: {"enrolment_id": w["supervised_enrolment"].id}, NOBODY),
    "exports.request_export": (lambda w: {"enrolment_id": w["supervised_enrolment"].id,
                                          "kind": "pdf"}, NOBODY),
    "exports.job": (lambda w: {"job_id": UNKNOWN_JOB}, NOBODY),
    "exports.job_status": (lambda w: {"job_id": UNKNOWN_JOB}, NOBODY),
    "exports.download": (lambda w: {"job_id": UNKNOWN_JOB}, NOBODY),
    "exports.statement": (lambda w: {"signoff_id": _signoff(w).id}, NOBODY),
    "exports.verify_form": (lambda w: {}, frozenset(ROLES)),
    "exports.verify": (lambda w: {"code": _signoff(w).verification_code}, frozenset(ROLES)),
}
