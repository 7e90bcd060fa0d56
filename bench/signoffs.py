"""Capability ratings (self and supervisor) and completed stage sign-offs with both signatures.

The signed record has the same parts as roadmap/supervision/signoff.py writes: the candidate's
signed part, every heading's ratings, each signed evidence version's hash, the framework hash
and the supervisor's declarations; both signatures are bound to its hash.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Optional

from bench.world import Candidate, Ids, World, at
from roadmap.portfolio.content import content_hash
from roadmap.supervision.approvals import verification_code

SUPPORTIVE = ("capable", "capable", "excellent")
ALL_LEVELS = ("insufficient_evidence", "needs_further_development", "capable", "excellent")


def ratings(world: World, ids: Ids, fw: Any, cand: Candidate, today: dt.date, now: dt.datetime,
            rng: random.Random) -> None:
    """Self-ratings, then supervisor ratings, on more headings the longer Stage 2 has run."""
    if cand.stage1_on is None:
        return
    end = cand.stage2_on or today
    progress = 1.0 if cand.stage2_on else min(1.0, (end - cand.stage1_on).days / 200)
    for code, capability_id in fw.capabilities.items():
        for kind, actor in (("self", cand.person), ("supervisor", cand.primary)):
            if not cand.stage2_on and rng.random() > progress * (1.0 if kind == "self" else 0.7):
                continue
            rating = rng.choice(SUPPORTIVE if cand.stage2_on or progress > 0.8 else ALL_LEVELS)
            when = min(now, at(cand.stage1_on + dt.timedelta(
                days=rng.randint(1, max(1, (end - cand.stage1_on).days - 2))), rng))
            rating_id = ids("capability_ratings")
            world.add("capability_ratings", id=rating_id, enrolment_id=cand.enrolment_id,
                      capability_id=capability_id, rater_kind=kind, rating=rating,
                      justification="Seen consistently in WPBAs and the case-mix log." if kind == "supervisor" else None,
                      rated_by_id=actor.id, rated_at=when)
            data = ({"capability": code, "rating": rating, "linked_evidence": []} if kind == "self"
                    else {"capability": code, "rating": rating, "by": "supervisor"})
            world.event(when, "capability.self_rated" if kind == "self" else "capability.rated",
                        actor.id, "capability_rating", rating_id, cand.enrolment_id, data)
            cand.ratings.setdefault(code, {})[kind] = rating


def signoffs(world: World, ids: Ids, fw: Any, cand: Candidate,
             signed: list[tuple[int, int, str, dt.date]], now: dt.datetime,
             rng: random.Random) -> None:
    """Stage 1 signed off for every verified candidate, Stage 2 for every completed one."""
    for stage, day in (("stage1", cand.stage1_on), ("stage2", cand.stage2_on)):
        if day is not None:
            _signoff(world, ids, fw, cand, stage, day, [s for s in signed if s[3] <= day], now, rng)


def _declarations(fw: Any, stage: str, party: str) -> list[str]:
    found = fw.stages[stage].get("sign_off", {}).get("declarations", [])
    return [d["text"].strip() for d in found if d["signed_by"] == party]


def _signoff(world: World, ids: Ids, fw: Any, cand: Candidate, stage: str, day: dt.date,
             signed: list[tuple[int, int, str, dt.date]], now: dt.datetime,
             rng: random.Random) -> None:
    record_id, enrolment = ids("stage_signoffs"), cand.enrolment_id
    candidate_at = min(now, at(day - dt.timedelta(days=rng.randint(1, 5)), rng))
    completed_at = min(now, at(day, rng))
    if completed_at <= candidate_at:
        completed_at = candidate_at + dt.timedelta(minutes=30)
    checklist = [{"code": "requirements", "met": True, "detail": "Every requirement of the stage is met"}]
    part = {"enrolment_id": enrolment, "stage": stage,
            "candidate": {"id": cand.person.id, "name": cand.person.name},
            "declarations": _declarations(fw, stage, "candidate"), "checklist": checklist,
            "signed_at": candidate_at.isoformat()}
    content = {"candidate": part,
               "ratings": cand.ratings if stage == "stage2" else {},
               "framework": fw.content_hash,
               "evidence": [[e, 1, h] for e, _v, h, _d in sorted(signed)],
               "supervisor": {"id": cand.primary.id, "name": cand.primary.name,
                              "capacity": "primary_supervisor", "acting_reason": None},
               "supervisor_declarations": _declarations(fw, stage, "supervisor"),
               "checklist": checklist, "completed_at": completed_at.isoformat()}
    part_hash, full_hash = content_hash(part), content_hash(content)
    code: Optional[str] = verification_code()
    world.add("stage_signoffs", id=record_id, enrolment_id=enrolment, stage_code=stage,
              status="complete", declarations=None, signed_content=content, content_hash=full_hash,
              candidate_signed_at=candidate_at, verification_code=code, completed_at=completed_at,
              lock_version=3)
    for who, capacity, digest, when, action in (
            (cand.person, "candidate", part_hash, candidate_at, "stage.candidate_signed"),
            (cand.primary, "primary_supervisor", full_hash, completed_at, "stage.signed_off")):
        signature_id = ids("signatures")
        world.add("signatures", id=signature_id, subject_type="stage_signoff", subject_id=record_id,
                  signer_id=who.id, signer_name=who.name, capacity=capacity, acting_reason=None,
                  content_hash=digest, signed_at=when)
        data = {"stage": stage, "signature_id": signature_id, "capacity": capacity, "content_hash": digest}
        if action == "stage.signed_off":
            data.update(acting_reason=None, verification_code=code)
        world.event(when, action, who.id, "stage_signoff", record_id, enrolment, data)
