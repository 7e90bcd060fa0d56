"""Routes of the portfolio, for the access test: every object belongs to world["other"]."""
from __future__ import annotations

import datetime as dt
from typing import Any

from tests.web.access_routes import Route

OWN = frozenset({"candidate"})  # pages about the signed-in candidate's own portfolio
NOBODY = frozenset()  # someone else's item: nobody in the world reaches it

ROUTES: dict[str, Route] = {
    "portfolio.home": (lambda w: {}, OWN),
    "portfolio.evidence_list": (lambda w: {}, OWN),
    "portfolio.case_mix": (lambda w: {}, OWN),
    "portfolio.choose_type": (lambda w: {}, OWN),
    "portfolio.autosave_form": (lambda w: {}, OWN),
    "portfolio.new_evidence": (lambda w: {"type_code": "learning_log"}, OWN),
    "portfolio.rate_capability": (lambda w: {"capability_id": w["portfolio_capability"].id}, OWN),
    "portfolio.show_evidence": (lambda w: {"evidence_id": w["portfolio_evidence"].id}, NOBODY),
    "portfolio.edit_evidence": (lambda w: {"evidence_id": w["portfolio_evidence"].id}, NOBODY),
    "portfolio.submit_evidence": (lambda w: {"evidence_id": w["portfolio_evidence"].id}, NOBODY),
    "portfolio.add_attachment": (lambda w: {"evidence_id": w["portfolio_evidence"].id}, NOBODY),
    "portfolio.download_attachment": (lambda w: {"attachment_id": w["portfolio_attachment"].id},
                                      NOBODY),
    "portfolio.remove_attachment": (lambda w: {"attachment_id": w["portfolio_attachment"].id},
                                    NOBODY),
}


def extend_world(world: dict[str, Any], session: Any) -> None:
    """An enrolment of world["other"] with one item and one attached file."""
    from roadmap.cohorts.models import Cohort, Enrolment, TrainingHub
    from roadmap.framework.models import Capability, Domain, EvidenceType, FrameworkVersion
    from roadmap.portfolio.models import Attachment, Evidence

    hub = TrainingHub(name="Portfolio access hub")
    version = FrameworkVersion(
        slug="access", title="Access", version_label="1", content_hash="p" * 64,
        source_path="access.yaml",
        document={"capability_scale": "capability", "scales": [{"code": "capability", "label": "C",
                  "levels": [{"code": "capable", "label": "Capable", "supportive": True},
                             {"code": "not_yet", "label": "Not yet", "supportive": False}]}]})
    session.add_all([hub, version])
    session.flush()
    domain = Domain(framework_version_id=version.id, code="A", title="A", position=0)
    cohort = Cohort(hub_id=hub.id, name="Portfolio access cohort")
    session.add_all([domain, cohort])
    session.flush()
    capability = Capability(framework_version_id=version.id, domain_id=domain.id, code="1",
                            title="Communication", position=0)
    kind = EvidenceType(framework_version_id=version.id, code="learning_log", name="Learning log",
                        position=0, definition={"sections": [{"code": "s", "title": "S",
                            "completed_by": "candidate", "fields": [
                                {"code": "what", "label": "What", "kind": "textarea"}]}]})
    enrolment = Enrolment(candidate_id=world["other"].id, cohort_id=cohort.id,
                          framework_version_id=version.id, enrolled_on=dt.date(2026, 1, 1))
    session.add_all([capability, kind, enrolment])
    session.flush()
    evidence = Evidence(enrolment_id=enrolment.id, evidence_type_id=kind.id, title="Theirs",
                        fields={"what": "private reflection"}, created_by_id=world["other"].id)
    session.add(evidence)
    session.flush()
    attachment = Attachment(evidence_id=evidence.id, filename="x.pdf", media_type="application/pdf",
                            size_bytes=1, sha256="0" * 64, uploaded_by_id=world["other"].id)
    session.add(attachment)
    session.commit()
    world.update(portfolio_capability=capability, portfolio_evidence=evidence,
                 portfolio_attachment=attachment)
