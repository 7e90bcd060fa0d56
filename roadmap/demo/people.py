"""The people of the demo, in the shape of the pilot in seed 002: one hub, two providers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

REGION = {"name": "Buckinghamshire, Oxfordshire and Berkshire West ICS", "annual_signoff_target": 50}
HUB = {"name": "Thames Valley Training Hub (demo)", "annual_signoff_target": 50}
COHORT = "FCP Roadmap cohort, spring 2026"
EMPLOYERS = ("Chiltern FCP Partners (demo)", "Kennet MSK Services (demo)")


@dataclass(frozen=True)
class Person:
    """A demo account."""

    email: str
    full_name: str
    roles: tuple[str, ...]
    profession: Optional[str] = None
    registration_body: Optional[str] = None
    registration_number: Optional[str] = None
    supervisor_category: Optional[str] = None
    fte: Optional[float] = None


SUPERVISORS = (
    Person("supervisor1@example.nhs.uk", "Dr Priya Shah", ("supervisor",), "General practitioner",
           "GMC", "7012345", "gp", 1.0),
    Person("fellow1@example.nhs.uk", "Tom Hughes", ("supervisor",), "Physiotherapist",
           "HCPC", "PH104512", "ahp_fellow", 0.6),
    Person("fellow2@example.nhs.uk", "Aisha Khan", ("supervisor",), "Physiotherapist",
           "HCPC", "PH098877", "ahp_fellow", 0.4),
)
HUB_LEAD = Person("hub@example.nhs.uk", "Sarah Bennett", ("hub_lead",), "Training hub lead")
ADMIN = Person("admin@example.nhs.uk", "Roadmap Administrator", ("admin",))

_CANDIDATES = (
    ("Jamie Patel", "Physiotherapist", "HCPC", "PH112233"),
    ("Olivia Carter", "Physiotherapist", "HCPC", "PH120045"),
    ("Mohammed Ali", "Physiotherapist", "HCPC", "PH131178"),
    ("Grace O'Neill", "Osteopath", "GOsC", "8123"),
    ("Daniel Evans", "Podiatrist", "HCPC", "CH045671"),
    ("Hannah Wright", "Physiotherapist", "HCPC", "PH140920"),
    ("Samuel Okafor", "Paramedic", "HCPC", "PA067812"),
    ("Emily Clarke", "Physiotherapist", "HCPC", "PH151102"),
    ("Ryan Murphy", "Physiotherapist", "HCPC", "PH160047"),
    ("Chloe Thompson", "Occupational therapist", "HCPC", "OT071190"),
)
CANDIDATES = tuple(
    Person(f"candidate{n}@example.nhs.uk", name, ("candidate",), profession, body, number)
    for n, (name, profession, body, number) in enumerate(_CANDIDATES, start=1)
)


@dataclass(frozen=True)
class Plan:
    """How far along a demo candidate is, and who supervises them."""

    months_in: int  # months since enrolment
    primary: int  # index into SUPERVISORS
    backup: Optional[int]  # None: no backup, a risk the hub must see (rule D5)
    items: int  # evidence items to create
    employer: int  # index into EMPLOYERS


PLANS = (
    Plan(7, 0, 1, 36, 0), Plan(5, 1, 0, 22, 0), Plan(4, 1, 2, 16, 0), Plan(3, 2, 0, 12, 1),
    Plan(3, 0, 2, 10, 1), Plan(2, 1, 0, 8, 0), Plan(2, 2, 1, 6, 1), Plan(1, 0, 1, 4, 1),
    Plan(1, 1, None, 3, 0), Plan(8, 2, None, 5, 1),
)
