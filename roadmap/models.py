"""Every model, imported in one place so metadata is complete for Alembic and tests."""
from roadmap.accounts.models import (AccountToken, RecoveryCode, Role, SignInFailure,
                                     SupervisorProfile, User, UserRole, UserSession)
from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Cohort, Employer, Enrolment, TrainingHub
from roadmap.db import Base
from roadmap.feedback.models import FeedbackResponse
from roadmap.framework.models import (Capability, Domain, EvidenceType, FrameworkVersion,
                                      Outcome, Stage)
from roadmap.portfolio.models import Attachment, Evidence, EvidenceCapability, EvidenceVersion
from roadmap.supervision.models import (CapabilityRating, Signature, StageSignOff,
                                        SupervisorAssignment)

__all__ = [
    "AccountToken", "RecoveryCode", "SignInFailure",
    "Attachment", "AuditEvent", "Base", "Capability", "CapabilityRating", "Cohort", "Domain",
    "Employer", "Enrolment", "FeedbackResponse", "Evidence", "EvidenceCapability", "EvidenceType",
    "EvidenceVersion", "FrameworkVersion", "Outcome", "Role", "Signature", "Stage",
    "StageSignOff", "SupervisorAssignment", "SupervisorProfile", "TrainingHub", "User",
    "UserRole", "UserSession",
]
