"""The archival portfolio PDF: one tagged PDF/A-3a pass, its data and signed manifest inside.

Why one pass: joining separately rendered parts (export_pdf, the fast path for a click before
the stored copy is current) drops each part's structure tree, so a screen reader would find
the joined file untagged. The stored copy is made in the background, where its time matters to
nobody, so it is laid out whole: headings, tables, lists and images keep their tags, the
contents' page numbers come from target-counter and the page numbers from CSS counters, all in
the same pass (stamping numbers afterwards would add untagged content to every page).

The file carries two PDF/A-3 associated files: data.json (exactly the ZIP's documented data,
AFRelationship Source) and signatures.json (the manifest, signed: manifest.py, AFRelationship
Data), so `roadmap export check` can tell, with no server, whether anything was changed.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping, Optional

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.orm import Session
from weasyprint import Attachment

from roadmap.audit.models import AuditEvent
from roadmap.cohorts.models import Enrolment
from roadmap.exports import archive, manifest, pdfembedded, pdffile
from roadmap.exports.gather import gather
from roadmap.exports.portfolio import ASSETS, Setup, document, setup

VARIANT = "pdf/a-3a"  # PDF/A-3, level A: tagged, Unicode text, embedded associated files
INTENT = "archival-srgb"


def _profiles() -> dict[str, Any]:
    """The sRGB output intent PDF/A needs, read from WeasyPrint's own copy and closed again.

    Named here rather than left to output_intent="srgb", which makes WeasyPrint 70 open that
    file and never close it (a ResourceWarning on every archival render).
    """
    from importlib.resources import files

    from weasyprint.css import ColorProfile

    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as handle:
        return {INTENT: ColorProfile(handle, "sRGB2014.icc", "relative-colorimetric",
                                     (["r"], ["g"], ["b"]))}


def audit_head(session: Session) -> Optional[dict[str, Any]]:
    """The audit chain's last event when the file is made: any later change comes after it."""
    last = session.execute(sa.select(AuditEvent.id, AuditEvent.hash)
                           .order_by(AuditEvent.id.desc()).limit(1)).first()
    return {"id": last.id, "hash": last.hash} if last else None


def signing_key(config: Mapping[str, Any]) -> Optional[tuple[Any, str, dict[str, Any]]]:
    """The credential key, its kid (where its public half is published) and public JWK."""
    from roadmap.credentials import keys
    from roadmap.credentials.service import issuer_of, key_id

    key = keys.configured(config)
    if key is None:
        return None
    return key, key_id(issuer_of(config), key.thumbprint()), keys.public_jwk(key)


def html(setup_: Setup, p: dict[str, Any]) -> str:
    """The whole portfolio as one HTML document: cover, contents, then every section."""
    sections = [("section-matrix", "Capability matrix", render_template("exports/matrix.html", p=p)),
                ("section-headings", "Capability headings",
                 render_template("exports/headings.html", p=p)),
                ("section-evidence", "Evidence",
                 render_template("exports/items.html", p=p, first=True, items=p["items"])),
                ("section-stages", "Stage checklists and sign-offs",
                 render_template("exports/stages.html", p=p)),
                ("section-timeline", "Audit timeline",
                 render_template("exports/timeline.html", first=True, entries=p["timeline"]))]
    children = {"section-headings": [{"anchor": h["anchor"], "label": f"{h['code']}. {h['title']}"}
                                     for h in p["headings"]],
                "section-evidence": [{"anchor": i["anchor"],
                                      "label": f"E{i['number']}. {i['title']}"}
                                     for i in p["items"]]}
    toc = [{"anchor": anchor, "label": label, "children": children.get(anchor, [])}
           for anchor, label, _body in sections]
    body = (render_template("exports/cover.html", p=p)
            + render_template("exports/archival_contents.html", toc=toc)
            + "".join(f'<div id="{anchor}">{body}</div>' for anchor, _label, body in sections))
    name = p["candidate"].full_name
    page = document(setup_, body, name, f"Portfolio of {name}")
    return page.replace('<link rel="stylesheet" href="print.css">',
                        '<link rel="stylesheet" href="print.css">\n'
                        '<link rel="stylesheet" href="archival.css">', 1)


def data_bytes(session: Session, enrolment: Enrolment, today: dt.date, drafts: bool = True) -> bytes:
    """data.json as the ZIP has it (roadmap/exports/export-schema.json), drafts as the PDF has them."""
    return json.dumps(archive.data(session, enrolment, today, drafts, printing=True), indent=2,
                      ensure_ascii=False,
                      default=str).encode("utf-8")


def archival_pdf(session: Session, enrolment: Enrolment, today: dt.date, *, content: bool = True,
                 drafts: bool = True, setup_: Optional[Setup] = None, tagged: bool = True,
                 config: Optional[Mapping[str, Any]] = None) -> bytes:
    """The stored, archival portfolio: tagged PDF/A-3a with data.json and signatures.json.

    `tagged=False` renders the same document untagged and without PDF/A: only for measuring
    what the tags cost.
    """
    from roadmap.exports.render import render

    setup_ = setup_ or setup()
    p = gather(session, enrolment, today, setup_.image_dir, content, drafts=drafts)
    raw = data_bytes(session, enrolment, today, drafts)
    name = p["candidate"].full_name
    options: dict[str, Any] = {}
    if tagged:
        options = {"pdf_variant": VARIANT, "pdf_tags": True, "output_intent": INTENT,
                   "color_profiles": _profiles(), "attachments": [Attachment(
            string=raw, name=pdffile.DATA_NAME, relationship="Source",
            description=pdfembedded.DATA_DESCRIPTION.format(name=name))]}
    document = html(setup_, p)
    del p  # the gathered data: not needed while the layout is at its largest
    pdf = render(document, (ASSETS / "print.css").as_uri(), setup_.roots, lean=True, **options).pdf
    if not tagged:
        return pdf
    pages, shown = pdffile.made_as(pdf)
    found = manifest.build(raw, json.loads(raw), audit_head(session), pages, shown)
    key = signing_key(config if config is not None else current_app.config)
    signed = (manifest.sign(found, *key) if key is not None
              else {"manifest": found, "jws": None, "key": None})
    return pdffile.attach(pdf, pdffile.MANIFEST_NAME,
                          json.dumps(signed, indent=2, ensure_ascii=False).encode("utf-8"),
                          pdfembedded.MANIFEST_DESCRIPTION, "Data")
