"""Checking an archival portfolio PDF: intact or what changed, what it claims, and whether the
service (when there is a database) agrees and what has changed since.

The offline part needs neither Flask nor a database, only the file and, to trust the
signature, the service's published public key (a JWK, or the JWK Set at /.well-known/jwks.json).
Without one, the signature is checked against the key the file names, and the report says so.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from roadmap import clock
from roadmap.exports import manifest, manifest_shape, pdfembedded, pdfextras, pdffile
from roadmap.exports.savedagain import made_by_lines


@dataclass
class Report:
    """What checking one file found, in words a person can act on."""

    intact: bool = False
    problems: list[str] = field(default_factory=list)  # why it is not intact
    notes: list[str] = field(default_factory=list)  # worth knowing, not a fault
    # Saved again by another program: what the file now names as its producer, history added,
    # quoted as the file's words (savedagain.made_by_lines). Not a fault: shown beside the verdict.
    saved_again: list[str] = field(default_factory=list)
    claims: dict[str, Any] = field(default_factory=dict)
    server: list[str] = field(default_factory=list)  # what the service says now
    server_agrees: Optional[bool] = None  # None: not asked
    signed: bool = False  # the manifest's signature holds (so what it claims is as signed)
    server_wrong: list[str] = field(default_factory=list)  # where the service disagrees
    server_confirmed: list[str] = field(default_factory=list)  # codes the service confirms
    server_since: list[str] = field(default_factory=list)  # what has happened since
    manifest: dict[str, Any] = field(default_factory=dict)  # as the file states it

    def lines(self) -> list[str]:
        """The report as the command prints it."""
        out = [("INTACT: its pages, fonts, images, bookmarks, document properties and embedded "
                "data are as the service made them."
                if self.intact else "NOT INTACT: this file is not as the service made it.")]
        out += [f"  saved again: {line}" for line in self.saved_again]
        out += [f"  - {problem}" for problem in self.problems]
        out += [f"  note: {note}" for note in self.notes]
        c = self.claims
        if c:
            out.append(f"The file claims: the portfolio of {c.get('candidate') or 'an unnamed candidate'}"
                       f", made {c.get('made_on') or 'on an unknown day'}, "
                       f"{_signed_words(c)}, {c.get('pages', 0)} pages.")
            for stage in c.get("stages", []):
                out.append(f"  {stage['name']}: {stage['words']}")
                out += [f"    {a}" for a in stage["approvals"]]
        if self.server_agrees is not None:
            out.append("The service does NOT agree with this file." if not self.server_agrees
                       else "The service agrees with this file." if self.intact
                       else "The service agrees with the signed record inside the file, but the "
                            "file has been changed since it was made: rely on the service, not "
                            "on its pages." if self.signed
                       else "The file's signed record has been changed, so nothing it claims "
                            "can be trusted; the service's own records follow.")
            out += [f"  - {line}" for line in self.server]
        return out


def _signed_words(claims: Mapping[str, Any]) -> str:
    """"12 items of evidence signed by ..." with, when some were signed again, the versions."""
    items, versions = claims.get("signed_items", 0), claims.get("signed_versions", 0)
    words = (f"{items} item" + ("" if items == 1 else "s")
             + " of evidence signed by a supervisor or assessor")
    if versions > items:
        words += (f" ({versions} signed versions: an item edited after it was signed is signed "
                  "again)")
    return words


def _day(value: Any) -> str:
    """An ISO date or moment from the file as the app writes a day ("7 December 2026")."""
    text = str(value or "")
    try:
        return clock.long_date(dt.date.fromisoformat(text[:10]))
    except ValueError:
        return text or "an unknown date"


STATUS_WORDS = {  # a stage's status (data.json) as a verifier reads it
    "open": "Not signed off",
    "candidate_signed": "Signed by the candidate, waiting for the supervisor's sign-off",
    "supervisor_signed": "Signed off by the supervisor, waiting for the education provider",
    "referred": "Referred back by the education provider",
    "complete": "Complete",
}


def _stage_claims(stage: Mapping[str, Any]) -> dict[str, Any]:
    status = str(stage.get("status") or "")
    words = STATUS_WORDS.get(status) or (status.replace("_", " ").capitalize() or "Unknown")
    code = str(stage.get("verification_code") or "")
    if code:
        done = f"completed {_day(stage.get('completed_at'))}"
        words = "C" + done[1:] if status == "complete" else f"{words}; {done}"
    # The approvals name each signer with their capacity and day: the signatures they rest on
    # are listed only for a stage without approvals (signed before they were recorded).
    approvals = [f"{a.get('label')}: {a.get('text')}" for a in stage.get("approvals") or []
                 if isinstance(a, dict)]
    signers = [f"{s.get('name')} ({s.get('capacity')}), {_day(s.get('signed_at'))}"
               for s in stage.get("signatures") or [] if isinstance(s, dict)]
    return {"code": stage.get("code"), "name": stage.get("name") or stage.get("code"),
            "status_words": words, "verification_code": code,
            "words": f"{words}, verification code {code}" if code else words,
            "approvals": list(dict.fromkeys(approvals or signers))}


def _claims(found: Mapping[str, Any]) -> dict[str, Any]:
    candidate = found.get("candidate") or {}
    claims = {"candidate": candidate.get("name") if isinstance(candidate, dict) else None,
            "exported_at": found.get("exported_at"),
            "made_on": _day(found.get("exported_at")) if found.get("exported_at") else None,
            "signed_items": len({i.get("evidence_id") for i in found.get("signed_items") or []
                                 if isinstance(i, dict)}),
            "signed_versions": len(found.get("signed_items") or []),
            "pages": len(found.get("pages") or []),
            "stages": [_stage_claims(s) for s in found.get("stages") or []
                       if isinstance(s, dict)]}
    return _one_line({**claims, "signed_words": _signed_words(claims)})


# Direction controls (embeddings, overrides, isolates, marks): a name needs none of them to be
# shown, and a forged record could use them to turn the words around it.
_DIRECTION = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F,
                            0x061C])


def _one_line(value: Any) -> Any:
    """A claim as it may be printed: each text on one line (line breaks and other controls
    become spaces), without direction controls, so a forged record cannot print a line of its
    own ("INTACT: ...") or reverse the service's words around it."""
    if isinstance(value, dict):
        return {key: _one_line(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_one_line(item) for item in value]
    if isinstance(value, str):
        return "".join(" " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char
                       for char in value.translate(_DIRECTION))
    return value


KEY_MEMBERS = {"kty", "crv", "x", "kid"}  # the public key as manifest.sign writes it


def _thumbprint(jwk: Any) -> Optional[str]:
    """A public key's RFC 7638 thumbprint, or None for what is not one."""
    from joserfc.errors import JoseError
    from joserfc.jwk import OKPKey

    try:
        return str(OKPKey.import_key({k: v for k, v in dict(jwk).items()
                                      if k in {"kty", "crv", "x"}}).thumbprint())
    except (JoseError, TypeError, ValueError):
        return None


def _same_key(trusted: Mapping[str, Mapping[str, Any]], named: Any) -> Optional[Mapping[str, Any]]:
    """The trusted key with the same key material as the one the file names, whatever each
    calls itself: keygen's public file names its key by thumbprint, the service by address."""
    wanted = _thumbprint(named) if isinstance(named, dict) else None
    if wanted is None:
        return None
    return next((key for key in trusted.values() if _thumbprint(key) == wanted), None)


def _signature(document: Mapping[str, Any], trusted: Optional[Mapping[str, Mapping[str, Any]]],
               report: Report) -> None:
    """Is the manifest signed, by whom, and does the signature hold?"""
    if not document.get("jws"):
        report.problems.append("The manifest is not signed, so a change to the file and its "
                               "hashes together could not be detected.")
        return
    named = document.get("key") or {}
    if not isinstance(named, dict) or set(named) != KEY_MEMBERS:
        extra = sorted(set(named) - KEY_MEMBERS) if isinstance(named, dict) else []
        report.problems.append(
            f"The signing key signatures.json shows has “{', '.join(extra[:3])}” added, which "
            "the service never writes." if extra else
            "The signing key signatures.json shows is not as the service wrote it.")
        return
    kid = named.get("kid")
    if trusted is not None:
        key = (trusted.get(kid) if kid else None) or _same_key(trusted, named)
        if key is None:
            report.problems.append("The manifest is signed by a key this service has never "
                                   "published: it was not signed here.")
            return
    else:
        key = named
        report.notes.append(f"The signature was checked against the key the file names ({kid}); "
                            "to trust it, check it against the service's published key.")
    if trusted is not None and _thumbprint(named) != _thumbprint(key):
        report.problems.append("The signing key signatures.json shows is not the key this "
                               "service published under its name.")
        return
    if not manifest.signature_holds(document, key):
        report.problems.append("The manifest's signature does not hold: the manifest has been "
                               "changed since the service signed it.")
        return
    report.signed = True


def check(content: bytes, trusted: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Report:
    """Check a PDF's bytes offline. pdffile.NotReadable when it is not a PDF of ours.

    `trusted`: the service's published keys by kid (None: use the key the file names).
    """
    opened = pdffile.read(content)
    if opened.data is None or opened.manifest is None:
        raise pdffile.NotReadable(
            "This PDF does not carry a portfolio's data and signatures, so it cannot be checked "
            "here. A portfolio PDF downloaded straight after a change (the quick copy) has none: "
            "download it again once the archival copy is ready, or check a verification code "
            "printed in it.")
    try:
        document = manifest.loads(opened.manifest, pdffile.MANIFEST_NAME)
        data = manifest.loads(opened.data, pdffile.DATA_NAME)
    except ValueError as error:
        report = Report(problems=[f"The embedded {error}."])
        return report
    found = document.get("manifest")
    if not isinstance(found, dict) or found.get("format") != manifest.FORMAT:
        raise pdffile.NotReadable("This PDF's signatures.json is not a portfolio manifest.")
    shape = manifest_shape.problem(found)
    if shape is not None:  # nothing more is read from it: not its claims, not its codes
        return Report(problems=[shape])
    report = Report(claims=_claims(found), manifest=found)
    _signature(document, trusted, report)
    if manifest.sha256(opened.data) != found.get("data_sha256"):
        report.problems.append("The embedded data (data.json) has been changed since the file "
                               "was made.")
    try:
        report.problems += manifest.content_problems(data, found)
    except (KeyError, TypeError, AttributeError):
        report.problems.append("The embedded data is not in the documented form.")
    if found.get("version") == 1:  # made before page digests covered annotations
        report.problems += manifest.page_problems(opened.content_pages,
                                                  list(found.get("pages") or []))
        report.problems += [f"Page {n} has a note or stamp added after the file was made."
                            for n in opened.annotated]
    else:
        report.problems += manifest.page_problems(opened.pages, list(found.get("pages") or []))
    claimed = found.get("resources")
    report.problems += manifest.resource_problems(
        opened.resources, list(claimed) if isinstance(claimed, list) else None)
    if not isinstance(claimed, list):
        report.notes.append("The file was made before its fonts and images were covered by its "
                            "signature: those are not checked.")
    report.problems += pdfextras.title_problems(opened.title, found)
    report.problems += pdfextras.property_problems(opened.properties, opened.outline, found)
    structure = manifest.structure_problems(opened.structure, found.get("structure"))
    if any(p.startswith("The bookmarks (") for p in report.problems):  # said once is enough
        structure = [p for p in structure if not p.startswith("The bookmarks' ")]
    report.problems += structure
    if found.get("structure") is None:
        report.notes.append("The file was made before its page sizes, rotation, tags, viewer "
                            "settings and link targets were covered by its signature: those are "
                            "not checked.")
    if found.get("outline") is None:
        report.notes.append("The file was made before its bookmarks and document properties "
                            "were covered by its signature: those are not checked.")
    report.problems += opened.changed
    report.saved_again = made_by_lines(opened.made_by, found.get("made_by"))
    if found.get("made_by") is None:
        report.notes.append("The file was made before the program it names as its producer "
                            "and its history were covered by its signature: if another program "
                            "has saved it again, that is not said here.")
    report.problems += pdfembedded.description_problems(opened.descriptions,
                                                        report.claims.get("candidate"))
    if not opened.tagged:
        report.notes.append("The file is not tagged for screen readers.")
    if opened.pdfa != "3A":
        report.notes.append("The file no longer says it is PDF/A-3a.")
    report.intact = not report.problems
    return report


def published_keys(session: Any, config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The service's published keys by kid: the ones a file's signature must come from."""
    from roadmap.credentials.service import published

    return published(session, config)
