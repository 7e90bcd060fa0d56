"""Random sequences of submit, edit, return, sign and reassign by random actors.

Whatever happens: signed content never changes, only a current supervisor ever signs, and
`roadmap audit verify` holds.
"""
from __future__ import annotations

import datetime as dt
import itertools

import sqlalchemy as sa
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, rule,
                                 run_state_machine_as_test)

from roadmap.accounts.models import Role
from roadmap.clock import start_of_day
from roadmap.accounts.service import create_user
from roadmap.backup.verify import verify
from roadmap.cohorts.models import Enrolment
from roadmap.portfolio import service as portfolio
from roadmap.portfolio.content import content_hash
from roadmap.portfolio.models import EvidenceVersion
from roadmap.supervision import review
from roadmap.readers.team import current_team
from roadmap.supervision.errors import SupervisionError
from roadmap.supervision.models import Signature, SupervisorAssignment
from tests.fixtures.msk import TODAY, assessor_answers

ACTORS = ("candidate", "primary", "backup", "stranger")
counter = itertools.count()
seen: dict[str, int] = {"signed": 0, "refused": 0, "edited_after_signing": 0}


def test_signed_content_never_changes(session, team, make_item):
    class Portfolio(RuleBasedStateMachine):
        """One candidate's items, pushed around by four people."""

        def __init__(self) -> None:
            super().__init__()
            n = next(counter)
            self.people = {"candidate": team.candidate}
            for name in ("primary", "backup", "stranger"):
                self.people[name] = create_user(session, f"{name}{n}@example.nhs.uk",
                                                f"{name.title()} {n}", [Role.SUPERVISOR], None, "fast")
            self.enrolment = Enrolment(candidate_id=team.candidate.id,
                                       cohort_id=team.enrolment.cohort_id,
                                       framework_version_id=team.version.id,
                                       enrolled_on=dt.date(2026, 1, 1))
            session.add(self.enrolment)
            session.flush()
            for kind in ("primary", "backup"):
                session.add(SupervisorAssignment(enrolment_id=self.enrolment.id, kind=kind,
                                                 supervisor_id=self.people[kind].id,
                                                 starts_on=dt.date(2026, 1, 1)))
            session.commit()
            self.items: list = []
            self.frozen: dict[int, tuple[str, dict]] = {}  # version id -> (hash, content)

        @initialize()
        def first_item_signed_then_edited(self) -> None:
            """Every run starts with the path that matters most: signed, then edited."""
            self.create()
            item = self.items[0]
            portfolio.submit(session, item, team.candidate, self.people["primary"].id,
                             item.lock_version, TODAY, pid_confirmed=True, link="http://x")
            signature = review.sign_evidence(session, item.id, self.people["primary"],
                                             assessor_answers(make_item, "cbd"), item.lock_version,
                                             TODAY)
            session.commit()
            version = session.get(EvidenceVersion, signature.subject_id)
            self.frozen[version.id] = (version.content_hash, dict(version.content))
            session.refresh(item)
            portfolio.update_evidence(session, item, team.candidate, item.lock_version,
                                      "Edited after signing", item.occurred_on, item.fields,
                                      portfolio.current_links(session, item))
            session.commit()
            seen["edited_after_signing"] += 1
            seen["signed"] += 1

        @rule()
        def create(self) -> None:
            item = make_item("cbd", status="draft")
            item.enrolment_id = self.enrolment.id
            session.commit()
            self.items.append(item)

        @rule(data=st.data(), text=st.text(min_size=1, max_size=40))
        def edit(self, data, text) -> None:
            if not self.items:
                return
            item = data.draw(st.sampled_from(self.items))
            session.refresh(item)
            seen["edited_after_signing"] += item.status == "signed"
            links = portfolio.current_links(session, item)
            answers = {**item.fields, "case_summary": text}
            portfolio.update_evidence(session, item, team.candidate, item.lock_version, item.title,
                                      item.occurred_on, answers, links)
            session.commit()

        @rule(data=st.data(), to=st.sampled_from(("primary", "backup")))
        def submit(self, data, to) -> None:
            if not self.items:
                return
            item = data.draw(st.sampled_from(self.items))
            session.refresh(item)
            if item.status not in portfolio.SUBMITTABLE:
                return
            try:
                portfolio.submit(session, item, team.candidate, self.people[to].id,
                                 item.lock_version, TODAY, pid_confirmed=True, link="http://x")
                session.commit()
            except portfolio.PortfolioError:
                session.rollback()

        @rule(data=st.data(), who=st.sampled_from(ACTORS))
        def give_back(self, data, who) -> None:
            self._act(data, who, lambda item, actor: review.return_evidence(
                session, item.id, actor, "Please add more.", item.lock_version, TODAY))

        @rule(data=st.data(), who=st.sampled_from(ACTORS))
        def sign(self, data, who) -> None:
            allowed = current_team(session, self.enrolment.id, TODAY).kind_of(self.people[who].id)
            signed = self._act(data, who, lambda item, actor: review.sign_evidence(
                session, item.id, actor, assessor_answers(make_item, "cbd"), item.lock_version, TODAY))
            if signed is None:
                seen["refused"] += 1
            else:
                seen["signed"] += 1
                assert allowed is not None, f"{who} signed without being a current supervisor"
                version = session.get(EvidenceVersion, signed.subject_id)
                self.frozen[version.id] = (version.content_hash, dict(version.content))

        @rule()
        def reassign(self) -> None:
            """The backup leaves; the stranger becomes the backup; the old backup is a stranger."""
            old = session.scalar(sa.select(SupervisorAssignment).where(
                SupervisorAssignment.enrolment_id == self.enrolment.id,
                SupervisorAssignment.kind == "backup", SupervisorAssignment.ended_at.is_(None)))
            old.starts_on, old.ended_at = dt.date(2026, 1, 1), start_of_day(TODAY)
            session.add(SupervisorAssignment(enrolment_id=self.enrolment.id, kind="backup",
                                             supervisor_id=self.people["stranger"].id,
                                             starts_on=TODAY))
            session.commit()
            self.people["backup"], self.people["stranger"] = self.people["stranger"], self.people["backup"]

        def _act(self, data, who, action):
            if not self.items:
                return None
            item = data.draw(st.sampled_from(self.items))
            session.refresh(item)
            try:
                result = action(item, self.people[who])
                session.commit()
                return result
            except SupervisionError:
                session.rollback()
                return None

        @invariant()
        def signed_content_is_frozen(self) -> None:
            for version_id, (digest, content) in self.frozen.items():
                version = session.get(EvidenceVersion, version_id)
                session.refresh(version)
                assert version.content == content and version.content_hash == digest
                assert content_hash(version.content) == digest

        @invariant()
        def every_signer_was_a_supervisor(self) -> None:
            capacities = set(session.scalars(sa.select(Signature.capacity)))
            assert capacities <= {"primary_supervisor", "backup_supervisor"}

        def teardown(self) -> None:
            report = verify(session)
            assert report.problem is None, report.problem

    run_state_machine_as_test(Portfolio, settings=settings(
        max_examples=30, stateful_step_count=15, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
    # The run must have exercised the interesting paths, or it proved nothing.
    assert seen["signed"] > 0 and seen["refused"] > 0 and seen["edited_after_signing"] > 0, seen
