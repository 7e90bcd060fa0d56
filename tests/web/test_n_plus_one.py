"""No N+1 queries: lazy loading raises, and every list page costs the same for 2 rows or 20.

The first test makes sure no relationship can quietly load row by row; the second shows each
list page people use every day issues the same number of SQL statements whether it lists two
rows or twenty, so a loop that queries per row fails here instead of slowing production.
"""
from __future__ import annotations

import datetime as dt

import pyotp

from roadmap.audit import service as audit
from roadmap.cohorts.models import Cohort, Enrolment
from roadmap.db import Base, utcnow
from roadmap.feedback.links import digest, new_token
from roadmap.feedback.models import FeedbackRater, FeedbackResponse
from roadmap.supervision.models import SupervisorAssignment
from tests.feedback.helpers import MSF_ANSWER, open_round

EAGER = {"selectin", "joined", "subquery", "immediate"}


def test_every_relationship_raises_on_lazy_sql_or_loads_eagerly():
    import roadmap.models  # noqa: F401 - registers every mapper

    careless = [f"{mapper.class_.__name__}.{rel.key} (lazy={rel.lazy!r})"
                for mapper in Base.registry.mappers for rel in mapper.relationships
                if rel.lazy != "raise_on_sql" and rel.lazy not in EAGER]
    assert careless == [], "set lazy='raise_on_sql' and load with selectinload where needed"


class Growing:
    """The rows behind every list page, grown to a given count."""

    def __init__(self, session, team, make_item, make_user, client, login):
        self.session, self.team, self.make_item, self.make_user = session, team, make_item, make_user
        cohort = session.get(Cohort, team.enrolment.cohort_id)
        self.cohort_id, self.hub_id = cohort.id, cohort.hub_id
        secret = pyotp.random_base32()
        self.hub_lead = make_user("lead@example.nhs.uk", roles=("hub_lead",), hub_id=self.hub_id,
                                  totp_secret=secret)
        self.admin = make_user("admin@example.nhs.uk", roles=("admin",), totp_secret=secret)
        self.msf = make_item("msf", status="draft")
        login(client, team.candidate)
        open_round(client, self.msf.id)
        self.items = self.candidates = self.cohorts = self.raters = 0

    def grow(self, count: int) -> None:
        """Bring every list to `count` rows."""
        session, team = self.session, self.team
        while self.items < count:
            self.items += 1
            item = self.make_item("cbd", status="submitted")
            item.title = f"Case {self.items}"
            for action in ("evidence.created", "evidence.submitted"):
                audit.record(session, action, actor_id=team.candidate.id, subject_type="evidence",
                             subject_id=item.id, enrolment_id=team.enrolment.id)
        while self.candidates < count:
            self.candidates += 1
            person = self.make_user(f"extra{self.candidates}@example.nhs.uk",
                                    full_name=f"Extra Candidate {self.candidates}")
            enrolment = Enrolment(candidate_id=person.id, cohort_id=self.cohort_id,
                                  framework_version_id=team.version.id,
                                  enrolled_on=dt.date(2026, 1, 5), target_on=dt.date(2026, 9, 1))
            session.add(enrolment)
            session.flush()
            session.add(SupervisorAssignment(enrolment_id=enrolment.id, supervisor_id=team.primary.id,
                                             kind="primary", starts_on=dt.date(2026, 1, 5)))
        while self.cohorts < count:
            self.cohorts += 1
            session.add(Cohort(hub_id=self.hub_id, name=f"Extra cohort {self.cohorts}"))
        while self.raters < count:
            self.raters += 1
            group = "clinical" if self.raters % 2 else "non_clinical"
            session.add(FeedbackRater(
                evidence_id=self.msf.id, name=f"Rater {self.raters}",
                email=f"rater{self.raters}@example.nhs.uk", role="Practice nurse",
                rater_group=group, token_hash=digest(new_token()),
                expires_at=utcnow() + dt.timedelta(days=14), added_by_id=team.candidate.id,
                responded=True))
            session.add(FeedbackResponse(evidence_id=self.msf.id, respondent_group=group,
                                         answers={**MSF_ANSWER, "answer_respondent_group": group}))
        session.commit()


def _statements(client, count_queries, path: str) -> int:
    """SQL statements of one GET, after a first GET that warms any per-process cache."""
    assert client.get(path).status_code == 200, path
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


def test_list_pages_cost_the_same_for_2_rows_and_20(app, session, team, make_item, make_user,
                                                      login, count_queries):
    candidate = app.test_client()
    rows = Growing(session, team, make_item, make_user, candidate, login)
    supervisor, hub_lead, admin = app.test_client(), app.test_client(), app.test_client()
    login(supervisor, team.primary)
    login(hub_lead, rows.hub_lead)
    login(admin, rows.admin)
    # name: (who looks, path, what the 20th row shows, so the rows are really on the page)
    pages = {
        "candidate portfolio list": (candidate, "/portfolio/evidence", "Case 20"),
        "candidate portfolio home": (candidate, "/portfolio/", None),
        "feedback round": (candidate, f"/feedback/rounds/{rows.msf.id}", "Rater 20"),
        "timeline": (supervisor, f"/timeline/{team.enrolment.id}", "Case 20"),
        "supervisor inbox": (supervisor, "/supervision", "Extra Candidate 20"),
        "hub cohort dashboard": (hub_lead, f"/cohorts/{rows.cohort_id}", "Extra Candidate 20"),
        "cohort list": (hub_lead, f"/hubs/{rows.hub_id}", "Extra cohort 20"),
        "hub list": (admin, "/hubs/", None),
        "admin people list": (admin, "/people/", "Extra Candidate 20"),
        "supervisor home": (supervisor, "/home", "Extra Candidate 20"),
    }
    counts: dict[str, list[int]] = {name: [] for name in pages}
    for size in (2, 20):
        rows.grow(size)
        for name, (client, path, _) in pages.items():
            counts[name].append(_statements(client, count_queries, path))
    growing = {name: pair for name, pair in counts.items() if pair[0] != pair[1]}
    assert growing == {}, f"statements with 2 rows and with 20: {growing}"
    for name, (client, path, last_row) in pages.items():
        if last_row:
            assert last_row in client.get(path).get_data(as_text=True), name
