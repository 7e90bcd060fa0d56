"""Every model, imported in one place so metadata is complete for Alembic and tests."""
from roadmap.accounts.models import (AccountToken, RecoveryCode, Role, SignInFailure,
                                     SupervisorProfile, User, UserRole, UserSession)
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Cohort, Employer, Enrolment, TrainingHub
from roadmap.credentials.models import IssuedCredential, SigningKey
from roadmap.db import Base
from roadmap.feedback.models import (AssessmentTicket, FeedbackLinkHit, FeedbackRater,
                                      FeedbackResponse, FeedbackRound)
from roadmap.framework.models import (Capability, Domain, EvidenceType, FrameworkVersion,
                                      Outcome, Stage)
from roadmap.lna.models import LearningNeedsAnalysis, LnaCredit
from roadmap.portfolio.models import (Attachment, DraftAutosave, Evidence, EvidenceCapability,
                                      EvidenceComment, EvidenceVersion, FormSubmission)
from roadmap.providers.models import EducationProvider, ProviderDecision, ProviderReviewer
from roadmap.readers.models import ContentAccessEvent
from roadmap.regions.models import Region, RegionLead
from roadmap.supervision.models import (CapabilityRating, ExternalSignatureReview,
                                        ProgressReview, Signature, StageSignOff,
                                        StageSignOffRound, SupervisorAssignment)

__all__ = [
    "AccountToken", "RecoveryCode", "SignInFailure",
    "Attachment", "AuditEvent", "ContentAccessEvent", "DraftAutosave", "EvidenceComment", "FormSubmission", "Base", "Capability", "CapabilityRating", "Cohort", "Domain",
    "Employer", "Enrolment", "ExternalSignatureReview", "AssessmentTicket", "FeedbackLinkHit", "FeedbackRater",
    "FeedbackResponse", "FeedbackRound", "Evidence", "EvidenceCapability", "EvidenceType",
    "EvidenceVersion", "FrameworkVersion", "Outcome", "Role", "Signature", "Stage",
    "StageSignOff", "SupervisorAssignment", "SupervisorProfile", "TrainingHub", "User",
    "UserRole", "UserSession",
    "EducationProvider", "LearningNeedsAnalysis", "LnaCredit", "ProgressReview",
    "ProviderDecision", "ProviderReviewer", "StageSignOffRound", "Region", "RegionLead",
    "IssuedCredential", "SigningKey",
]
