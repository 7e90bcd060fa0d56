"""Regions for the tests: seeded hubs in regions, and a regional lead with an authenticator."""
from __future__ import annotations

from typing import Any, Callable

import pyotp
import pytest

from bench.dashboard import framework, seed
from roadmap.accounts.models import Role
from roadmap.accounts.service import create_user
from roadmap.clock import today
from roadmap.db import utcnow
from roadmap.regions.service import assign_regional_lead, create_region
from tests.fixtures.apps import TEST_PASSWORD


@pytest.fixture
def regional_lead(session: Any) -> Callable[..., Any]:
    """`regional_lead(region, email=...)`: an account with the role and an authenticator,
    leading the region; committed."""
    def make(region: Any, email: str = "region@example.nhs.uk") -> Any:
        user = create_user(session, email, "Rhiannon Regional", [Role.REGIONAL_LEAD],
                           TEST_PASSWORD, "fast")
        user.totp_secret, user.totp_confirmed_at = pyotp.random_base32(), utcnow()
        assign_regional_lead(session, region, user, by=None)
        session.commit()
        return user

    return make


@pytest.fixture
def seeded_regions(session: Any) -> dict[str, Any]:
    """Two regions of seeded hubs (bench/dashboard.py's seed: 12 items a candidate): North with
    three hubs of 10, 40 and 25 candidates, South with one of 10; every count above 4 somewhere."""
    version = framework(session)
    north = create_region(session, "North", 60, by=None)
    south = create_region(session, "South", None, by=None)
    hubs = {}
    for name, candidates, region, seed_value in (("Alpha Hub", 10, north, 1), ("Beta Hub", 40, north, 2),
                                                 ("Gamma Hub", 25, north, 3), ("Delta Hub", 10, south, 4)):
        hubs[name], _cohort = seed(session, candidates, 12, today(), hub_name=name, version=version,
                                   region_id=region.id, seed_value=seed_value)
    session.commit()
    return {"north": north, "south": south, **hubs}
