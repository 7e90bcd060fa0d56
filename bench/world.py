"""The national shape, in memory: regions, hubs, cohorts, people, enrolments, supervisor teams.

Figures at 100% (issue 9): 10,000 candidates, 3,000 supervisors, 42 integrated care systems
each with a training hub, in the seven NHS England regions. Every row gets its id here, so the
rows that refer to it (and the audit events that name it) can be written in one pass with COPY.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any, Optional
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
NATIONAL = {"candidates": 10_000, "supervisors": 3_000, "hubs": 42}
REGIONS = ("North East and Yorkshire", "North West", "Midlands", "East of England", "London",
           "South East", "South West")
COHORT_SIZE = 25  # candidates a hub enrols at a time; the same at every scale
HISTORY_DAYS = 730  # cohorts started over the last two years
CATEGORIES = ("gp", "ahp_fellow", "ahp_fellow", "verified_fcp", "ap")
FTES = (1.0, 1.0, 0.8, 0.6, 0.5, 0.4)
PROFESSIONS = ("Physiotherapist",) * 7 + ("Osteopath", "Podiatrist", "Paramedic")
FIRST = ("Alex", "Sam", "Priya", "Tom", "Aisha", "Ben", "Chloe", "Dan", "Ella", "Femi", "Grace",
         "Hannah", "Imran", "Jess", "Kofi", "Laura", "Mo", "Nia", "Owen", "Ruth", "Sean", "Zara")
LAST = ("Smith", "Jones", "Patel", "Khan", "Williams", "Brown", "Taylor", "Davies", "Evans",
        "Wilson", "Thomas", "Roberts", "Okafor", "Nguyen", "Walker", "Wright", "Hughes", "Green")


def totp_secret(key: str, email: str) -> str:
    """The seeded authenticator secret of an account, derived from the seed key and email."""
    digest = hashlib.sha256(f"{key}:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


class Ids:
    """The next free id of each table, starting after what the database already holds."""

    def __init__(self, start: dict[str, int]) -> None:
        self._next = {name: value + 1 for name, value in start.items()}

    def __call__(self, table: str) -> int:
        """Take the next id of a table."""
        value = self._next.setdefault(table, 1)
        self._next[table] = value + 1
        return value


@dataclass
class Person:
    """A seeded account: its id, email and name."""

    id: int
    email: str
    name: str


@dataclass
class Supervisor(Person):
    """A supervisor and how many active candidates they carry as primary."""

    fte: float = 1.0
    load: int = 0


@dataclass
class Candidate:
    """One enrolment with its dates and team, as the portfolio generator needs them."""

    person: Person
    enrolment_id: int
    hub: int
    enrolled_on: dt.date
    stage1_on: Optional[dt.date]
    stage2_on: Optional[dt.date]
    status: str
    primary: Supervisor
    backup: Optional[Supervisor]
    quiet_from: Optional[dt.date]  # stopped adding evidence on this day
    ratings: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> kind -> rating


@dataclass
class World:
    """Rows by table, the audit events to chain, and who is who for the later steps."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: list[tuple] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    supervisors: list[Supervisor] = field(default_factory=list)
    leads: list[tuple[Person, int, list[int]]] = field(default_factory=list)  # lead, hub, cohorts
    admin: Optional[Person] = None
    busy: set[int] = field(default_factory=set)  # supervisors with items waiting on them
    items: dict[int, int] = field(default_factory=dict)  # enrolment id -> evidence items

    def add(self, table: str, **row: Any) -> None:
        """Queue one row for a table."""
        self.rows.setdefault(table, []).append(row)

    def event(self, when: dt.datetime, action: str, actor: Optional[int], subject_type: Optional[str],
              subject_id: Optional[int], enrolment_id: Optional[int], data: dict[str, Any]) -> None:
        """Queue an audit event; the chain is built once every event is known."""
        self.events.append((when, len(self.events), actor, action, subject_type, subject_id,
                            enrolment_id, data))


def at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment in working hours on a day, in UTC."""
    return dt.datetime.combine(day, dt.time(8), tzinfo=dt.timezone.utc) + dt.timedelta(
        seconds=rng.randint(0, 9 * 3600), microseconds=rng.randint(0, 999_999))


def counts(scale: float) -> dict[str, int]:
    """Candidates, supervisors and hubs at a scale (1.0 is national)."""
    return {"candidates": max(2, round(NATIONAL["candidates"] * scale)),
            "supervisors": max(2, round(NATIONAL["supervisors"] * scale)),
            "hubs": max(1, round(NATIONAL["hubs"] * scale))}


def _user(world: World, ids: Ids, kind: str, number: int, password_hash: str, key: str,
          created: dt.datetime, rng: random.Random, **extra: Any) -> Person:
    email = f"{kind}{number}@bench.example.nhs.uk"
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    person = Person(ids("users"), email, name)
    world.add("users", id=person.id, email=email, full_name=name, password_hash=password_hash,
              totp_secret=totp_secret(key, email), totp_confirmed_at=created, is_active=True,
              created_at=created, password_changed_at=created, wrong_codes=0, **extra)
    return person


def _role(world: World, ids: Ids, person: Person, role: str, when: dt.datetime,
          hub: Optional[int] = None) -> None:
    world.add("user_roles", id=ids("user_roles"), user_id=person.id, role=role, hub_id=hub,
              granted_at=when)


def build(scale: float, today: dt.date, password_hash: str, key: str, ids: Ids,
          framework_version_id: int, seed: int = 9) -> World:
    """Hubs, leads, supervisors, cohorts and candidates with their teams, at a scale."""
    rng, world, size = random.Random(seed), World(), counts(scale)
    start = at(today - dt.timedelta(days=HISTORY_DAYS + 30), rng)
    world.admin = _user(world, ids, "admin", 1, password_hash, key, start, rng)
    _role(world, ids, world.admin, "admin", start)
    world.event(start, "account.created", None, "user", world.admin.id, None, {"roles": ["admin"]})
    per_hub_c = _split(size["candidates"], size["hubs"])
    per_hub_s = _split(size["supervisors"], size["hubs"])
    number = {"candidate": 0, "supervisor": 0}
    regions = _regions(world, ids, per_hub_c, start)
    for h in range(size["hubs"]):
        hub_id, when = ids("training_hubs"), start + dt.timedelta(hours=h)
        name = f"{REGIONS[h % len(REGIONS)]} training hub {h + 1}"
        region_id, target = regions[REGIONS[h % len(REGIONS)]], max(5, per_hub_c[h] // 2)
        world.add("training_hubs", id=hub_id, name=name, region_id=region_id,
                  annual_signoff_target=target, created_at=when)
        world.event(when, "hub.created", world.admin.id, "hub", hub_id, None,
                    {"name": name, "region_id": region_id, "target": target})
        lead = _user(world, ids, "lead", h + 1, password_hash, key, when, rng)
        _role(world, ids, lead, "hub_lead", when, hub_id)
        world.event(when, "account.created", world.admin.id, "user", lead.id, None, {"roles": ["hub_lead"]})
        employers = []
        for e in range(max(1, per_hub_c[h] // 40)):
            employers.append(ids("employers"))
            world.add("employers", id=employers[-1], name=f"{name} PCN {e + 1}", created_at=when)
            world.event(when, "employer.created", world.admin.id, "employer", employers[-1], None,
                        {"name": f"{name} PCN {e + 1}"})
        team = []
        for _ in range(per_hub_s[h]):
            number["supervisor"] += 1
            person = _user(world, ids, "supervisor", number["supervisor"], password_hash, key, when, rng)
            sup = Supervisor(person.id, person.email, person.name, fte=rng.choice(FTES))
            _role(world, ids, sup, "supervisor", when)
            world.add("supervisor_profiles", user_id=sup.id, category=rng.choice(CATEGORIES),
                      fte=sup.fte, trained_on=(when - dt.timedelta(days=rng.randint(30, 900))).date())
            world.event(when, "account.created", world.admin.id, "user", sup.id, None, {"roles": ["supervisor"]})
            team.append(sup)
        world.supervisors += team
        cohorts = _cohorts(world, ids, hub_id, name, per_hub_c[h], today, lead, rng)
        world.leads.append((lead, hub_id, [c for c, _, _ in cohorts]))
        for cohort_id, starts_on, members in cohorts:
            for _ in range(members):
                number["candidate"] += 1
                world.candidates.append(_candidate(world, ids, number["candidate"], hub_id, cohort_id,
                                                   starts_on, employers, team, today, lead,
                                                   framework_version_id, password_hash, key, rng))
    return world


def _regions(world: World, ids: Ids, per_hub: list[int], when: dt.datetime) -> dict[str, int]:
    """The NHS England regions the hubs are in (hub h in REGIONS[h % 7]), each with a target
    of the sign-offs its hubs aim for together; region name -> id."""
    targets: dict[str, int] = {}
    for h, candidates in enumerate(per_hub):
        name = REGIONS[h % len(REGIONS)]
        targets[name] = targets.get(name, 0) + max(5, candidates // 2)
    found = {}
    for name, target in targets.items():
        found[name] = ids("regions")
        world.add("regions", id=found[name], name=name, annual_signoff_target=target, created_at=when)
        world.event(when, "region.created", world.admin.id if world.admin else None, "region",
                    found[name], None, {"name": name, "target": target})
    return found


def _split(total: int, parts: int) -> list[int]:
    """Share a total over parts as evenly as whole numbers allow."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _cohorts(world: World, ids: Ids, hub_id: int, hub_name: str, members: int, today: dt.date,
             lead: Person, rng: random.Random) -> list[tuple[int, dt.date, int]]:
    """Cohorts of about COHORT_SIZE, started at even intervals over the last two years."""
    count = max(1, round(members / COHORT_SIZE))
    found = []
    for k, share in enumerate(_split(members, count)):
        starts_on = today - dt.timedelta(days=HISTORY_DAYS - (HISTORY_DAYS - 30) * k // max(1, count - 1)
                                         if count > 1 else 180)
        cohort_id, when = ids("cohorts"), at(starts_on - dt.timedelta(days=14), rng)
        name = f"{starts_on:%B %Y} intake"
        if any(row["name"] == name and row["hub_id"] == hub_id for row in world.rows.get("cohorts", [])):
            name = f"{name} ({k + 1})"
        world.add("cohorts", id=cohort_id, hub_id=hub_id, name=name, starts_on=starts_on, created_at=when)
        world.event(when, "cohort.created", lead.id, "cohort", cohort_id, None, {"hub_id": hub_id, "name": name})
        found.append((cohort_id, starts_on, share))
    return found


def _pick_primary(team: list[Supervisor], active: bool, rng: random.Random) -> Supervisor:
    """The supervisor with most room under 4 per FTE (rule D6); completed ones do not count."""
    best = max(team, key=lambda s: (4 * s.fte - s.load, rng.random()))
    if active:
        best.load += 1
    return best


def _candidate(world: World, ids: Ids, number: int, hub_id: int, cohort_id: int, starts_on: dt.date,
               employers: list[int], team: list[Supervisor], today: dt.date, lead: Person,
               framework_version_id: int, password_hash: str, key: str,
               rng: random.Random) -> Candidate:
    """One candidate: account, enrolment at a realistic stage, primary and usual backup."""
    enrolled_on = min(today - dt.timedelta(days=7), starts_on + dt.timedelta(days=rng.randint(0, 21)))
    created = at(enrolled_on - dt.timedelta(days=3), rng)
    person = _user(world, ids, "candidate", number, password_hash, key, created, rng,
                   profession=rng.choice(PROFESSIONS), registration_body="HCPC",
                   registration_number=f"PH{100000 + number}")
    _role(world, ids, person, "candidate", created)
    world.event(created, "account.created", lead.id, "user", person.id, None, {"roles": ["candidate"]})
    age = (today - enrolled_on).days
    stage1_on = stage2_on = None
    if age > 45 and rng.random() < 0.9:
        stage1_on = enrolled_on + dt.timedelta(days=rng.randint(21, min(age - 1, 120)))
    if stage1_on is not None:
        since = (today - stage1_on).days
        if since > 150 and rng.random() < min(0.9, (since - 150) / 200):
            stage2_on = stage1_on + dt.timedelta(days=rng.randint(150, min(since - 1, 330)))
    status = "completed" if stage2_on else ("withdrawn" if rng.random() < 0.02 else "active")
    enrolment_id = ids("enrolments")
    target_on = (stage1_on or enrolled_on + dt.timedelta(days=60)) + dt.timedelta(days=182)
    world.add("enrolments", id=enrolment_id, candidate_id=person.id, cohort_id=cohort_id,
              framework_version_id=framework_version_id, employer_id=rng.choice(employers),
              route="portfolio", status=status, enrolled_on=enrolled_on, stage1_verified_on=stage1_on,
              stage2_started_on=stage1_on, stage2_signed_off_on=stage2_on, target_on=target_on,
              created_at=created)
    world.event(created, "enrolment.created", lead.id, "enrolment", enrolment_id, enrolment_id,
                {"candidate_id": person.id, "cohort_id": cohort_id, "route": "portfolio",
                 "target_on": target_on.isoformat()})
    primary = _pick_primary(team, status == "active", rng)
    others = [s for s in team if s.id != primary.id]
    backup = rng.choice(others) if others and rng.random() < 0.85 else None
    # A completed candidate's supervisors stop at the end of the sign-off day.
    ended_at = (dt.datetime.combine(stage2_on + dt.timedelta(days=1), dt.time(), LONDON)
                .astimezone(dt.timezone.utc) if status == "completed" else None)
    for kind, sup in (("primary", primary), ("backup", backup)):
        if sup is None:
            continue
        assignment_id = ids("supervisor_assignments")
        world.add("supervisor_assignments", id=assignment_id, enrolment_id=enrolment_id,
                  supervisor_id=sup.id, kind=kind, starts_on=enrolled_on, ended_at=ended_at,
                  assigned_by_id=lead.id,
                  handover_note=None, created_at=created)
        world.event(created, "assignment.created", lead.id, "assignment", assignment_id, enrolment_id,
                    {"supervisor_id": sup.id, "kind": kind, "starts_on": enrolled_on.isoformat()})
    quiet_from = None
    if status == "active" and age > 120 and rng.random() < 0.1:
        quiet_from = today - dt.timedelta(days=rng.randint(35, 90))
    return Candidate(person, enrolment_id, hub_id, enrolled_on, stage1_on, stage2_on, status,
                     primary, backup, quiet_from)
