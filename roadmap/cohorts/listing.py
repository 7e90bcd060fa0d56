"""Sorting, filtering and the columns of the dashboard, shared by the page and its CSV export.

The CSV holds exactly what the page shows, in the same order: both take their cells from
COLUMNS and their rows from `apply`, driven by the same query string.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from roadmap.clock import day_count
from roadmap.cohorts.dashboard import CandidateRow

RAG_ORDER = {"red": 0, "amber": 1, "green": 2}
RAG_LABEL = {"red": "Red", "amber": "Amber", "green": "Green"}
STAGE_ORDER = {"Stage 1": 0, "Stage 2": 1, "Signed off": 2, "Withdrawn": 3}
# Sign-off states, those the hub most needs to see first (see roadmap.supervision.waiting).
SIGNOFF_ORDER = {"referred": 0, "provider": 1, "second_review": 2, "supervisor": 3,
                 "candidate": 4, "signed_off": 5}


def _target_text(row: CandidateRow) -> str:
    days = row.days_to_target
    if days is None:
        return "Not set"
    return f"{-days} overdue" if days < 0 else str(days)


def _waiting_text(row: CandidateRow) -> str:
    if not row.waiting:
        return "0"
    return f"{row.waiting} (oldest: {day_count(row.days_waiting or 0)})"


def _provider_days(row: CandidateRow) -> int:
    """Days the education provider has had the stage; -1 when it does not wait for one."""
    days = row.signoff.days if row.signoff is not None else None
    return -1 if days is None else days


@dataclass(frozen=True)
class Column:
    """One dashboard column: its sort key, header and how a row's cell reads."""

    key: str
    header: str
    text: Callable[[CandidateRow], str]
    sort: Callable[[CandidateRow], Any]
    numeric: bool = False


COLUMNS = (
    Column("name", "Candidate", lambda r: r.name, lambda r: r.name.lower()),
    Column("employer", "Employer", lambda r: r.employer or "", lambda r: (r.employer or "").lower()),
    Column("stage", "Stage", lambda r: r.stage, lambda r: STAGE_ORDER.get(r.stage, 9)),
    Column("evidenced", "Headings with 3 or more items",
           lambda r: f"{r.headings_evidenced} of {r.headings_total}",
           lambda r: r.headings_evidenced, True),
    Column("rated", "Headings rated capable or excellent",
           lambda r: f"{r.headings_rated} of {r.headings_total}", lambda r: r.headings_rated, True),
    Column("wpba", "WPBAs in the last 30 days", lambda r: f"{r.wpba_recent} of {r.wpba_expected}",
           lambda r: r.wpba_recent, True),
    Column("inactive", "Days since last activity", lambda r: str(r.days_inactive),
           lambda r: r.days_inactive, True),
    Column("target", "Days to target date", _target_text,
           lambda r: (r.days_to_target is None, r.days_to_target or 0), True),
    Column("waiting", "Items waiting on a supervisor", _waiting_text,
           lambda r: (r.waiting, r.days_waiting or 0), True),
    Column("primary", "Primary supervisor",
           lambda r: r.primary or ("No primary" if r.is_open else "None"),
           lambda r: (r.primary or "").lower()),
    Column("backup", "Backup supervisor",
           lambda r: r.backup or ("No backup" if r.is_open else "None"),
           lambda r: (r.backup or "").lower()),
    Column("status", "Status", lambda r: RAG_LABEL[r.rag],
           lambda r: (RAG_ORDER[r.rag], -len(r.reasons))),
    Column("reason", "Reason", lambda r: r.reason, lambda r: r.reason.lower()),
    Column("signoff", "Sign-off", lambda r: r.signoff.words if r.signoff else "",
           lambda r: (SIGNOFF_ORDER.get(r.signoff.state if r.signoff else "", 9),
                      -_provider_days(r))),
    Column("provider", "Days waiting for the education provider",
           lambda r: "" if _provider_days(r) < 0 else str(_provider_days(r)), _provider_days, True),
)
BY_KEY = {c.key: c for c in COLUMNS}

RISKS = {
    "no_backup": ("No backup supervisor", lambda r: r.is_open and r.backup is None),
    "target": ("Past or near the target date",
               lambda r: r.is_open and r.days_to_target is not None and r.days_to_target <= 28),
    "inactive": ("Inactive for 30 days or more", lambda r: r.is_open and r.days_inactive >= 30),
    "waiting": ("Items waiting over 14 days",
                lambda r: r.is_open and (r.days_waiting or 0) > 14),
    "provider": ("Waiting for the education provider",
                 lambda r: r.signoff is not None and r.signoff.waits_for_provider),
}


@dataclass(frozen=True)
class View:
    """The sort and filters from the query string, cleaned: unknown values are ignored."""

    sort: str = "status"
    descending: bool = False
    status: str = ""
    stage: str = ""
    risk: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "View":
        """Read `sort`, `order`, `status`, `stage`, `risk` and `q`."""
        sort = args.get("sort", "status")
        return cls(sort=sort if sort in BY_KEY else "status",
                   descending=args.get("order") == "desc",
                   status=args.get("status", "") if args.get("status") in RAG_ORDER else "",
                   stage=args.get("stage", "") if args.get("stage") in STAGE_ORDER else "",
                   risk=args.get("risk", "") if args.get("risk") in RISKS else "",
                   q=(args.get("q") or "").strip()[:100])

    def args(self, **changes: Any) -> dict[str, str]:
        """The query string of this view with some values changed; defaults left out."""
        values = {"sort": self.sort, "order": "desc" if self.descending else "asc",
                  "status": self.status, "stage": self.stage, "risk": self.risk, "q": self.q}
        values.update(changes)
        return {k: v for k, v in values.items() if v and not (k == "order" and v == "asc")
                and not (k == "sort" and v == "status")}

    def sort_args(self, key: str) -> dict[str, str]:
        """The query string that sorts by a column, reversing it when it is already the sort."""
        order = "desc" if key == self.sort and not self.descending else "asc"
        return self.args(sort=key, order=order)

    @property
    def filtered(self) -> bool:
        """True when a filter hides some rows."""
        return bool(self.status or self.stage or self.risk or self.q)


def apply(rows: list[CandidateRow], view: View) -> list[CandidateRow]:
    """The rows the view shows, in its order (ties by name)."""
    needle = view.q.lower()
    kept = [r for r in rows
            if (not view.status or r.rag == view.status)
            and (not view.stage or r.stage == view.stage)
            and (not view.risk or RISKS[view.risk][1](r))
            and (not needle or needle in r.name.lower())]
    kept.sort(key=lambda r: r.name.lower())
    kept.sort(key=BY_KEY[view.sort].sort, reverse=view.descending)
    return kept


TAG_COLOUR = {"red": "red", "amber": "orange", "green": "green"}


def cells(rows: list[CandidateRow]) -> list[tuple[CandidateRow, list[str]]]:
    """Each row with the text of its cells, in COLUMNS order: what the page and the CSV show."""
    return [(row, [column.text(row) for column in COLUMNS]) for row in rows]


def risk_counts(rows: list[CandidateRow]) -> list[tuple[str, str, int]]:
    """(key, words, how many candidates) for each risk."""
    return [(key, words, sum(1 for r in rows if test(r))) for key, (words, test) in RISKS.items()]


def safe_cell(text: str) -> str:
    """Stop spreadsheets running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(rows: list[CandidateRow]) -> str:
    """The shown rows as CSV, with the shown headers and cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for _row, texts in cells(rows):
        writer.writerow([safe_cell(text) for text in texts])
    return out.getvalue()
