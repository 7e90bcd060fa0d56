"""A signing key made by `roadmap credential keygen`'s code, and a Stage 2 fully approved.

The candidate is the fixtures' own (tests/fixtures/msk.py, tests/fixtures/providers.py): Stage 1
complete, Stage 2's evidence and ratings in place, signed by the candidate and the primary
supervisor, then approved by the education provider (no audit sample), which is its last
approval and issues the credential.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from roadmap.credentials import keys
from roadmap.credentials.models import IssuedCredential
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.models import Evidence
from roadmap.providers import decisions
from roadmap.supervision.signing import freeze_version
from tests.fixtures.msk import TODAY
from tests.fixtures.providers import sign_stage2


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """A fresh Ed25519 signing key, written as keygen writes it."""
    path = tmp_path / "keys" / "credential-signing.pem"
    path.parent.mkdir()
    keys.generate(path)
    return path


@pytest.fixture
def app_config(app_config: dict[str, Any], key_file: Path) -> dict[str, Any]:
    """The signing key configured, a named issuer, and no audit sample (one approval is last)."""
    return {**app_config, "CREDENTIAL_KEY_FILE": str(key_file),
            "CREDENTIAL_ISSUER_NAME": "Example Training Hub", "PROVIDER_SAMPLE_PERCENT": 0,
            "BASE_URL": "https://roadmap.example.nhs.uk"}


@pytest.fixture
def waiting(session, reviewing) -> SimpleNamespace:
    """As the shared fixture, with two items signed first: the sign-off freezes their hashes."""
    for item in session.scalars(sa.select(Evidence).where(
            Evidence.enrolment_id == reviewing.team.enrolment.id, Evidence.status == "submitted")
            .order_by(Evidence.id).limit(2)):
        freeze_version(session, item, session.get(EvidenceType, item.evidence_type_id).code)
        item.status = "signed"
    session.commit()
    reviewing.round = sign_stage2(session, reviewing.team)
    return reviewing


@pytest.fixture
def approved(session, waiting) -> SimpleNamespace:
    """Stage 2 approved by University of Example: complete, and its credential issued."""
    decisions.decide(session, waiting.round.id, waiting.first, "approved", None, {}, 0, TODAY)
    session.commit()
    waiting.credential = session.scalar(sa.select(IssuedCredential).where(
        IssuedCredential.enrolment_id == waiting.team.enrolment.id))
    return waiting
