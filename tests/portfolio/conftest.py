"""The portfolio tests' world: a candidate on the MSK roadmap with a primary and a backup."""
from __future__ import annotations

from typing import Any

import pytest

from tests.portfolio.world import PortfolioWorld, build_world


@pytest.fixture
def world(session: Any, make_user: Any) -> PortfolioWorld:
    """A candidate enrolled on the MSK roadmap with a primary and a backup supervisor."""
    return build_world(session, make_user)
