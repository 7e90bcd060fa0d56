"""One demo candidate as the story's threads see them: plan, account, enrolment and team."""
from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from roadmap.accounts.models import User
from roadmap.cohorts.models import Enrolment
from roadmap.demo.people import Plan
from roadmap.demo.world import World
from roadmap.framework.models import Capability, EvidenceType
from roadmap.portfolio.service import Links


@dataclass
class Candidate:
    """A candidate, enrolled: who supervises them, and how their evidence covers the headings."""

    plan: Plan
    user: User
    enrolment: Enrolment
    primary: User
    backup: Optional[User]
    covered: Counter = field(default_factory=Counter)  # capability id -> items linked
    numbers: itertools.count = field(default_factory=lambda: itertools.count())

    def signer(self, index: int) -> User:
        """Who signs an item: the primary, and every fourth item the backup (rule D5)."""
        return self.backup if self.backup is not None and index % 4 == 3 else self.primary

    def links_for(self, w: World, etype: EvidenceType) -> Links:
        """Headings for a new item: those the type suggests, then the least evidenced so far.

        So a full portfolio reaches three items a heading (the guidance) with no heading left
        bare, as a candidate planning their evidence would.
        """
        most = etype.definition.get("max_capabilities") or 3
        by_code = {c.code: c for c in w.capabilities}
        chosen: list[Capability] = [by_code[code] for code in
                                    etype.definition.get("suggested_capabilities", [])
                                    if code in by_code][:most]
        for capability in sorted(w.capabilities, key=lambda c: (self.covered[c.id], c.position)):
            if len(chosen) >= most:
                break
            if capability not in chosen:
                chosen.append(capability)
        self.covered.update(c.id for c in chosen)
        return Links(tuple(sorted(c.id for c in chosen)), {})
