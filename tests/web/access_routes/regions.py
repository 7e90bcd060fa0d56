"""Routes of the region pages, for the access test: Region B, whose hub is Hub B.

The world's regional lead leads Region A (Hub A), so Region B and its hub are someone else's;
a hub lead, even of a hub in the region, sees no region page.
"""
from __future__ import annotations

import sqlalchemy as sa

from roadmap.cohorts.models import TrainingHub
from roadmap.regions.models import RegionLead
from roadmap.regions.service import create_region
from tests.web.access_routes import Route

ADMIN = frozenset({"admin"})


def extend_world(world, session) -> None:
    """Region A with Hub A, led by the world's regional lead; Region B with Hub B, and its lead."""
    region_a = create_region(session, "Region A", 20, by=None)
    region_b = create_region(session, "Region B", 30, by=None)
    hubs = {hub.name: hub for hub in session.scalars(sa.select(TrainingHub))}
    hubs["Hub A"].region_id, hubs["Hub B"].region_id = region_a.id, region_b.id
    session.add(RegionLead(region_id=region_a.id, user_id=world["regional_lead"].id))
    lead_b = RegionLead(region_id=region_b.id, user_id=world["admin"].id)
    session.add(lead_b)
    session.commit()
    world.update(region_b=region_b, hub_in_b=hubs["Hub B"], lead_b=lead_b)


ROUTES: dict[str, Route] = {
    "regions.regions": (lambda w: {}, frozenset({"admin", "regional_lead"})),
    "regions.new_region": (lambda w: {}, ADMIN),
    "regions.edit_region": (lambda w: {"region_id": w["region_b"].id}, ADMIN),
    "regions.region": (lambda w: {"region_id": w["region_b"].id}, ADMIN),
    "regions.hub": (lambda w: {"region_id": w["region_b"].id, "hub_id": w["hub_in_b"].id}, ADMIN),
    "regions.region_csv": (lambda w: {"region_id": w["region_b"].id}, ADMIN),
    "regions.leads": (lambda w: {"region_id": w["region_b"].id}, ADMIN),
    "regions.add_lead": (lambda w: {"region_id": w["region_b"].id}, ADMIN),
    "regions.end_lead": (lambda w: {"region_id": w["region_b"].id, "lead_id": w["lead_b"].id},
                         ADMIN),
}
