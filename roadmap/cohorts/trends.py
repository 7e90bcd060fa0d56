"""Hub trends and outcomes: sign-offs, time to sign-off, WPBA cadence, case mix (seed 004).

Each figure is one grouped query over the hub; only codes, dates and counts are read, never an
item's text. Case-mix entries are evidence of type "case_mix" whose fields hold the body region
and outcome codes; their labels come from the framework's form definition.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roadmap.cohorts.dashboard import CandidateRow
from roadmap.cohorts.models import Enrolment
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType
from roadmap.portfolio.models import Evidence
from roadmap.portfolio.progress import COUNTED_STATUSES

CASE_MIX = "case_mix"
MONTHS = 12


def month_starts(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The first day of each of the last `months` months, oldest first, this month last."""
    firsts, year, month = [], today.year, today.month
    for _ in range(months):
        firsts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return firsts[::-1]


def month_label(day: dt.date) -> str:
    """A month with its year, spelt out as screen readers read it best, e.g. March 2026."""
    return f"{day:%B %Y}"


@dataclass
class Trends:
    """Everything the hub's charts show."""

    months: list[dt.date]
    signoffs: list[int]
    monthly_target: Optional[float]
    annual_target: Optional[int]
    signed_off_last_year: int
    weeks_to_signoff: list[int]
    wpbas: list[int]
    wpbas_expected: list[int]
    case_mix_entries: int = 0
    regions: list[tuple[str, int]] = field(default_factory=list)
    outcomes: list[tuple[str, int]] = field(default_factory=list)


def _month_index(months: list[dt.date], day: Optional[dt.date]) -> Optional[int]:
    if day is None or day < months[0]:
        return None
    key = dt.date(day.year, day.month, 1)
    return months.index(key) if key in months else None


def _options(session: Session, scope: Any) -> dict[str, dict[str, str]]:
    """Labels of the case-mix form's options (field code -> option code -> label)."""
    forms = session.scalars(
        sa.select(EvidenceType.definition).where(
            EvidenceType.code == CASE_MIX,
            EvidenceType.framework_version_id.in_(
                sa.select(Enrolment.framework_version_id).where(Enrolment.id.in_(scope))))).all()
    labels: dict[str, dict[str, str]] = {}
    for definition in forms:
        for spec in definitions.fields(definition or {}, None):
            for code, label in definitions.choices(spec, {}):
                labels.setdefault(spec["code"], {}).setdefault(code, label)
    return labels


def _case_mix(session: Session, scope: Any) -> tuple[int, Counter, Counter]:
    """Entries, body regions and outcomes of the case-mix log: codes only, grouped in SQL."""
    region = Evidence.fields["body_region"].as_string()
    outcomes = Evidence.fields["outcomes"].as_string()
    rows = session.execute(
        sa.select(region, outcomes, sa.func.count())
        .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
        .where(Evidence.enrolment_id.in_(scope), EvidenceType.code == CASE_MIX,
               Evidence.status != "draft")
        .group_by(region, outcomes)).all()
    entries, regions, results = 0, Counter(), Counter()
    for region_code, outcome_text, count in rows:
        entries += count
        regions[region_code or "not_recorded"] += count
        try:
            codes = json.loads(outcome_text) if outcome_text else []
        except ValueError:
            codes = []
        for code in set(codes if isinstance(codes, list) else []):
            results[str(code)] += count
    return entries, regions, results


def hub_trends(session: Session, scope: Any, rows: list[CandidateRow],
               annual_target: Optional[int], today: dt.date) -> Trends:
    """Charts' data for the enrolments in scope; `rows` are their dashboard rows."""
    months = month_starts(today)
    signoffs = [0] * len(months)
    weeks = []
    for row in rows:
        index = _month_index(months, row.signed_off_on)
        if index is not None:
            signoffs[index] += 1
        if row.signed_off_on is not None:
            weeks.append(max(0, (row.signed_off_on - row.enrolled_on).days) // 7)
    wpbas = [0] * len(months)
    for day, count in session.execute(
            sa.select(Evidence.occurred_on, sa.func.count())
            .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
            .where(Evidence.enrolment_id.in_(scope), EvidenceType.is_wpba,
                   Evidence.status.in_(COUNTED_STATUSES), Evidence.occurred_on >= months[0],
                   Evidence.occurred_on <= today)
            .group_by(Evidence.occurred_on)):
        index = _month_index(months, day)
        if index is not None:
            wpbas[index] += count
    expected = []
    for first in months:
        in_stage2 = sum(1 for r in rows if r.stage2_started_on is not None
                        and r.stage2_started_on <= first
                        and (r.signed_off_on is None or r.signed_off_on >= first)
                        and r.enrolment_status != "withdrawn")
        expected.append(in_stage2 * (rows[0].wpba_expected if rows else 2))
    entries, regions, results = _case_mix(session, scope)
    labels = _options(session, scope)
    region_labels, outcome_labels = labels.get("body_region", {}), labels.get("outcomes", {})
    year_ago = today - dt.timedelta(days=365)
    return Trends(
        months=months, signoffs=signoffs,
        monthly_target=(annual_target / 12) if annual_target else None,
        annual_target=annual_target,
        signed_off_last_year=sum(1 for r in rows if r.signed_off_on and r.signed_off_on > year_ago),
        weeks_to_signoff=sorted(weeks), wpbas=wpbas, wpbas_expected=expected,
        case_mix_entries=entries,
        regions=[(region_labels.get(code, code.replace("_", " ").capitalize()), n)
                 for code, n in regions.most_common()],
        outcomes=[(outcome_labels.get(code, code.replace("_", " ").capitalize()), n)
                  for code, n in results.most_common()])
