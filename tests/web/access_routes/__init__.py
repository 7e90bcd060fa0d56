"""Every route of the application, by feature, for tests/web/test_access.py.

Each module here defines ROUTES: endpoint -> (a function building the URL arguments from the
world, the roles that may reach that particular object). The object is always someone else's.
A module may also define extend_world(world, session) to add the objects its routes need.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Any, Callable

ROLES = ("anonymous", "candidate", "supervisor", "hub_lead", "admin", "provider_reviewer",
         "educational", "regional_lead")
# Entries of ROLES that are not roles of their own: the account's role, and why they are apart.
# "educational" is a supervisor assigned as the educational supervisor of the supervision
# routes' candidate: they read that portfolio and must be refused everything that acts on it.
ROLE_OF = {"educational": "supervisor"}
World = dict[str, Any]
Route = tuple[Callable[[World], dict[str, Any]], frozenset[str]]


def _modules() -> list[Any]:
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in pkgutil.iter_modules(__path__)]


def all_routes() -> dict[str, Route]:
    """Every feature's routes in one table; an endpoint listed twice is a mistake."""
    table: dict[str, Route] = {}
    for module in _modules():
        for endpoint, route in module.ROUTES.items():
            assert endpoint not in table, f"{endpoint} is listed twice"
            table[endpoint] = route
    return table


def extend_world(world: World, session: Any) -> None:
    """Let each feature add the objects its routes point at."""
    for module in _modules():
        if hasattr(module, "extend_world"):
            module.extend_world(world, session)
