"""A supervised candidate: headings and ratings, stage sign-off, and the timeline."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from roadmap.accounts.models import Role, User
from roadmap.db import get_session, writes_when_read
from roadmap.framework.models import Capability, Stage
from roadmap.portfolio.models import Evidence, EvidenceCapability
from roadmap.portfolio.progress import COUNTED_STATUSES, capability_counts
from roadmap.readers import service as readers
from roadmap.readers.models import Opened
from roadmap.supervision import checklist as checklists, ratings, signoff, timeline
from roadmap.supervision.errors import Incomplete, SupervisionError
from roadmap.supervision.forms import LinkForm, RatingForm, StageSignForm
from roadmap.supervision.models import CapabilityRating, Signature, StageSignOff
from roadmap.readers.team import current_team
from roadmap.clock import today
from roadmap.supervision.web import bp, identity_confirmed, identity_recent
from roadmap.web.access import roles_required
from roadmap.web.params import page_number
from roadmap.web.reach import Reach, load_enrolment, load_stage, shared

# A former supervisor sees none of these pages: only the items and stages they signed.
SUPERVISING = {Reach.SUPERVISOR}


@bp.get("/supervision/candidates/<int:enrolment_id>")
@roles_required(Role.SUPERVISOR)
def candidate(enrolment_id: int) -> str:
    """One candidate: each heading's evidence and both ratings, stages, recent items."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id, SUPERVISING, today())
    person = session.get(User, enrolment.candidate_id)
    capabilities = session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == enrolment.framework_version_id)
        .order_by(Capability.position)).all()
    given = {(r.capability_id, r.rater_kind): r for r in session.scalars(
        sa.select(CapabilityRating).where(CapabilityRating.enrolment_id == enrolment.id))}
    counts = capability_counts(session, [enrolment.id])[enrolment.id]
    stages = session.scalars(sa.select(Stage).where(
        Stage.framework_version_id == enrolment.framework_version_id).order_by(Stage.position)).all()
    states = dict(session.execute(sa.select(StageSignOff.stage_code, StageSignOff.status)
                                  .where(StageSignOff.enrolment_id == enrolment.id)).all())
    items = session.scalars(sa.select(Evidence).where(Evidence.enrolment_id == enrolment.id, shared())
                            .order_by(Evidence.updated_at.desc()).limit(20)).all()
    labels = {lv["code"]: lv["label"] for lv in ratings.capability_scale(session, enrolment.framework_version_id)}
    return render_template("supervision/candidate.html", enrolment=enrolment, person=person,
                           capabilities=capabilities, given=given, counts=counts, stages=stages,
                           states=states, items=items, labels=labels, level=level,
                           team=current_team(session, enrolment.id, today()))


@bp.route("/supervision/candidates/<int:enrolment_id>/headings/<int:capability_id>",
          methods=["GET", "POST"])
@writes_when_read
@roles_required(Role.SUPERVISOR)
def rate(enrolment_id: int, capability_id: int) -> Response | str:
    """See the candidate's self-rating and evidence for a heading; give my rating; link more."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id, SUPERVISING, today())
    capability = session.get(Capability, capability_id)
    if capability is None or capability.framework_version_id != enrolment.framework_version_id:
        abort(404)
    levels = ratings.capability_scale(session, enrolment.framework_version_id)
    form, link = RatingForm(prefix="rate"), LinkForm(prefix="link")
    form.rating.choices = [SelectChoice(lv["code"], lv["label"]) for lv in levels]
    linked = session.scalars(sa.select(Evidence).join(
        EvidenceCapability, EvidenceCapability.evidence_id == Evidence.id)
        .where(EvidenceCapability.capability_id == capability.id,
               Evidence.enrolment_id == enrolment.id, shared())
        .order_by(Evidence.occurred_on)).all()
    others = session.scalars(sa.select(Evidence).where(
        Evidence.enrolment_id == enrolment.id, Evidence.status.in_(COUNTED_STATUSES),
        Evidence.id.not_in([e.id for e in linked])).order_by(Evidence.title)).all()
    link.evidence_id.choices = [SelectChoice(0, "Choose an item")] + [SelectChoice(e.id, e.title) for e in others]
    if request.method == "POST" and level is not Reach.SUPERVISOR:
        abort(404)
    try:
        if request.form.get("rate-rating") is not None and form.validate_on_submit():
            ratings.rate(session, enrolment, capability.id, current_user, form.rating.data,
                         form.justification.data, today())
            flash(f"Your rating of {capability.code}. {capability.title} is saved.", "success")
            return redirect(url_for("supervision.candidate", enrolment_id=enrolment.id))
        if request.form.get("link-evidence_id") and link.validate_on_submit():
            ratings.link_evidence(session, enrolment, capability.id, link.evidence_id.data,
                                  current_user, today())
            flash("The item is now linked to this heading.", "success")
            return redirect(request.path)
    except SupervisionError as problem:
        flash(str(problem), "error")
    mine = session.scalar(sa.select(CapabilityRating).where(
        CapabilityRating.enrolment_id == enrolment.id, CapabilityRating.capability_id == capability.id,
        CapabilityRating.rater_kind == "supervisor"))
    own = session.scalar(sa.select(CapabilityRating).where(
        CapabilityRating.enrolment_id == enrolment.id, CapabilityRating.capability_id == capability.id,
        CapabilityRating.rater_kind == "self"))
    if request.method == "GET" and mine is not None:
        form.rating.data, form.justification.data = mine.rating, mine.justification
    if request.method == "GET" and own is not None:  # the candidate's own words about the heading
        readers.record(session, current_user, enrolment, Opened.HEADING, former=False,
                       label=f"{capability.code}. {capability.title}")
    return render_template("supervision/rate.html", enrolment=enrolment, capability=capability,
                           form=form, link=link, linked=linked, mine=mine, own=own, level=level,
                           labels={lv["code"]: lv["label"] for lv in levels},
                           person=session.get(User, enrolment.candidate_id))


STAGE_REACH = {Reach.OWNER, Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY, Reach.HUB}


@bp.route("/stages/<int:enrolment_id>/<stage_code>", methods=["GET", "POST"])
@roles_required(Role.CANDIDATE, Role.SUPERVISOR, Role.HUB_LEAD)
def stage(enrolment_id: int, stage_code: str) -> Response | str | tuple[str, int]:
    """The checklist of a stage; the candidate, then a supervisor, declare and sign."""
    session = get_session()
    enrolment, level = load_stage(session, current_user, enrolment_id, stage_code, STAGE_REACH,
                                  today())
    try:
        checklist = checklists.compute(session, enrolment, stage_code)
    except LookupError:
        abort(404)
    record = session.scalar(sa.select(StageSignOff).where(
        StageSignOff.enrolment_id == enrolment.id, StageSignOff.stage_code == stage_code))
    status = record.status if record else "open"
    party = ("candidate" if level is Reach.OWNER and status == "open" else
             "supervisor" if level is Reach.SUPERVISOR and status == "candidate_signed" else None)
    form = StageSignForm()
    wanted = signoff.declarations(checklist, party) if party else []
    form.declarations.choices = [SelectChoice(d["code"], d["text"]) for d in wanted]
    kind = current_team(session, enrolment.id, today()).kind_of(current_user.id)
    code = 200
    if request.method == "POST":
        if party is None:
            abort(404)
        if form.validate() and identity_confirmed(form):
            try:
                if party == "candidate":
                    signoff.candidate_sign(session, enrolment, stage_code, current_user,
                                           form.declarations.data)
                    flash("You have signed. Your supervisor has been asked to sign off the stage.", "success")
                else:
                    signoff.supervisor_sign(session, enrolment, stage_code, current_user,
                                            form.declarations.data, form.acting_reason.data, today())
                    flash(f"{checklist.stage.name} is signed off.", "success")
                return redirect(request.path)
            except Incomplete as problem:
                for message in problem.problems.values():
                    form.declarations.errors = list(form.declarations.errors) + [message]
            except SupervisionError as problem:
                flash(str(problem), "error")
                return redirect(request.path)
        code = 400
    signatures = session.scalars(sa.select(Signature).where(
        Signature.subject_type == "stage_signoff", Signature.subject_id == (record.id if record else 0))
        .order_by(Signature.signed_at)).all()
    return render_template("supervision/stage.html", enrolment=enrolment, checklist=checklist,
                           record=record, status=status, party=party, form=form, level=level,
                           signatures=signatures, is_backup=kind == "backup",
                           identity_needed=not identity_recent(),
                           person=session.get(User, enrolment.candidate_id)), code


@bp.get("/timeline/<int:enrolment_id>")
@roles_required(Role.CANDIDATE, Role.SUPERVISOR)
def enrolment_timeline(enrolment_id: int) -> str:
    """What happened in the portfolio, newest first, in words."""
    session = get_session()
    enrolment, level = load_enrolment(session, current_user, enrolment_id,
                                      {Reach.OWNER, *SUPERVISING}, today())
    page = page_number()
    entries, more = timeline.entries(session, enrolment.id, page, drafts=level is Reach.OWNER)
    return render_template("supervision/timeline.html", enrolment=enrolment, entries=entries,
                           page=page, more=more, person=session.get(User, enrolment.candidate_id))
