"""Bulk enrolment from a spreadsheet saved as CSV: a dry run that lists every problem by row
and column, then an import that enrols everyone or no one.

Row numbers are the spreadsheet's: the header is row 1, the first candidate row 2.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap.accounts import onboarding
from roadmap.accounts.models import Role, User
from roadmap.accounts.service import normalise_email
from roadmap.cohorts import service
from roadmap.cohorts.models import Cohort, Employer, Enrolment, EnrolmentStatus, Route
from roadmap.fields import parse_date
from roadmap.framework.models import FrameworkVersion
from roadmap.providers.models import EducationProvider
from roadmap.supervision import assignments

COLUMNS = ("full_name", "email", "profession", "employer", "route", "enrolled_on",
           "stage2_started_on", "target_on", "primary_supervisor_email", "backup_supervisor_email",
           "provider")
REQUIRED = ("full_name", "email", "enrolled_on")
EXAMPLE = ("Alex Example", "alex.example@nhs.net", "Physiotherapist", "", "portfolio",
           "06/01/2026", "02/03/2026", "", "", "", "")
MAX_ROWS = 2000
LONGEST = {"full_name": 200, "email": 254, "profession": 80}  # the account's columns
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, where it is and what to do."""

    row: int
    column: str
    message: str


@dataclass
class PlannedRow:
    """A row that passed every check, ready to enrol."""

    row: int
    details: service.NewEnrolment
    primary: Optional[User] = None
    backup: Optional[User] = None


@dataclass
class Plan:
    """The dry run's result: the rows to enrol, every problem, and capacity warnings."""

    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file can be imported."""
        return not self.problems and bool(self.rows)


def template_csv() -> str:
    """The header row and one example row, to fill in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE)
    return out.getvalue()


def decode(data: bytes) -> str:
    """Text from an uploaded file: UTF-8 (with or without Excel's BOM), else Windows-1252.

    NUL characters are dropped: no database column can keep them, and a spreadsheet shows none.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\x00", "")


def _records(text: str, plan: Plan) -> list[tuple[int, dict[str, str]]]:
    """The non-empty rows as (spreadsheet row, column -> value); header problems go in plan."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    except (StopIteration, csv.Error):
        plan.problems.append(Problem(1, "", "The file is empty: use the template's header row"))
        return []
    for name in header:
        if name and name not in COLUMNS:
            plan.problems.append(Problem(1, name, f"Unknown column “{name}”: the columns are "
                                                  + ", ".join(COLUMNS)))
    for name in REQUIRED:
        if name not in header:
            plan.problems.append(Problem(1, name, f"The column “{name}” is missing"))
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        plan.problems.append(Problem(1, "", "A column appears twice"))
    records = []
    try:
        for index, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                plan.problems.append(Problem(index, "", "This row has more cells than the header"))
            records.append((index, {name: (cells[i].strip() if i < len(cells) else "")
                                    for i, name in enumerate(header) if name}))
            if len(records) > MAX_ROWS:
                plan.problems.append(Problem(index, "", f"Import at most {MAX_ROWS} rows at once"))
                break
    except csv.Error as error:
        plan.problems.append(Problem(reader.line_num, "", f"The file is not valid CSV: {error}"))
    if not records and not plan.problems:
        plan.problems.append(Problem(2, "", "The file has no candidate rows"))
    return records


def dry_run(session: Session, cohort: Cohort, version: FrameworkVersion, text: str,
            today: dt.date) -> Plan:
    """Check every row against the data, writing nothing; a fixed number of queries."""
    plan = Plan()
    records = _records(text, plan)
    emails = {normalise_email(r.get("email", "")) for _, r in records}
    supervisor_emails = {normalise_email(r.get(c, "")) for _, r in records
                         for c in ("primary_supervisor_email", "backup_supervisor_email")}
    people = {u.email: u for u in session.scalars(
        sa.select(User).where(User.email.in_((emails | supervisor_emails) - {""}))
        .options(selectinload(User.roles)))}
    enrolled = set(session.scalars(sa.select(Enrolment.candidate_id).where(
        Enrolment.candidate_id.in_([u.id for u in people.values()]),
        Enrolment.status == EnrolmentStatus.ACTIVE.value)))
    known = Known({e.name.lower(): e for e in session.scalars(sa.select(Employer))},
                  {p.name.lower(): p for p in session.scalars(
                      sa.select(EducationProvider).where(EducationProvider.is_active))})
    seen = Counter(normalise_email(r.get("email", "")) for _, r in records)
    for number, record in records:
        _check_row(plan, number, record, people, enrolled, known, seen, version)
    _capacity_warnings(session, plan, today)
    return plan


@dataclass
class Known:
    """The employers and active education providers a row may name, by lower-cased name."""

    employers: dict[str, Employer]
    providers: dict[str, EducationProvider]

    def named(self, table: dict[str, Any], value: str) -> Any:
        """The one a cell names, ignoring case and extra spaces; None for none."""
        return table.get(" ".join(value.split()).lower())


def _check_row(plan: Plan, number: int, record: dict[str, str], people: dict[str, User],
               enrolled: set[int], known: Known, seen: Counter,
               version: FrameworkVersion) -> None:
    """Every problem of one row; a clean row joins the plan."""
    problems = []
    add = lambda column, message: problems.append(Problem(number, column, message))  # noqa: E731
    for column in REQUIRED:
        if not record.get(column):
            add(column, f"Enter the {column.replace('_', ' ')}")
    for column, most in LONGEST.items():
        if len(record.get(column, "")) > most:
            add(column, f"Write at most {most} characters")
    email = normalise_email(record.get("email", ""))
    if email and not _EMAIL.match(email):
        add("email", f"“{record['email']}” is not an email address")
    elif email and seen[email] > 1:
        add("email", f"Duplicate email: {email} appears {seen[email]} times in the file")
    elif email in people:
        person = people[email]
        if not person.has_role(Role.CANDIDATE):
            add("email", f"{email} belongs to an account that is not a candidate's")
        elif person.id in enrolled:
            add("email", f"{email} is already enrolled")
    dates = {}
    for column in ("enrolled_on", "stage2_started_on", "target_on"):
        value = record.get(column, "")
        dates[column] = parse_date(value) if value else None
        if value and dates[column] is None:
            add(column, f"“{value}” is not a date: write it like 23/11/2026")
    route = (record.get("route") or Route.PORTFOLIO.value).lower()
    if route not in {r.value for r in Route}:
        add("route", f"Unknown route “{record['route']}”: write portfolio or taught")
    employer = known.named(known.employers, record["employer"]) if record.get("employer") else None
    if record.get("employer") and employer is None:
        add("employer", f"Unknown employer “{record['employer']}”: add it on the hub page first")
    provider = known.named(known.providers, record["provider"]) if record.get("provider") else None
    if record.get("provider") and provider is None:
        add("provider", f"Unknown education provider “{record['provider']}”: write its name as "
                        "the administrators entered it, or leave the cell empty")
    team: dict[str, Optional[User]] = {}
    for column in ("primary_supervisor_email", "backup_supervisor_email"):
        address = normalise_email(record.get(column, ""))
        team[column] = None
        if address:
            person = people.get(address)
            if address == email:
                add(column, "A candidate cannot supervise themselves")
            elif person is None or not person.has_role(Role.SUPERVISOR) or not person.is_active:
                add(column, f"Unknown supervisor “{record[column]}”: invite them as a "
                            "supervisor first")
            else:
                team[column] = person
    if team["primary_supervisor_email"] and team["primary_supervisor_email"] is \
            team["backup_supervisor_email"]:
        add("backup_supervisor_email", "The backup supervisor must be someone other than the primary")
    details = service.NewEnrolment(
        full_name=record.get("full_name", ""), email=email, enrolled_on=dates["enrolled_on"],
        route=route, employer=employer, profession=record.get("profession") or None,
        stage2_started_on=dates["stage2_started_on"], target_on=dates["target_on"],
        provider=provider)
    if details.enrolled_on is not None:  # the same rules enrol() applies, checked here first
        flagged = {p.column for p in problems}
        for column, message in service.detail_problems(version, details):
            if column not in flagged:
                add(column, message)
    if problems:
        plan.problems.extend(problems)
        return
    details.target_on = details.target_on or service.default_target(version, details.stage2_started_on)
    plan.rows.append(PlannedRow(number, details, team["primary_supervisor_email"],
                                team["backup_supervisor_email"]))


def _capacity_warnings(session: Session, plan: Plan, today: dt.date) -> None:
    """Warn (rule D6) for each supervisor the file would take beyond 4 candidates per FTE."""
    added = Counter(r.primary.id for r in plan.rows if r.primary is not None)
    names = {r.primary.id: r.primary.full_name for r in plan.rows if r.primary is not None}
    for supervisor_id, load in assignments.loads(session, added, today).items():
        after = assignments.Load(supervisor_id, load.candidates + added[supervisor_id], load.fte)
        if after.over:
            plan.warnings.append(f"{names[supervisor_id]} would carry {after.describe()}: more "
                                 f"than {assignments.CANDIDATES_PER_FTE} candidates per FTE")


class ImportRefused(ValueError):
    """The file has problems; nothing was imported."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(f"{len(plan.problems)} problem(s); nothing was imported")
        self.plan = plan


def run_import(session: Session, cohort: Cohort, version: FrameworkVersion, text: str,
               actor: Optional[User], today: dt.date, *, invitation_lifetime: dt.timedelta,
               link_for: onboarding.LinkFor) -> list[Enrolment]:
    """Check the file again, then enrol every row or none: invitations go out on commit.

    Capacity warnings were shown in the dry run; importing confirms them, and each overload
    is written to the audit log by the assignment.
    """
    plan = dry_run(session, cohort, version, text, today)
    if not plan.ok:
        raise ImportRefused(plan)
    enrolments = []
    for planned in plan.rows:
        column = ""
        try:
            enrolment = service.enrol(session, cohort, version, planned.details, actor,
                                      invitation_lifetime=invitation_lifetime, link_for=link_for)
            starts = max(today, planned.details.enrolled_on)
            for kind, supervisor in (("primary", planned.primary), ("backup", planned.backup)):
                if supervisor is not None:
                    column = f"{kind}_supervisor_email"
                    assignments.assign(session, enrolment, supervisor, kind, starts, actor,
                                       confirm_over_capacity=True)
        except (service.CohortError, assignments.AssignmentError) as error:
            # The dry run checks every rule these apply; should one still differ, the row is
            # named and the caller rolls back everything, as for any refused file.
            if isinstance(error, service.CohortError):
                column = error.field
            refused = Plan(problems=[Problem(planned.row, column, str(error))])
            raise ImportRefused(refused) from error
        enrolments.append(enrolment)
    return enrolments
