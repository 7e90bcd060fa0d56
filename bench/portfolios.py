"""Each candidate's portfolio: evidence at every status, signed versions, ratings, sign-offs.

Signed content and its hash come from the application's own functions (rule D8), so
`roadmap audit verify` holds on the seeded data exactly as on data typed into the pages.
"""
from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from typing import Any, Optional

from bench.answers import answers
from bench.signoffs import ratings, signoffs
from bench.world import Candidate, Ids, World, at
from roadmap.portfolio.content import content_hash, evidence_content

TOPICS = ("low back pain", "shoulder pain", "knee pain", "neck pain", "hip pain", "foot and ankle",
          "hand and wrist", "widespread pain", "suspected cauda equina", "tendinopathy",
          "post-operative review", "inflammatory arthritis screen", "osteoporosis risk")
STAGE1_TYPES = ("elearning_certificate",) * 4 + ("reflection", "learning_log", "tutorial_record", "pdp")
WPBA_TYPES = ("cot", "cbd", "mini_cex", "ceps_dops")
# WPBAs per candidate per month of Stage 2. The framework asks for at least 2 a month, but at
# that pace the 100% seed held only 85,621 WPBAs dated in the last year, since about half of
# the candidates have finished; the national figure is about 240,000 a year, so the pace is
# calibrated to it (2.8 times the minimum: busy candidates log many short WPBAs).
WPBAS_PER_MONTH = 5.6
OTHER_TYPES = ("reflection", "learning_log", "tutorial_record", "case_mix", "learning_log", "csr",
               "audit_qip")
RETURN_COMMENTS = ("Please add what you would do differently next time.",
                   "Link this to the capability headings it shows, and expand the plan.",
                   "The summary needs the safety-netting advice you gave.")


class Framework:
    """The seeded framework version as plain data: types, capabilities, scales, stages."""

    def __init__(self, types: dict[str, Any], capabilities: dict[str, int],
                 scales: dict[str, list[str]], stages: dict[str, dict[str, Any]],
                 content_hash: str) -> None:
        self.types, self.capabilities, self.scales = types, capabilities, scales
        self.stages, self.content_hash = stages, content_hash


def _status(age_days: int, rng: random.Random, settled: bool) -> str:
    """Where an item is now: old items are mostly signed, recent ones still moving."""
    roll = rng.random()
    if settled or age_days > 45:
        table = ((0.03, "draft"), (0.05, "submitted"), (0.08, "returned"),
                 (0.13, "changed_since_signed"))
    else:
        table = ((0.22, "draft"), (0.50, "submitted"), (0.57, "returned"),
                 (0.60, "changed_since_signed"))
    return next((name for limit, name in table if roll < limit), "signed")


def _links(kind: Any, fw: Framework, rng: random.Random) -> list[str]:
    """Capability codes an item is linked to, within its type's limits."""
    definition = kind.definition
    most = definition.get("max_capabilities") or 3
    least = definition.get("min_capabilities") or 0
    pool = list(definition.get("suggested_capabilities") or []) or list(fw.capabilities)
    k = max(least, min(most, rng.choice((1, 1, 2, 2, 3))))
    return rng.sample(pool, k=min(k, len(pool))) if k else []


def _item(world: World, ids: Ids, fw: Framework, cand: Candidate, type_code: str,
          occurred: dt.date, today: dt.date, now: dt.datetime, rng: random.Random,
          settled: bool) -> Optional[tuple[int, int, str]]:
    """One evidence item and its history; returns (evidence, version, hash) when signed."""
    kind = fw.types.get(type_code)
    if kind is None:
        return None
    created = min(now, at(occurred + dt.timedelta(days=rng.randint(0, 4)), rng))
    status = _status((now - created).days, rng, settled)
    templates = kind.definition.get("templates") or []
    template = rng.choice(templates)["code"] if templates else None
    fields = answers(kind.definition, template, ["candidate"], fw.scales, rng, today)
    title = f"{kind.definition.get('short_name') or kind.name}: {rng.choice(TOPICS)}"
    evidence_id, enrolment, me = ids("evidence"), cand.enrolment_id, cand.person.id
    links = _links(kind, fw, rng)
    ev = lambda when, action, actor, data: world.event(  # noqa: E731
        when, action, actor, "evidence", evidence_id, enrolment, data)
    ev(created, "evidence.created", me, {"type": type_code, "template": template})
    for code in links:
        world.add("evidence_capabilities", evidence_id=evidence_id, capability_id=fw.capabilities[code],
                  outcome_id=None, linked_by_id=me, linked_at=created)
    row = dict(id=evidence_id, enrolment_id=enrolment, evidence_type_id=kind.id, title=title,
               occurred_on=occurred, template_code=template, fields=fields, status=status,
               created_by_id=me, submitted_to_id=None, submitted_at=None, created_at=created,
               updated_at=created, lock_version=1)
    signed = None
    if status != "draft":
        supervisor = cand.backup if cand.backup is not None and rng.random() < 0.2 else cand.primary
        capacity = "primary" if supervisor is cand.primary else "backup"
        when = min(now, created + dt.timedelta(hours=rng.randint(1, 72)))
        row.update(submitted_to_id=supervisor.id, submitted_at=when, lock_version=2, updated_at=when)
        ev(when, "evidence.submitted", me, {"supervisor_id": supervisor.id, "capacity": capacity,
                                             "type": type_code})
        returned = status == "returned" or (status != "submitted" and rng.random() < 0.1)
        if returned:
            back = min(now, when + dt.timedelta(days=rng.randint(1, 10)))
            comment = rng.choice(RETURN_COMMENTS)
            world.add("evidence_comments", id=ids("evidence_comments"), evidence_id=evidence_id,
                      author_id=supervisor.id, kind="return", body=comment, created_at=back)
            ev(back, "evidence.returned", supervisor.id, {"comment": comment})
            row.update(lock_version=row["lock_version"] + 1, updated_at=back)
            if status != "returned":
                again = min(now, back + dt.timedelta(days=rng.randint(1, 5)))
                row.update(lock_version=row["lock_version"] + 2, updated_at=again, submitted_at=again)
                ev(again, "evidence.updated", me, {"status": "returned", "links_changed": False,
                                                    "lock_version": row["lock_version"] - 1})
                ev(again, "evidence.submitted", me, {"supervisor_id": supervisor.id,
                                                      "capacity": capacity, "type": type_code})
        if status in ("signed", "changed_since_signed"):
            signed = _sign(world, ids, fw, kind, row, links, supervisor, capacity, template, now, rng)
        if status == "changed_since_signed":
            edited = min(now, row["updated_at"] + dt.timedelta(days=rng.randint(1, 20)))
            mine = answers(kind.definition, template, ["candidate"], fw.scales, rng, edited.date())
            row.update(fields={**row["fields"], **mine}, status=status, updated_at=edited,
                       lock_version=row["lock_version"] + 1)
            ev(edited, "evidence.updated", me, {"status": status, "links_changed": False,
                                                 "lock_version": row["lock_version"]})
    world.add("evidence", **row)
    return signed


def _sign(world: World, ids: Ids, fw: Framework, kind: Any, row: dict[str, Any], links: list[str],
          supervisor: Any, capacity: str, template: Optional[str], now: dt.datetime,
          rng: random.Random) -> tuple[int, int, str]:
    """The assessor's answers, the frozen version, its signature; later edits if changed."""
    when = min(now, row["updated_at"] + dt.timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8)))
    row["fields"] = {**row["fields"], **answers(kind.definition, template, ["assessor"], fw.scales,
                                                rng, when.date())}
    content = evidence_content(SimpleNamespace(**row), kind.code, links)
    digest, version_id, signature_id = content_hash(content), ids("evidence_versions"), ids("signatures")
    world.add("evidence_versions", id=version_id, evidence_id=row["id"], number=1, content=content,
              content_hash=digest, created_at=when)
    signer_capacity = f"{capacity}_supervisor"
    world.add("signatures", id=signature_id, subject_type="evidence_version", subject_id=version_id,
              signer_id=supervisor.id, signer_name=supervisor.name, capacity=signer_capacity,
              acting_reason=None, content_hash=digest, signed_at=when)
    world.event(when, "evidence.signed", supervisor.id, "evidence", row["id"], row["enrolment_id"],
                {"signature_id": signature_id, "version": 1, "capacity": signer_capacity,
                 "content_hash": digest, "signer_id": supervisor.id})
    row.update(status="signed", lock_version=row["lock_version"] + 1, updated_at=when)
    return row["id"], version_id, digest


def portfolio(world: World, ids: Ids, fw: Framework, cand: Candidate, today: dt.date,
              now: dt.datetime, rng: random.Random) -> None:
    """Every item of one candidate: Stage 1 work, then WPBAs at WPBAS_PER_MONTH and more."""
    end = min(cand.stage2_on or today, cand.quiet_from or today, today)
    stage1_end = cand.stage1_on or end
    plan = [(code, _day(cand.enrolled_on, stage1_end, rng)) for code in STAGE1_TYPES
            if rng.random() < 0.85]
    if cand.stage1_on is not None:
        months = max(0.0, (end - cand.stage1_on).days / 30.4)
        plan += [(rng.choice(WPBA_TYPES), _day(cand.stage1_on, end, rng))
                 for _ in range(round(months * WPBAS_PER_MONTH * rng.uniform(0.8, 1.5)))]
        plan += [(rng.choice(OTHER_TYPES), _day(cand.stage1_on, end, rng))
                 for _ in range(round(months * 1.2 * rng.uniform(0.5, 1.3)))]
    settled = cand.status != "active"
    signed: list[tuple[int, int, str, dt.date]] = []
    for code, day in sorted(plan, key=lambda p: p[1]):
        done = _item(world, ids, fw, cand, code, day, today, now, rng, settled)
        if done is not None:
            signed.append((*done, day))
    ratings(world, ids, fw, cand, today, now, rng)
    signoffs(world, ids, fw, cand, signed, now, rng)


def _day(start: dt.date, end: dt.date, rng: random.Random) -> dt.date:
    """A day between two days (the start when they meet)."""
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


