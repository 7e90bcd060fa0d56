"""Routes of credentials, for the access test: someone else's credential, and the public pages."""
from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.access_routes import ROLES, Route

NOBODY: frozenset[str] = frozenset()  # the credential is its holder's alone
EVERYONE = frozenset(ROLES)


def _issued(world: dict[str, Any]) -> Any:
    """A credential issued for the supervision routes' candidate's Stage 2 (made on first use,
    because that candidate is added to the world after this module's turn)."""
    if "issued_credential" not in world:
        from joserfc.jwk import OKPKey
        from sqlalchemy.orm import object_session

        from roadmap.credentials import proof
        from roadmap.credentials.models import IssuedCredential
        from roadmap.supervision.models import StageSignOff

        enrolment = world["supervised_enrolment"]
        session = object_session(enrolment)
        record = StageSignOff(enrolment_id=enrolment.id, stage_code="stage2", status="complete",
                              signed_content={"ratings": {}, "evidence": []},
                              content_hash="1" * 64, verification_code="RM-CREDS-ACCES-STEST",
                              completed_at=dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
        session.add(record)
        session.flush()
        token = proof.sign({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "http://127.0.0.1:5000/credentials/00000000-0000-4000-8000-000000000001",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "http://127.0.0.1:5000/credentials/issuer", "type": ["Profile"],
                       "name": "Access test"},
            "validFrom": "2026-06-01T00:00:00Z",
            "credentialSubject": {"id": "urn:uuid:00000000-0000-4000-8000-000000000002",
                                  "type": ["AchievementSubject"],
                                  "achievement": {"name": "Stage 2"}}},
            OKPKey.generate_key("Ed25519"), "http://127.0.0.1:5000/credentials/keys/none")
        row = IssuedCredential(public_id="00000000-0000-4000-8000-000000000001",
                               signoff_id=record.id, enrolment_id=enrolment.id,
                               candidate_id=enrolment.candidate_id, stage_code="stage2",
                               status_list=1, status_index=7, key_thumbprint="none", jws=token)
        session.add(row)
        session.commit()
        world["issued_credential"] = row
    return world["issued_credential"]


ROUTES: dict[str, Route] = {
    "credentials.jwks": (lambda w: {}, EVERYONE),
    "credentials.key": (lambda w: {"thumbprint": "unknown"}, EVERYONE),
    "credentials.issuer": (lambda w: {}, EVERYONE),
    "credentials.status_list": (lambda w: {"number": 1}, EVERYONE),
    "credentials.achievement": (lambda w: {
        "version_id": w["supervised_enrolment"].framework_version_id, "stage_code": "stage2"},
        EVERYONE),
    "credentials.shared": (lambda w: {"public_id": _issued(w).public_id}, EVERYONE),
    "credentials.own": (lambda w: {"signoff_id": _issued(w).signoff_id}, NOBODY),
    "credentials.download": (lambda w: {"signoff_id": _issued(w).signoff_id,
                                        "filename": "credential.jwt"}, NOBODY),
    "credentials.verify_credential": (lambda w: {}, EVERYONE),
}
