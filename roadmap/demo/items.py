"""An evidence item's life in the story: logged, submitted, then signed, returned or changed.

Each is a thread of its own (roadmap.demo.story), beside the candidate's journey: the
candidate logs an item the evening it happened and submits it, and their supervisor signs it
a few days later. Everything goes through the services a request would call.
"""
from __future__ import annotations

import random
from typing import Any, Optional

from roadmap.demo import files
from roadmap.demo.candidate import Candidate
from roadmap.demo.evidence import case_title, heading_grades
from roadmap.demo.story import Thread
from roadmap.demo.world import World, answers_for
from roadmap.feedback import tickets
from roadmap.framework import definitions
from roadmap.framework.models import EvidenceType
from roadmap.links import absolute_url
from roadmap.portfolio import attachments, headings, service as portfolio
from roadmap.portfolio.models import Evidence
from roadmap.supervision import external, review

MODULES = {  # Stage 1's required e-learning, as its certificates name it
    "pci_shared_decision_making": "Shared decision making",
    "pci_care_and_support_planning": "Personalised care and support planning",
    "pci_social_prescribing": "Social prescribing and community-based support",
    "pci_supported_self_management": "Supported self-management",
}
TITLES = {
    "tutorial_record": ("Tutorial: red flags in back pain", "Tutorial: imaging in primary care",
                        "Tutorial: analgesia and prescribing boundaries"),
    "csr": ("Clinical supervisor's report, first three months",
            "Clinical supervisor's report, months four to six"),
    "audit_qip": ("Audit: safety-netting recorded in MSK consultations",
                  "QIP: direct booking of FCP appointments"),
    "pdp": ("PDP: injection therapy", "PDP: leading the practice's MSK pathway"),
}
RETURN_COMMENT = "Please add what you would do differently next time, and link the heading it shows."
LATER = " I have since added what I learned at the follow-up appointment."


def title_of(etype: EvidenceType, index: int) -> str:
    """A title a candidate would give an item of this kind."""
    if etype.code in TITLES:
        choices = TITLES[etype.code]
        return choices[index % len(choices)]
    if etype.is_wpba:
        return f"{definitions.short_name(etype)}: {case_title(index)}"
    return case_title(index)


def _link(evidence: Evidence) -> str:
    return absolute_url("portfolio.show_evidence", evidence_id=evidence.id)


def create(w: World, c: Candidate, etype: EvidenceType, occurred: int, index: int,
           template: Optional[str] = None, answers: Optional[dict[str, Any]] = None,
           title: Optional[str] = None) -> Evidence:
    """The candidate logs an item of theirs (now, in the story), with its headings."""
    when = w.day(occurred)
    own = answers if answers is not None else answers_for(w, etype, template, ["candidate"], when,
                                                          index)
    return portfolio.create_evidence(w.session, c.enrolment, c.user, etype, template,
                                     title or title_of(etype, index), when, own,
                                     c.links_for(w, etype))


def submit(w: World, c: Candidate, evidence: Evidence, signer_id: int) -> None:
    """The candidate sends the item to one of their supervisors."""
    portfolio.submit(w.session, evidence, c.user, signer_id, evidence.lock_version, w.now_day(),
                     False, _link(evidence))


def sign(w: World, evidence: Evidence, signer: Any, index: int) -> None:
    """The supervisor completes their part of the form and signs it."""
    etype = w.types_by_id[evidence.evidence_type_id]
    theirs = answers_for(w, etype, evidence.template_code, ["assessor"],
                         evidence.occurred_on or w.now_day(), index)
    # A CBD's assessor grades each heading the candidate tagged (its own generator, so the
    # rest of the story's random choices stay as they were).
    theirs.update(heading_grades(etype.definition, random.Random(index),
                                 headings.tagged(w.session, evidence.id), w.scales))
    review.sign_evidence(w.session, evidence.id, signer, theirs, evidence.lock_version,
                         w.now_day())


def item(w: World, c: Candidate, code: str, occurred: int, state: str = "signed",
         template: Optional[str] = None, lag: int = 3) -> Thread:
    """One item: logged that evening; submitted; `lag` days later signed or returned.

    `state` is where it ends: draft, submitted, returned, signed or changed_since_signed
    (signed, then edited by the candidate a few days on).
    """
    yield w.at(occurred, 18, 5)
    index = next(c.numbers)
    evidence = create(w, c, w.types[code], occurred, index, template)
    if state == "draft":
        return
    signer = c.signer(index)
    submit(w, c, evidence, signer.id)
    if state == "submitted":
        return
    decided = max(1, occurred - lag)
    yield w.at(decided, 12, 30)
    if state == "returned":
        review.return_evidence(w.session, evidence.id, signer, RETURN_COMMENT,
                               evidence.lock_version, w.now_day())
        return
    sign(w, evidence, signer, index)
    if state != "changed_since_signed":
        return
    yield w.at(max(1, decided - 2), 19)
    fields = {k: v + LATER if isinstance(v, str) and len(v) > 60 else v
              for k, v in evidence.fields.items()}
    portfolio.update_evidence(w.session, evidence, c.user, evidence.lock_version, evidence.title,
                              evidence.occurred_on, fields, portfolio.current_links(w.session,
                                                                                   evidence))


def certificate(w: World, c: Candidate, module: str, occurred: int, sign_it: bool = True) -> Thread:
    """A Stage 1 e-learning certificate: the PDF uploaded, submitted, and checked by the primary."""
    yield w.at(occurred, 20, 10)
    index = next(c.numbers)
    title = MODULES[module]
    when = w.day(occurred)
    answers = {"certificate_kind": "elearning", "module": module,
               "course_title": f"{title}: e-learning for health and care staff",
               "provider": "Personalised Care Institute", "completed_on": when.isoformat(),
               "hours": 2, "key_learning": "How to bring this into a ten-minute MSK consultation "
                                           "without losing what matters to the patient."}
    evidence = create(w, c, w.types["elearning_certificate"], occurred, index, None, answers,
                      f"Certificate: {title}")
    pdf = files.document("Certificate of completion",
                         [c.user.full_name, title, "Personalised Care Institute",
                          f"Completed {when:%d %B %Y}"])
    attachments.attach(w.session, evidence, c.user,
                       files.Upload(f"{module.removeprefix('pci_')}.pdf", pdf))
    submit(w, c, evidence, c.primary.id)
    if not sign_it:
        return
    yield w.at(max(1, occurred - 2), 13)
    sign(w, evidence, c.primary, index)


ASSESSORS = (  # colleagues without an account who observed a WPBA; none holds a Roadmap account
    {"name": "Dr Helen Morris", "role": "GP partner", "registration_body": "GMC",
     "registration_number": "7234561", "email": "helen.morris@example.nhs.uk"},
    {"name": "Alex Reid", "role": "Advanced practice physiotherapist",
     "registration_body": "HCPC", "registration_number": "PH099123",
     "email": "alex.reid@example.nhs.uk"},
)
DISPUTE = ("The registration number given is not on the HCPC register under this name, and "
           "the rota shows the assessor was not in clinic that day. Please ask a colleague who "
           "observed you, or submit it to me.")


def assessed_by_ticket(w: World, c: Candidate, code: str, occurred: int, assessor: int,
                       disputed: bool = False) -> Thread:
    """A WPBA a colleague without an account assessed and signed through an emailed link;
    the primary supervisor then accepts the signature, or disputes it (the item comes back)."""
    yield w.at(occurred, 18, 40)
    index = next(c.numbers)
    evidence = create(w, c, w.types[code], occurred, index)
    who = ASSESSORS[assessor]
    tickets.ask(w.session, evidence, c.user, who["name"], who["email"], w.domains)
    yield w.at(occurred - 1, 8, 15)
    token = w.emailed_token(who["email"], "assess")
    ticket, problem = tickets.open_ticket(w.session, token, None, w.domains)
    if ticket is None:
        raise RuntimeError(f"the assessor's link cannot be used: {problem}")
    etype = w.types[code]
    theirs = answers_for(w, etype, None, ["assessor"], w.day(occurred), index)
    signature = tickets.sign(w.session, ticket, {**who, "registration_other": "",
                                                 "declaration": True},
                             theirs, evidence.lock_version, w.domains)
    yield w.at(occurred - 3, 12, 45)
    if disputed:
        external.dispute(w.session, evidence.id, signature.id, c.primary, DISPUTE, w.now_day())
    else:
        external.accept(w.session, evidence.id, signature.id, c.primary, w.now_day())
