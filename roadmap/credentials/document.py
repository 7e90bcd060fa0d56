"""What a credential says: an Open Badges 3.0 OpenBadgeCredential, built from plain facts.

The stage's completion is handed over as an `Award` (supervision gathers it from the frozen
records); this module turns it into the credential's JSON, and knows the public addresses
that name the issuer, the achievement, the status list and the keys. It claims no more than
happened (rule D11): a supervisor signed the stage off and, where the roadmap asks for it, an
education provider approved it. Evidence appears as content hashes, never as content.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from roadmap import clock

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
             "ob_v3p0_achievementcredential_schema.json")
# The paths the credentials blueprint serves: ids in credentials are these on BASE_URL.
JWKS_PATH = "/.well-known/jwks.json"
ISSUER_PATH = "/credentials/issuer"
KEY_PATH = "/credentials/keys/{thumbprint}"
STATUS_PATH = "/credentials/status/{number}"
CREDENTIAL_PATH = "/credentials/{public_id}"
ACHIEVEMENT_PATH = "/credentials/achievements/{version_id}/{stage_code}"
VERIFY_PATH = "/verify/{code}"
SCOPE = ("It records approvals given in this Roadmap portfolio service and nothing more: it is "
         "not national recognition, registration or a licence to practise, and NHS England "
         "issues no badge or certificate for the Roadmap to Practice.")


@dataclass(frozen=True)
class Heading:
    """A capability heading and the supervisor's rating of it when the stage was signed off."""

    code: str
    title: str
    rating: Optional[str]  # the level's label; None when the stage asked for no rating


@dataclass(frozen=True)
class Approval:
    """Who approved, in which capacity, when (a line of the verification statement)."""

    label: str
    text: str
    at: Optional[dt.datetime]


@dataclass(frozen=True)
class SignedItem:
    """A signed portfolio item, by its kind, version and content hash only."""

    kind: str
    version: int
    sha256: str


@dataclass(frozen=True)
class Award:
    """A completed stage, as the credential states it."""

    signoff_id: int
    enrolment_id: int
    candidate_id: int
    candidate_name: str
    stage_code: str
    stage_name: str
    stage_description: str
    framework_version_id: int
    framework_title: str
    framework_version: str
    framework_hash: str
    completed_at: dt.datetime
    verification_code: str
    content_hash: str  # of what the supervisor signed off (the stage's last round)
    scale: tuple[str, ...]  # the capability scale's labels, lowest first
    supportive: Optional[str]  # the lowest label a sign-off needs on every heading
    headings: tuple[Heading, ...]
    approvals: tuple[Approval, ...]
    evidence: tuple[SignedItem, ...]


@dataclass(frozen=True)
class Issuer:
    """The organisation hosting this service, as configured, and the base of every address."""

    base: str
    name: str
    url: Optional[str] = None
    email: Optional[str] = None

    @property
    def id(self) -> str:
        """The issuer's id: the address of its profile."""
        return self.base + ISSUER_PATH

    def at(self, path: str, **values: Any) -> str:
        """An absolute address on this service."""
        return self.base + path.format(**values)

    def profile(self) -> dict[str, Any]:
        """The issuer as a credential names it (an Open Badges Profile)."""
        found: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name,
                                 "url": self.url or self.base}
        if self.email:
            found["email"] = self.email
        return found


def stamp(at: dt.datetime) -> str:
    """A moment as a credential writes it: UTC to the second, with Z."""
    return at.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def achievement(award: Award, issuer: Issuer) -> dict[str, Any]:
    """The stage as an Open Badges Achievement: criteria, headings aligned, rating scale."""
    here = issuer.at(ACHIEVEMENT_PATH, version_id=award.framework_version_id,
                     stage_code=award.stage_code)
    aligned = {h.code: alignment(h, award, here) for h in award.headings}
    needs = (f" The supervisor rated every capability heading {award.supportive} or above."
             if award.supportive and any(h.rating for h in award.headings) else "")
    found: dict[str, Any] = {
        "id": here, "type": ["Achievement"], "achievementType": "Achievement",
        "name": f"{award.stage_name} ({award.framework_title})",
        "description": award.stage_description.strip(),
        "criteria": {"id": here, "narrative": (
            f"{award.stage_name} of the {award.framework_title}, version "
            f"{award.framework_version}: the candidate and their Roadmap supervisor signed the "
            f"stage's declarations.{needs} Each approval the roadmap asks for, in order, was "
            "given; they are listed as evidence in the credential.")},
        "version": award.framework_version,
        "creator": issuer.profile(),
        "inLanguage": "en-GB",
        "alignment": list(aligned.values()),
    }
    rated = [h for h in award.headings if h.rating]
    if rated:
        found["resultDescription"] = [{
            "id": f"{here}#rating-{h.code}", "type": ["ResultDescription"],
            "name": f"Supervisor's rating of heading {h.code}. {h.title}",
            "resultType": "PerformanceLevel", "allowedValue": list(award.scale),
            **({"requiredValue": award.supportive} if award.supportive else {}),
            "alignment": [aligned[h.code]]} for h in rated]
    return found


def alignment(heading: Heading, award: Award, here: str) -> dict[str, Any]:
    """A capability heading as an Open Badges Alignment."""
    return {"type": ["Alignment"], "targetType": "ext:CapabilityHeading",
            "targetCode": heading.code, "targetName": f"{heading.code}. {heading.title}",
            "targetFramework": award.framework_title, "targetUrl": f"{here}#heading-{heading.code}"}


def evidence(award: Award, issuer: Issuer) -> list[dict[str, Any]]:
    """The approvals, then what was signed, as hashes: never any portfolio content."""
    found = [{"type": ["Evidence"], "genre": "Approval", "name": a.label,
              "description": a.text + (f", {clock.in_words(a.at)}" if a.at else "")}
             for a in award.approvals]
    found.append({"id": issuer.at(VERIFY_PATH, code=award.verification_code),
                  "type": ["Evidence"], "genre": "Verification statement",
                  "name": f"Verification code {award.verification_code}",
                  "description": "The sign-off's statement on this service: who approved what, "
                                 "and whether the portfolio changed since."})
    found.append({"type": ["Evidence"], "genre": "Signed record",
                  "name": "What the supervisor signed off",
                  "description": f"SHA-256 {award.content_hash}"})
    found.append({"type": ["Evidence"], "genre": "Roadmap framework",
                  "name": f"{award.framework_title}, version {award.framework_version}",
                  "description": f"SHA-256 {award.framework_hash}"})
    found += [{"type": ["Evidence"], "genre": "Portfolio item", "name": item.kind,
               "description": f"Signed version {item.version}, SHA-256 {item.sha256}"}
              for item in award.evidence]
    return found


def credential(award: Award, issuer: Issuer, public_id: str, subject_id: str,
               status_list: int, status_index: int) -> dict[str, Any]:
    """The OpenBadgeCredential for a completed stage, ready to be signed."""
    status_url = issuer.at(STATUS_PATH, number=status_list)
    subject: dict[str, Any] = {
        "id": subject_id, "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": award.candidate_name}],
        "achievement": achievement(award, issuer),
        "activityEndDate": stamp(award.completed_at),
    }
    here = subject["achievement"]["id"]
    results = [{"type": ["Result"], "resultDescription": f"{here}#rating-{h.code}",
                "value": h.rating, "alignment": [alignment(h, award, here)]}
               for h in award.headings if h.rating]
    if results:
        subject["result"] = results
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer.at(CREDENTIAL_PATH, public_id=public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{award.stage_name}: {award.candidate_name}",
        "description": (f"{award.candidate_name} completed {award.stage_name} of the "
                        f"{award.framework_title} (version {award.framework_version}). "
                        + SCOPE),
        "issuer": issuer.profile(),
        "validFrom": stamp(award.completed_at),
        "awardedDate": stamp(award.completed_at),
        "credentialSubject": subject,
        "evidence": evidence(award, issuer),
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {
            "id": f"{status_url}#{status_index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(status_index),
            "statusListCredential": status_url},
    }
