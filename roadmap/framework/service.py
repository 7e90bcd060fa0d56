"""Framework versions in the database: load a validated roadmap, list versions, describe one.

Versions are only ever added (rule D1): an enrolment stays pinned to the version it started on,
so its evidence never has to be re-mapped. Functions flush but never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roadmap.audit.service import record
from roadmap.cohorts.models import Enrolment
from roadmap.framework import strengths
from roadmap.framework.checks import cross_check
from roadmap.framework.loader import content_hash
from roadmap.framework.models import (Capability, Domain, EvidenceType, FrameworkVersion, Outcome,
                                      Stage)
from roadmap.framework.schema import Framework


class FrameworkInvalid(ValueError):
    """The document does not pass the cross-checks; nothing was written."""


@dataclass(frozen=True)
class VersionSummary:
    """One loaded version and how many enrolments are pinned to it."""

    version: FrameworkVersion
    enrolments: int


def load_into_db(session: Session, document: Framework,
                 source_path: str) -> tuple[FrameworkVersion, bool]:
    """Add the document as a new version unless the same content is loaded; True if added."""
    problems = cross_check(document)  # a hand-built document may skip the loader's checks
    if problems:
        raise FrameworkInvalid(f"{source_path}: {len(problems)} problem(s), first: "
                               f"{problems[0][1]}")
    digest = content_hash(document)
    existing = session.scalar(sa.select(FrameworkVersion).where(
        FrameworkVersion.slug == document.slug, FrameworkVersion.content_hash == digest))
    if existing is not None:
        return existing, False
    # Versions are never deleted, so the count gives the next number.
    count = session.scalar(sa.select(sa.func.count()).select_from(FrameworkVersion)
                           .where(FrameworkVersion.slug == document.slug)) or 0
    version = FrameworkVersion(
        slug=document.slug, title=document.title, version_label=str(count + 1),
        content_hash=digest, source_path=source_path[-300:],
        document=document.model_dump(mode="json"))
    session.add(version)
    session.flush()
    _add_rows(session, version, document)
    record(session, "framework.loaded", subject_type="framework_version", subject_id=version.id,
           data={"slug": version.slug, "version": version.version_label,
                 "content_hash": digest, "source_path": version.source_path})
    return version, True


def _add_rows(session: Session, version: FrameworkVersion, document: Framework) -> None:
    """Domains, capabilities, outcomes, stages and evidence types of a new version."""
    domains = {d.code: Domain(framework_version_id=version.id, code=d.code, title=d.title,
                              description=d.description, position=i)
               for i, d in enumerate(document.domains)}
    session.add_all(domains.values())
    session.flush()
    capabilities = [Capability(framework_version_id=version.id, domain_id=domains[c.domain].id,
                               code=c.code, title=c.title, description=c.description, position=i)
                    for i, c in enumerate(document.capabilities)]
    session.add_all(capabilities)
    session.flush()
    for row, cap in zip(capabilities, document.capabilities):
        session.add_all(Outcome(capability_id=row.id, code=o.code, text=o.text, position=j)
                        for j, o in enumerate(cap.outcomes))
    session.add_all(Stage(framework_version_id=version.id, code=s.code, name=s.name, position=i,
                          requirements=s.requirements.model_dump(mode="json"))
                    for i, s in enumerate(document.stages))
    session.add_all(EvidenceType(framework_version_id=version.id, code=e.code, name=e.name,
                                 is_wpba=e.is_wpba, position=i,
                                 definition=e.model_dump(mode="json"))
                    for i, e in enumerate(document.evidence_types))
    session.flush()


def list_versions(session: Session) -> list[VersionSummary]:
    """Every loaded version, by slug then load order, with its count of pinned enrolments."""
    pinned = {version_id: count for version_id, count in session.execute(
        sa.select(Enrolment.framework_version_id, sa.func.count())
        .group_by(Enrolment.framework_version_id))}
    versions = session.scalars(
        sa.select(FrameworkVersion).order_by(FrameworkVersion.slug, FrameworkVersion.id)).all()
    return [VersionSummary(v, pinned.get(v.id, 0)) for v in versions]


def latest_version(session: Session, slug: str) -> Optional[FrameworkVersion]:
    """The most recently loaded version of a roadmap, or None."""
    return session.scalar(sa.select(FrameworkVersion).where(FrameworkVersion.slug == slug)
                          .order_by(FrameworkVersion.id.desc()).limit(1))


def find_version(session: Session, slug: str,
                 version_label: Optional[str] = None) -> Optional[FrameworkVersion]:
    """A version by its label, or the latest when no label is given."""
    if version_label is None:
        return latest_version(session, slug)
    return session.scalar(sa.select(FrameworkVersion).where(
        FrameworkVersion.slug == slug, FrameworkVersion.version_label == version_label))


def to_json(session: Session, version: FrameworkVersion) -> dict[str, Any]:
    """A plain description of one version, from its rows, for `framework show --json` and APIs."""
    full = session.scalars(
        sa.select(FrameworkVersion).where(FrameworkVersion.id == version.id)
        .execution_options(populate_existing=True)
        .options(selectinload(FrameworkVersion.domains).selectinload(Domain.capabilities)
                 .selectinload(Capability.outcomes),
                 selectinload(FrameworkVersion.stages),
                 selectinload(FrameworkVersion.evidence_types))).one()
    scale_code = full.document["capability_scale"]
    scale = next(s for s in full.document["scales"] if s["code"] == scale_code)
    capabilities = [c for d in full.domains for c in d.capabilities]
    domain_of = {c.id: d.code for d in full.domains for c in d.capabilities}
    return {
        "slug": full.slug,
        "title": full.title,
        "version": full.version_label,
        "content_hash": full.content_hash,
        "loaded_at": full.loaded_at.isoformat(),
        "domains": [{"code": d.code, "title": d.title, "description": d.description,
                     "capabilities": [{"code": c.code, "title": c.title,
                                       "description": c.description,
                                       "outcomes": [{"code": o.code, "text": o.text}
                                                    for o in c.outcomes]}
                                      for c in d.capabilities]}
                    for d in full.domains],
        "capabilities": [{"code": c.code, "title": c.title, "domain": domain_of[c.id]}
                         for c in sorted(capabilities, key=lambda c: c.position)],
        "stages": [{"code": s.code, "name": s.name, "requirements": s.requirements,
                    "checks": strengths.described(s.requirements),
                    "approvals": strengths.approvals(s.requirements)}
                   for s in full.stages],
        "evidence_types": [{"code": e.code, "name": e.name, "is_wpba": e.is_wpba}
                           for e in full.evidence_types],
        "rating_scale": [{"code": lv["code"], "label": lv["label"],
                          "supportive": lv["supportive"]} for lv in scale["levels"]],
    }
