"""One candidate's journey in the story: enrolled, supervised, analysed, signed off, approved.

The hub lead enrols the candidate (naming their education provider) and assigns the primary,
backup and educational supervisors; the candidate sends a learning needs analysis that the
provider's reviewer confirms; Stage 1 is signed off; then the Stage 2 portfolio grows
(roadmap.demo.portfolio) until the declarations, the supervisor's sign-off and the education
provider's decision, as far as the candidate's plan goes.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from roadmap.accounts.models import User
from roadmap.cohorts import service as cohorts
from roadmap.demo import files, items, people, portfolio, rounds
from roadmap.demo.candidate import Candidate
from roadmap.demo.people import Plan
from roadmap.demo.story import Thread
from roadmap.demo.world import World, account
from roadmap.links import external_link
from roadmap.lna import confirming, service as lna
from roadmap.lna.models import ConfirmerCapacity
from roadmap.providers import decisions
from roadmap.supervision import approvals, signoff
from roadmap.supervision.assignments import assign
from roadmap.supervision.educational import assign_educational
from roadmap.supervision.models import StageSignOff

ACTING = ("The primary supervisor is on leave for three weeks. As agreed with the training "
          "hub, I sign off as the backup supervisor so the candidate is not held up.")
NO_PSQ = ("The practice's patient questionnaire starts next month; the MSF, the clinical "
          "supervisor's report and three COTs show communication with patients well.")
REFERRAL = ("Injection therapy is not yet evidenced in practice: the portfolio has no observed "
            "injection.")
REFERRAL_HEADINGS = {"9": "Add a CEPS/DOPS of an injection observed in clinic."}
STUDY = {
    (): "An MSc in advanced physiotherapy practice (level 7) that covered the Stage 1 "
        "knowledge; no personalised care e-learning yet.",
    "some": "A level 7 first contact practice module (30 credits) and some of the personalised "
            "care e-learning modules; certificates attached.",
    "all": "Stage 1 completed with another training hub: the verified portfolio and all four "
           "personalised care certificates are attached.",
}


def _lead(w: World, plan: Plan) -> User:
    return w.user(people.HUBS[plan.hub].lead)


def enrol(w: World, plan: Plan) -> Candidate:
    """The hub lead makes the account, enrols it in their cohort and assigns the supervisors."""
    s, lead, today = w.session, _lead(w, plan), w.now_day()
    user = account(w, plan.person, lead)
    start = w.day(plan.stage1) if plan.stage1 else None
    details = cohorts.NewEnrolment(
        full_name=plan.person.full_name, email=plan.person.email, enrolled_on=today,
        employer=w.employers[plan.employer], profession=plan.person.profession,
        stage2_started_on=start, provider=w.provider if plan.provider else None)
    enrolment = cohorts.enrol(s, w.cohorts[plan.hub], w.version, details, lead,
                              invitation_lifetime=dt.timedelta(days=7), link_for=external_link)
    primary = w.user(plan.primary)
    made = assign(s, enrolment, primary, "primary", today, lead,
                  confirm_over_capacity=plan.over_capacity)
    if made.needs_confirmation:
        raise RuntimeError(f"the demo's plan overloads {primary.full_name}: {made.warnings}")
    backup: Optional[User] = None
    if plan.backup:
        backup = w.user(plan.backup)
        assign(s, enrolment, backup, "backup", today, lead)
    if plan.provider:
        assign_educational(s, enrolment, w.user(people.EDUCATIONAL.email), today, lead)
    return Candidate(plan, user, enrolment, primary, backup)


def analysis(w: World, c: Candidate) -> Thread:
    """The learning needs analysis: begun, files added, sent; confirmed by the reviewer."""
    plan = c.plan
    yield w.at(plan.enrolled - 1, 19)
    s, enrolment, user = w.session, c.enrolment, c.user
    record = lna.start(s, enrolment, user)
    key = "/portfolio/learning-needs-analysis"
    transcript = files.document("Transcript", [user.full_name, "Level 7 study, 60 credits",
                                               "Clinical reasoning in MSK practice: pass"])
    added = [lna.add_file(s, record, enrolment, user, files.Upload("transcript.pdf", transcript))]
    for module in plan.credits:
        pdf = files.document("Certificate of completion", [user.full_name, items.MODULES[module],
                                                           "Personalised Care Institute"])
        added.append(lna.add_file(s, record, enrolment, user,
                                  files.Upload(f"{module.removeprefix('pci_')}.pdf", pdf)))
    study = STUDY[() if not plan.credits else ("all" if len(plan.credits) == 4 else "some")]
    answers = {"prior_study": ["masters_stage1"] if not plan.credits else
               ["stage1_elsewhere" if len(plan.credits) == 4 else "fcp_module"],
               "details": study}
    send = plan.lna != "draft"
    lna.save(s, record, enrolment, user, answers if send else {"details": study},
             record.lock_version, send, False, key)
    if plan.lna != "confirmed":
        return
    yield w.at(plan.enrolled - 4, 11, 20)
    credits = [confirming.Credit(f"elearning:{module}", f"attachment:{file.id}",
                                 f"{items.MODULES[module]}: certificate from earlier study.")
               for module, file in zip(plan.credits, added[1:])]
    confirming.confirm(s, record, enrolment, w.user(people.REVIEWERS[0].email),
                       ConfirmerCapacity.PROVIDER_REVIEWER, plan.route, credits,
                       record.lock_version)


def stage1(w: World, c: Candidate) -> None:
    """Start Stage 1's threads: the certificates not credited, a reflection and a log entry."""
    plan = c.plan
    due = [m for m in items.MODULES if m not in plan.credits]
    first = plan.enrolled - 2
    if plan.stage1 is None and not plan.stage1_waits:  # early: two of them so far
        due = due[:2]
    for n, module in enumerate(due):
        w.story.spawn(items.certificate(w, c, module, first - 3 * n,
                                        sign_it=plan.stage1 is not None or plan.stage1_waits))
    if plan.stage1 is not None or plan.stage1_waits:
        w.story.spawn(items.item(w, c, "reflection", first - 1, "signed", "gibbs", lag=2))
        w.story.spawn(items.item(w, c, "learning_log", first - 4, "signed", lag=2))
    elif plan.enrolled > 15:
        w.story.spawn(items.item(w, c, "reflection", first - 5, "draft", "what_so_what_now_what"))


def _stage(w: World, c: Candidate, code: str) -> StageSignOff:
    return signoff.signoff_for(w.session, c.enrolment, code)


def journey(w: World, plan: Plan) -> Thread:
    """Everything that happens to one candidate, from enrolment to where their plan ends."""
    yield w.at(plan.enrolled, 9, 15)
    c = enrol(w, plan)
    s, spawn = w.session, w.story.spawn
    if plan.lna:
        spawn(analysis(w, c))
    stage1(w, c)
    for days_ago, tone in plan.reviews:
        spawn(portfolio.progress_review(w, c, days_ago, tone))
    if plan.stage1_waits:
        yield w.at(plan.last, 17, 50)
        signoff.candidate_sign(s, c.enrolment, "stage1", c.user, ["candidate_own_work"])
        return
    if plan.stage1 is None:
        return
    yield w.at(plan.stage1 + 1, 17, 50)
    signoff.candidate_sign(s, c.enrolment, "stage1", c.user, ["candidate_own_work"])
    yield w.at(plan.stage1, 12, 10)
    signoff.supervisor_sign(s, c.enrolment, "stage1", c.primary, ["supervisor_verified"], None,
                            w.now_day())
    yield from stage2(w, c)


def stage2(w: World, c: Candidate) -> Thread:
    """Stage 2's portfolio, then as far as the plan goes: declarations, sign-off, decision."""
    plan, s, spawn = c.plan, w.session, w.story.spawn
    start = plan.stage1 - 2
    if plan.all_kinds:
        portfolio.rich(w, c, start)
        spawn(portfolio.rate_self(w, c, 8))
        spawn(portfolio.rate_supervisor(w, c, 5, headings=9))
        return
    if plan.stage2 == "open":
        portfolio.some(w, c, start)
        if plan.items >= 10 and plan.last < 30:
            spawn(portfolio.rate_self(w, c, plan.last + 1, headings=7))
        if plan.route == "taught":
            spawn(rounds_open(w, c))
        return
    end = plan.declared or plan.last
    portfolio.full(w, c, start, end, ready_only=plan.stage2 == "ready")
    spawn(portfolio.rate_self(w, c, end + 4))
    spawn(portfolio.rate_supervisor(w, c, end + 2))
    if plan.stage2 == "ready":
        spawn(later_target(w, c, end + 6, ahead=60))
    if plan.declared is None:
        return
    yield w.at(plan.declared, 17, 40)
    signoff.candidate_sign(s, c.enrolment, "stage2", c.user, ["candidate_own_work"])
    if plan.signed_off is None:
        return
    yield w.at(plan.signed_off, 12, 20)
    acting = plan.stage2 == "complete"  # the story of seed 002: the backup signs for the primary
    signer = c.backup if acting and c.backup is not None else c.primary
    reasons = {"psq": NO_PSQ} if plan.stage2 == "provider" else None
    signoff.supervisor_sign(s, c.enrolment, "stage2", signer, ["supervisor_verified"],
                            ACTING if acting else None, w.now_day(), reasons)
    if plan.decided is None:
        return
    yield w.at(plan.decided, 10, 30)
    record = _stage(w, c, "stage2")
    kept = approvals.latest_round(s, record.id)
    assert kept is not None
    reviewer = w.user(people.REVIEWERS[0].email)
    if plan.stage2 == "referred":
        decisions.decide(s, kept.id, reviewer, "referred", REFERRAL, REFERRAL_HEADINGS, 0,
                         w.now_day())
        spawn(items.item(w, c, "ceps_dops", plan.decided - 8, "signed", lag=3))
        return
    # The audit sample is drawn from the round's hash and the configured share; the demo
    # says which approval was drawn, so the same portfolio waits for its second review
    # whatever day the demo runs.
    decisions.decide(s, kept.id, reviewer, "approved", None, {},
                     100 if plan.stage2 == "second_review" else 0, w.now_day())


def rounds_open(w: World, c: Candidate) -> Thread:
    """A multi-source feedback round still collecting answers: nothing released yet."""
    yield from rounds.msf(w, c, 20, asked=6, answering=3, release=False)


def later_target(w: World, c: Candidate, days_ago: int, ahead: int) -> Thread:
    """The hub lead agrees a later Stage 2 target with the employer: the ready candidate works
    part time, and six months from the start of Stage 2 has just gone by."""
    yield w.at(days_ago, 14, 20)
    lead = w.user(people.HUBS[c.plan.hub].lead)
    cohorts.set_target(w.session, c.enrolment, w.today + dt.timedelta(days=ahead), lead)
