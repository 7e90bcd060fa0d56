"""Every text column of the database, and whether what people type into it passes the patient-
identifier check (rule D9, issue 22): "nothing leaves unchecked".

tests/pid/test_nothing_unchecked.py reads every String, Text and JSON column of every model and
fails unless each is named here exactly once: CHECKED (people write it, and it is scanned before
it is saved as submitted, signed, released or sent: where), NOT_FREE_TEXT (why it is no one's
free text about patients) or UNCHECKED (free text that does not pass the check yet: why, and
the test still requires the demo's values to scan clean). A new column holding free text fails
that test until someone decides which it is. The same test scans the demo's values in CHECKED
and UNCHECKED columns, and everything the portfolio PDF, the ZIP's data.json and the hub,
provider and region pages show: each finding must be a confirmed text (a `*.pid_confirmed`
audit event for its enrolment) or an identity field listed in NOT_FREE_TEXT.
"""
from __future__ import annotations

CHECKED = {
    "evidence.title": "portfolio.service.submit, portfolio.shared_check.check_save (each save "
                      "of an item others read), supervision.review.start_observed",
    "evidence.fields": "portfolio.service.submit, portfolio.shared_check.check_save (the "
                       "candidate's answers)",
    "evidence_versions.content": "the snapshot of evidence.fields and assessors' answers, "
                                 "each checked as it was written (supervision.review.sign, "
                                 "feedback.tickets.sign)",
    "evidence_comments.body": "supervision.review.return_evidence, supervision.external.dispute",
    "attachments.filename": "portfolio.attachments.attach (and the text inside PDF and DOCX)",
    "capability_ratings.justification": "supervision.ratings.rate, portfolio.ratings.rate",
    "external_signature_reviews.reason": "supervision.external.dispute",
    "feedback_responses.answers": "feedback.responses (MSF and PSQ, in plain words)",
    "learning_needs_analyses.answers": "lna.service.save",
    "progress_reviews.heading_progress": "supervision.progress_reviews.record",
    "progress_reviews.concerns": "supervision.progress_reviews.record",
    "progress_reviews.agreed_actions": "supervision.progress_reviews.record",
    "progress_reviews.candidate_response": "supervision.progress_reviews.respond",
    "provider_decisions.reason": "providers.decisions.check",
    "provider_decisions.heading_reasons": "providers.decisions.check",
    "stage_signoffs.signed_content": "supervision.signoff.guidance_reasons (the reasons frozen "
                                     "into it; the rest is the checked portfolio's state)",
    "stage_signoff_rounds.signed_content": "as stage_signoffs.signed_content",
    "signatures.acting_reason": "supervision.signoff.supervisor_sign (a backup's reason for "
                                "signing a stage for the primary)",
    "supervisor_assignments.handover_note": "cohorts.staffing.assign_supervisor, "
                                            "supervision.educational.assign_educational",
    "lna_credits.note": "lna.confirming.confirm (each credit's note, on the confirm page)",
    "issued_credentials.revoked_reason": "credentials.service.revoke (shown to the holder on "
                                         "their credential's page; `roadmap credential revoke "
                                         "--no-patient-identified` confirms)",
    "feedback_rounds.self_assessment": "feedback.rounds.open_round: the copy of the item's "
                                       "self-assessment is checked as it is made, since it is "
                                       "made from a draft (not yet checked) and shown at once",
}

# Nothing is left here (issue 22): the last four were checked where they are written.
UNCHECKED: dict[str, str] = {}

IDENTITY = ("a person's own identity or contact detail, typed into a field for it (never "
             "about a patient): shown as who wrote or signed")
_FRAMEWORK = "framework content, loaded from the reviewed roadmap definition, not typed by users"
_MACHINE = "written by the software (a code, status, hash, token or key), never typed"
_ORGANISATION = "an organisation's name, typed by an administrator or hub lead"

NOT_FREE_TEXT = {
    "account_tokens.token_hash": _MACHINE, "account_tokens.purpose": _MACHINE,
    "assessment_tickets.invited_name": IDENTITY, "assessment_tickets.invited_email": IDENTITY,
    "assessment_tickets.token_hash": _MACHINE, "assessment_tickets.client_key": _MACHINE,
    "assessment_tickets.assessor_name": IDENTITY,
    "assessment_tickets.assessor_role": IDENTITY,
    "assessment_tickets.assessor_registration": IDENTITY,
    "assessment_tickets.assessor_email": IDENTITY,
    "assessment_tickets.draft": "an external assessor's answers kept while they type, never "
                                "shown to anyone else or exported; checked when they sign",
    "attachments.media_type": _MACHINE, "attachments.sha256": _MACHINE,
    "audit_events.action": _MACHINE, "audit_events.subject_type": _MACHINE,
    "audit_events.data": "what the services record: ids, kinds and lengths; the few texts in it "
                         "(a referral's reasons before issue 22's digests, an LNA credit's "
                         "note, a revocation's reason) are copies of CHECKED columns",
    "audit_events.prev_hash": _MACHINE, "audit_events.hash": _MACHINE,
    "capabilities.code": _FRAMEWORK, "capabilities.title": _FRAMEWORK,
    "capabilities.description": _FRAMEWORK,
    "capability_ratings.rater_kind": _MACHINE, "capability_ratings.rating": _MACHINE,
    "cohorts.name": _ORGANISATION,
    "content_access_events.capacity": _MACHINE, "content_access_events.what": _MACHINE,
    "content_access_events.label": "a copy of an item's title or a file's name (CHECKED), kept "
                                   "in the reading log",
    "credential_signing_keys.thumbprint": _MACHINE, "credential_signing_keys.public_jwk": _MACHINE,
    "domains.code": _FRAMEWORK, "domains.title": _FRAMEWORK, "domains.description": _FRAMEWORK,
    "draft_autosaves.path": _MACHINE,
    "draft_autosaves.data": "answers kept while a form is typed, shown only to their writer, "
                            "never exported; checked when the form is saved as submitted",
    "draft_autosaves.reason": _MACHINE,
    "education_providers.name": _ORGANISATION, "employers.name": _ORGANISATION,
    "enrolments.route": _MACHINE, "enrolments.status": _MACHINE,
    "evidence.template_code": _MACHINE, "evidence.status": _MACHINE,
    "evidence_comments.kind": _MACHINE,
    "evidence_types.code": _FRAMEWORK, "evidence_types.name": _FRAMEWORK,
    "evidence_types.definition": _FRAMEWORK,
    "evidence_versions.content_hash": _MACHINE,
    "external_signature_reviews.outcome": _MACHINE,
    "external_signature_reviews.reviewer_name": IDENTITY,
    "external_signature_reviews.capacity": _MACHINE,
    "feedback_link_hits.key": _MACHINE,
    "feedback_raters.name": IDENTITY, "feedback_raters.email": IDENTITY,
    "feedback_raters.role": IDENTITY, "feedback_raters.rater_group": _MACHINE,
    "feedback_raters.token_hash": _MACHINE,
    "feedback_responses.respondent_group": _MACHINE,
    "feedback_rounds.kind": _MACHINE, "feedback_rounds.link_nonce": _MACHINE,
    "feedback_rounds.link_hash": _MACHINE,
    "form_submissions.token": _MACHINE,
    "framework_versions.slug": _FRAMEWORK, "framework_versions.title": _FRAMEWORK,
    "framework_versions.version_label": _FRAMEWORK, "framework_versions.content_hash": _MACHINE,
    "framework_versions.source_path": _MACHINE, "framework_versions.document": _FRAMEWORK,
    "issued_credentials.public_id": _MACHINE, "issued_credentials.stage_code": _MACHINE,
    "issued_credentials.key_thumbprint": _MACHINE, "issued_credentials.jws": _MACHINE,
    "learning_needs_analyses.status": _MACHINE,
    "learning_needs_analyses.confirmed_capacity": _MACHINE,
    "learning_needs_analyses.route": _MACHINE,
    "lna_credits.check_code": _MACHINE,
    "outcomes.code": _FRAMEWORK, "outcomes.text": _FRAMEWORK,
    "provider_decisions.content_hash": _MACHINE, "provider_decisions.reviewer_name": IDENTITY,
    "provider_decisions.review": _MACHINE, "provider_decisions.outcome": _MACHINE,
    "recovery_codes.code_hash": _MACHINE,
    "regions.name": _ORGANISATION,
    "sign_in_failures.key": _MACHINE,
    "signatures.subject_type": _MACHINE, "signatures.signer_name": IDENTITY,
    "signatures.capacity": _MACHINE, "signatures.content_hash": _MACHINE,
    "signatures.signer_role": IDENTITY, "signatures.registration_body": IDENTITY,
    "signatures.registration_number": IDENTITY,
    "signatures.declaration": _FRAMEWORK,
    "stage_signoff_rounds.content_hash": _MACHINE,
    "stage_signoffs.stage_code": _MACHINE, "stage_signoffs.status": _MACHINE,
    "stage_signoffs.declarations": _FRAMEWORK, "stage_signoffs.content_hash": _MACHINE,
    "stage_signoffs.verification_code": _MACHINE,
    "stages.code": _FRAMEWORK, "stages.name": _FRAMEWORK, "stages.requirements": _FRAMEWORK,
    "supervisor_assignments.kind": _MACHINE,
    "supervisor_profiles.category": _MACHINE,
    "training_hubs.name": _ORGANISATION,
    "user_roles.role": _MACHINE,
    "user_sessions.token_hash": _MACHINE, "user_sessions.ip_address": _MACHINE,
    "user_sessions.user_agent": _MACHINE,
    "users.email": IDENTITY, "users.full_name": IDENTITY, "users.profession": IDENTITY,
    "users.registration_body": IDENTITY, "users.registration_number": IDENTITY,
    "users.password_hash": _MACHINE, "users.totp_secret": _MACHINE,
}
