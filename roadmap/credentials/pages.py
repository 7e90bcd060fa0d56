"""The data of the public credential pages: the issuer's profile, an achievement, a revocation."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.credentials import checks, document, service
from roadmap.framework.models import Capability, FrameworkVersion, Stage

CID_CONTEXT = "https://www.w3.org/ns/cid/v1"  # verificationMethod, JsonWebKey, publicKeyJwk


def profile(session: Session, config: Mapping[str, Any]) -> dict[str, Any]:
    """The issuer's Open Badges Profile, naming its public keys as verification methods.

    The same keys are at /.well-known/jwks.json, where Open Badges checkers look for them.
    """
    issuer = service.issuer_of(config)
    keys = service.published(session, config)
    return {
        "@context": [document.VC_CONTEXT, document.OB_CONTEXT, CID_CONTEXT],
        **issuer.profile(),
        "description": "The organisation hosting this Roadmap to Practice portfolio service, "
                       "which signs a credential when a stage's last approval is given. "
                       + document.SCOPE,
        "verificationMethod": [{"id": kid, "type": "JsonWebKey", "controller": issuer.id,
                                "publicKeyJwk": {k: v for k, v in jwk.items()
                                                 if k in {"kty", "crv", "x"}}}
                               for kid, jwk in keys.items()],
        "assertionMethod": list(keys),
        "jwks": issuer.at(document.JWKS_PATH),
    }


@dataclass
class AchievementPage:
    """What a stage's credential certifies."""

    framework: str
    version: str
    stage: str
    description: str
    headings: list[tuple[str, str]]  # (code, title)


def achievement(session: Session, version_id: int, stage_code: str) -> Optional[AchievementPage]:
    """A stage of a framework version as its credentials' achievement; None when unknown."""
    version = session.get(FrameworkVersion, version_id)
    stage = session.scalar(sa.select(Stage).where(Stage.framework_version_id == version_id,
                                                  Stage.code == stage_code)) if version else None
    if version is None or stage is None:
        return None
    described = next((s.get("description") for s in version.document.get("stages") or []
                      if s.get("code") == stage_code), None)
    headings = list(session.execute(
        sa.select(Capability.code, Capability.title)
        .where(Capability.framework_version_id == version_id).order_by(Capability.position)))
    return AchievementPage(version.title, version.version_label, stage.name,
                           str(described or ""), [(c, t) for c, t in headings])


def revocation(session: Session, config: Mapping[str, Any],
               finding: checks.Finding) -> Optional[dt.datetime]:
    """When this service revoked the credential a check found revoked (None otherwise)."""
    if finding.outcome is not checks.Outcome.REVOKED or not finding.credential:
        return None
    row = service.by_address(session, config, str(finding.credential.get("id") or ""))
    return row.revoked_at if row is not None else None
