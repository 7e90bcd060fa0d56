"""The signature manifest embedded in the archival PDF as signatures.json, and its checking.

Plain hashes alone protect nothing against someone who edits data.json and recomputes them,
so the manifest is signed with the service's Ed25519 credential key (a compact JWS, the same
key and algorithm as the stage credentials): anyone holding the published public key
(/.well-known/jwks.json) can check it offline, and nobody without the private key can make a
changed manifest verify. What the manifest covers:

- data.json's SHA-256, so not one byte of the embedded data can change unseen;
- every signed item's content hash and its signatures, every stage's sign-off (content hash,
  signatures, approvals, verification code);
- the audit chain's head (last event id and hash) when the file was made;
- each page's digest (content streams and annotations), so an edited, added or removed page
  is named;
- the document title and language, as a viewer shows them;
- each page's fonts, images and other resources (their own digest per page);
- the document's other properties (author, subject, keywords, creation date: none but the
  title, unless someone adds them) and the bookmarks beside the pages;
- each page's boxes and rotation (what part of it a viewer shows, and which way up), the tags
  a screen reader reads, and how the file opens and where its links lead (pdfstructure);
- the program the file names as its producer and its metadata's history as made, so that when
  another program has saved it again the check can say so and quote what the file now says,
  as the file's words and not the service's (savedagain.made_by_lines).

Nothing here needs Flask or a database: `roadmap export check` runs it anywhere.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping, Optional

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from roadmap.audit.service import canonical_json
from roadmap.portfolio.content import content_hash

FORMAT = "roadmap-portfolio-manifest"
VERSION = 7  # 2: page digests cover annotations; the title and language are recorded
# 3: each page's fonts, images and other resources have a digest of their own ("resources")
# 4: the document's other properties and the bookmarks ("properties", "outline")
# 5: each page's boxes and rotation, the tags, the viewer settings and links ("structure")
# 6: "structure" also holds how the pages' streams are encoded and the bookmarks whole
# 7: the producer (document information and XMP) and the XMP history as made ("made_by")
ALGORITHM = "Ed25519"  # as roadmap.credentials.keys (not imported: that module reads settings)


def sha256(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def signed_items(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every signed version of every item, with its hash and signatures, from data.json."""
    found = []
    for item in data.get("evidence") or []:
        for version in item.get("versions") or []:
            if version.get("signatures"):
                found.append({"evidence_id": item.get("id"), "title": item.get("title"),
                              "version": version.get("number"),
                              "content_hash": version.get("content_hash"),
                              "signatures": version.get("signatures")})
    return found


def stages(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every stage's sign-off as data.json states it: status, code, hash, signatures, approvals."""
    return [{"code": s.get("code"), "name": s.get("name"), "status": s.get("status"),
             "completed_at": s.get("completed_at"),
             "verification_code": s.get("verification_code"),
             "content_hash": s.get("content_hash"), "signatures": s.get("signatures"),
             "approvals": s.get("approvals")} for s in data.get("stages") or []]


def build(data_bytes: bytes, data: Mapping[str, Any], audit_head: Optional[Mapping[str, Any]],
          pages: list[str], shown: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """The manifest of one file: what it claims, and the digests that hold it to its content."""
    return {
        "format": FORMAT, "version": VERSION, "exported_at": data.get("exported_at"),
        "candidate": data.get("candidate"),
        "enrolment_id": (data.get("enrolment") or {}).get("id"),
        "framework": data.get("framework"),
        "data_sha256": sha256(data_bytes),
        "signed_items": signed_items(data),
        "stages": stages(data),
        "audit_head": dict(audit_head) if audit_head else None,
        "pages": pages,
        # The title a viewer shows and the document language, as made (pdfextras compares).
        "title": (shown or {}).get("title"),
        "lang": (shown or {}).get("lang"),
        "resources": (shown or {}).get("resources"),
        # Version 4: the document's other properties and its bookmarks (pdfextras compares).
        "properties": (shown or {}).get("properties"),
        "outline": (shown or {}).get("outline"),
        # Version 5: each page's boxes and rotation, the tags, how the file opens and leads.
        "structure": (shown or {}).get("structure"),
        # Version 7: the producer and the XMP history as made (savedagain.made_by_lines).
        "made_by": (shown or {}).get("made_by"),
    }


def sign(manifest: Mapping[str, Any], key: OKPKey, kid: str,
         public_jwk: Mapping[str, Any]) -> dict[str, Any]:
    """signatures.json: the manifest, its compact JWS, and the public key that signed it.

    The key in the file only says which key signed; trust comes from the published one.
    """
    token = jws.serialize_compact({"alg": ALGORITHM, "kid": kid},
                                  canonical_json(dict(manifest)), key, algorithms=[ALGORITHM])
    return {"manifest": dict(manifest), "jws": token,
            "key": {**dict(public_jwk), "kid": kid}}


def signature_holds(document: Mapping[str, Any], public_jwk: Mapping[str, Any]) -> bool:
    """True when the JWS verifies with this key and signs exactly the manifest shown."""
    try:
        key = OKPKey.import_key({k: v for k, v in dict(public_jwk).items()
                                 if k in {"kty", "crv", "x"}})
        token = str(document.get("jws") or "").strip().encode("ascii")
        found = jws.deserialize_compact(token, key, algorithms=[ALGORITHM])
    except (JoseError, ValueError, UnicodeError, TypeError, AttributeError):
        return False
    return found.payload == canonical_json(document.get("manifest")).encode("utf-8")


def content_problems(data: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[str]:
    """Every place where data.json and the manifest disagree, or a hash fails, in words."""
    problems = []
    listed = {(i["evidence_id"], i["version"]): i for i in manifest.get("signed_items") or []}
    contents = {(i.get("id"), v.get("number")): (i, v) for i in data.get("evidence") or []
                for v in i.get("versions") or []}
    for key, claimed in listed.items():
        found = contents.get(key)
        title = claimed.get("title") or f"item {key[0]}"
        if found is None:
            problems.append(f"The signed version {key[1]} of “{title}” is missing from the data.")
            continue
        item, version = found
        if version.get("content") is not None and \
                content_hash(version["content"]) != claimed["content_hash"]:
            problems.append(f"The content of “{title}” (version {key[1]}) no longer matches "
                            "its signed hash.")
        if version.get("content_hash") != claimed["content_hash"]:
            problems.append(f"The fingerprint of “{title}” (version {key[1]}) is not the one "
                            "the service signed.")
        if version.get("signatures") != claimed["signatures"]:
            problems.append(f"The signatures on “{title}” (version {key[1]}) are not the ones "
                            "the service signed.")
    for key, (item, version) in contents.items():
        if version.get("signatures") and key not in listed:
            problems.append(f"“{item.get('title')}” (version {key[1]}) claims signatures the "
                            "service's signed record does not list.")
    claimed_stages = {s["code"]: s for s in manifest.get("stages") or []}
    for stage in data.get("stages") or []:
        claimed = claimed_stages.get(stage.get("code"))
        name = stage.get("name") or stage.get("code")
        if claimed is None:
            problems.append(f"{name} is not in the service's signed record.")
            continue
        for field, words in (("verification_code", "verification code is not the one"),
                             ("content_hash", "fingerprint of what was signed is not the one"),
                             ("signatures", "signatures are not the ones"),
                             ("approvals", "approvals are not the ones"),
                             ("status", "status is not the one")):
            if stage.get(field) != claimed.get(field):
                problems.append(f"{name}: the {words} the service signed.")
        signed = stage.get("signed_content")
        if signed is not None and content_hash(signed) != stage.get("content_hash"):
            problems.append(f"{name}: the signed content no longer matches its hash.")
    return problems


def resource_problems(resources: list[str], claimed: Optional[list[str]]) -> list[str]:
    """Pages whose fonts or images differ from the manifest's (files made before version 3
    recorded none: nothing to compare; a different page count is page_problems' to say)."""
    if claimed is None or len(resources) != len(claimed):
        return []
    changed = [n for n, (now, then) in enumerate(zip(resources, claimed), start=1) if now != then]
    if not changed:
        return []
    # Pages share their fonts and images: one swapped font changes dozens of pages at once.
    return [f"The fonts or images of {_pages(changed)} have been changed since the file was "
            "made."]


def _pages(numbers: list[int]) -> str:
    """Page numbers in words, runs collapsed: "pages 1 to 53, 60"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    where = ", ".join(f"{r[0]} to {r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
    return f"page{'s' if len(numbers) > 1 else ''} {where}"


def structure_problems(found: Mapping[str, Any], claimed: Any) -> list[str]:
    """Each page's boxes and rotation, the tags and the viewer settings and links against the
    manifest (files made before version 5 recorded none: nothing to compare)."""
    if not isinstance(claimed, dict):
        return []
    problems = []
    then, now = claimed.get("geometry"), found.get("geometry")
    if isinstance(then, list) and isinstance(now, list) and len(then) == len(now):
        turned = [n for n, (a, b) in enumerate(zip(now, then), start=1) if a != b]
        if turned:
            problems.append(f"The size, crop, rotation or other settings of {_pages(turned)} "
                            "have been changed since the file was made: a viewer may show it "
                            "differently, or hide part of it.")
    if claimed.get("tags") != found.get("tags"):
        problems.append("The tags a screen reader reads (headings, tables, alternative texts) "
                        "have been changed or removed since the file was made.")
    if "encodings" in claimed and claimed.get("encodings") != found.get("encodings"):
        problems.append("How the drawing of some page, or a font or image, is stored has been "
                        "changed since the file was made: a viewer may show it damaged or blank.")
    if "bookmarks" in claimed and claimed.get("bookmarks") != found.get("bookmarks"):
        problems.append("The bookmarks' targets, actions or look have been changed since the "
                        "file was made.")
    if claimed.get("navigation") != found.get("navigation"):
        problems.append("How the file opens, its viewer settings or where its links lead (named "
                        "destinations, page labels, links and notes) have been changed since the "
                        "file was made.")
    return problems


def page_problems(pages: list[str], claimed: list[str]) -> list[str]:
    """Pages added, removed or changed against the manifest's page digests, in words."""
    problems = []
    if len(pages) != len(claimed):
        problems.append(f"The file has {len(pages)} pages; it was made with {len(claimed)}.")
    changed = [n for n, (now, then) in enumerate(zip(pages, claimed), start=1) if now != then]
    if changed:
        listed = ", ".join(str(n) for n in changed[:10]) + (" and more" if len(changed) > 10 else "")
        problems.append(f"Page{'s' if len(changed) > 1 else ''} {listed} "
                        f"{'have' if len(changed) > 1 else 'has'} been changed since the file "
                        "was made.")
    return problems


SIGNED_KEYS = {"manifest", "jws", "key"}  # signatures.json's top level, as sign() writes it


class _Twice(ValueError):
    """A JSON object names the same key twice: a program keeps the last, a person reads the first."""


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Twice(key)
        found[key] = value
    return found


def _no_constant(name: str) -> float:
    """NaN and Infinity are not JSON, and the service never writes them."""
    raise ValueError(name)


def _finite(text: str) -> float:
    """A number as JSON has it; one too large for a float (1e999999) is not one we wrote."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def loads(raw: bytes, what: str) -> dict[str, Any]:
    """A JSON object from an embedded file; ValueError naming the file when it is not one, or
    when it says one thing to a person and another to a program (a key given twice), or when
    signatures.json holds more than the service writes."""
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_once,
                           parse_constant=_no_constant, parse_float=_finite)
    except _Twice as twice:
        raise ValueError(f"{what} gives “{twice.args[0]}” twice (a person reading it sees the "
                         "first, a program the last): it is not as the service wrote it") from None
    except (UnicodeError, ValueError, RecursionError):  # nested too deep to be ours
        raise ValueError(f"{what} is not readable JSON") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a JSON object")
    extra = sorted(set(value) - SIGNED_KEYS) if what == "signatures.json" else []
    if extra:
        raise ValueError(f"{what} has “{', '.join(extra[:3])}” added, which the service never "
                         "writes: it has been changed since the file was made")
    return value
