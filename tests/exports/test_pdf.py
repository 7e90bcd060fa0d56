"""The portfolio PDF, rendered from the demo data and read back: complete, numbered, bookmarked."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from roadmap.accounts.models import User
from roadmap.clock import today
from roadmap.cohorts.models import Enrolment
from roadmap.exports import portfolio
from roadmap.exports.gather import gather
from roadmap.exports.render import RenderFailed
from roadmap.framework.models import Capability
from roadmap.portfolio.models import Evidence, EvidenceVersion
from roadmap.supervision.models import Signature


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["EXPORT_DIR"] = str(tmp_path / "exports")
    app_config["EXPORT_WORKERS"] = 2
    return app_config


@pytest.fixture
def demo(demo_data, session):
    """The demo data; candidate1's enrolment."""
    session.rollback()
    candidate = session.scalar(sa.select(User).where(User.email == "candidate1@example.nhs.uk"))
    return session.scalar(sa.select(Enrolment).where(Enrolment.candidate_id == candidate.id))


@dataclasses.dataclass
class Rendered:
    """The demo candidate's PDF and the export folder (its rendered-part cache) it was made in."""

    pdf: bytes
    export_dir: Path


@pytest.fixture(scope="module")
def demo_renders() -> dict[dt.date, Rendered]:
    """The demo portfolio rendered once a module by day (filled by `demo_pdf`): the PDF depends
    only on the demo's rows, copied row for row into each test's database, and the day."""
    return {}


@pytest.fixture
def demo_pdf(app, session, demo, demo_renders, tmp_path_factory) -> Rendered:
    """The demo candidate's whole portfolio, exported with WeasyPrint by the first test asking."""
    day = today()
    if day not in demo_renders:
        folder = tmp_path_factory.mktemp("demo-export")
        with app.app_context():
            setup = dataclasses.replace(portfolio.setup(), export_dir=folder)
            demo_renders[day] = Rendered(portfolio.export_pdf(session, demo, day, setup_=setup),
                                         folder)
    return demo_renders[day]


def _text(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def _squash(text: str) -> str:
    """Text without line breaks or spaces, so a wrapped title or hash still matches."""
    return re.sub(r"\s+", "", text)


def _outline(reader: PdfReader, entries=None, depth=0):
    found = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            found.extend(_outline(reader, entry, depth + 1))
        else:
            found.append((depth, entry.title, reader.get_destination_page_number(entry)))
    return found


def test_demo_portfolio_is_complete_numbered_and_bookmarked(session, demo, demo_pdf):
    reader, pages = _text(demo_pdf.pdf)
    whole = _squash("\n".join(pages))
    capabilities = session.scalars(sa.select(Capability).where(
        Capability.framework_version_id == demo.framework_version_id)).all()
    for capability in capabilities:
        assert _squash(f"{capability.code}. {capability.title}") in whole
    items = session.scalars(sa.select(Evidence).where(Evidence.enrolment_id == demo.id)).all()
    assert len(items) > 20
    for item in items:
        assert _squash(item.title) in whole, item.title
    signatures = session.scalars(
        sa.select(Signature).join(EvidenceVersion, EvidenceVersion.id == Signature.subject_id)
        .join(Evidence, Evidence.id == EvidenceVersion.evidence_id)
        .where(Signature.subject_type == "evidence_version", Evidence.enrolment_id == demo.id)).all()
    assert signatures
    for signature in signatures:
        assert _squash(signature.signer_name) in whole
        assert _squash(portfolio_capacity(signature.capacity)) in whole
        assert signature.content_hash in whole
    name = session.get(User, demo.candidate_id).full_name
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert name in text
    outline = _outline(reader)
    top = [title for depth, title, _ in outline if depth == 0]
    assert top == ["Contents", "Capability matrix", "Capability headings", "Evidence",
                   "Stage checklists and sign-offs", "Audit timeline"]
    pages_in_order = [page for _, _, page in outline]
    assert pages_in_order == sorted(pages_in_order)
    for depth, title, page in outline:
        assert _squash(title) in _squash(pages[page]), (title, page)
    headings = [title for depth, title, _ in outline if depth == 1
                and re.match(r"^\d+\. ", title)]
    assert len(headings) == len(capabilities)
    evidence = [title for depth, title, _ in outline if depth == 1 and title.startswith("E")]
    assert len(evidence) == len(items)
    # The contents give every section and item with the page it starts on, in the footer's
    # numbering, however many pages the contents themselves take.
    contents = [page for depth, title, page in outline if depth == 0 and title == "Contents"][0]
    first_body = next(page for depth, title, page in outline if page > contents and depth == 0)
    listed = [(_squash(match[1]), int(match[2])) for page in reader.pages[contents:first_body]
              for match in re.finditer(r"^\s*(\S.*?)\s{2,}(\d+)\s*$",
                                       page.extract_text(extraction_mode="layout"), re.M)]
    expected = [(_squash(title), page + 1) for _, title, page in outline if page >= first_body]
    assert len(listed) == len(expected)
    for (label, number), (title, page) in zip(listed, expected):
        assert title.startswith(label) and number == page, (label, number, title, page)


def test_one_process_alone_makes_the_same_document_as_several(app, session, team, make_item,
                                                             tmp_path):
    """A small portfolio of seven parts (two runs of items), not the demo's: what is compared
    is how parts laid out in other processes are joined, which the part count exercises."""
    for number in range(portfolio.ITEMS_PER_PART + 2):
        make_item("cbd", headings=(str(1 + number % 3),)).title = f"Case number {number}"
    session.commit()
    with app.app_context():
        setup = portfolio.setup()
        p = gather(session, team.enrolment, today(), setup.image_dir, True)
        domains = len({h["domain"] for h in p["headings"]})
        # cover, matrix, each domain's headings, 2 runs of items, stages, timeline
        assert len(portfolio.parts(p)) == 2 + domains + 2 + 2
        several = portfolio.export_pdf(session, team.enrolment, today())
        alone = portfolio.export_pdf(session, team.enrolment, today(),
                                     setup_=dataclasses.replace(setup, workers=1,
                                                                export_dir=tmp_path / "alone"))
    assert setup.workers == 2 and not (tmp_path / "alone" / "cache").samefile(setup.cache.folder)
    several_reader, several_pages = _text(several)
    assert "Case number 7" in "".join(several_pages)
    alone_reader, alone_pages = _text(alone)
    assert several_pages == alone_pages
    assert _outline(several_reader) == _outline(alone_reader)


def test_a_part_that_cannot_be_laid_out_fails_the_export(app, session, demo, tmp_path,
                                                         monkeypatch):
    """Whichever process renders it: the workers' error comes back to the export.

    One process renders the parts in order: there the bad part is the first, so the export
    fails without laying out the rest first. With workers it is the last part, its image
    adding to its cost, which decides which process takes it."""
    real = portfolio.parts
    bad = '<img src="http://example.com/x.png" alt="x">'
    where = {"part": 0}

    def with_a_remote_image(p):
        bodies = real(p)
        at = where["part"] % len(bodies)
        return [body + bad if index == at else body for index, body in enumerate(bodies)]

    monkeypatch.setattr(portfolio, "parts", with_a_remote_image)
    with app.app_context():
        setup = portfolio.setup()
        for workers, part in ((1, 0), (2, -1)):
            where["part"] = part
            with pytest.raises(RenderFailed, match="example.com"):
                portfolio.export_pdf(session, demo, today(), setup_=dataclasses.replace(
                    setup, workers=workers, export_dir=tmp_path / str(workers)))


def portfolio_capacity(capacity: str) -> str:
    from roadmap.exports.gather import capacity_words
    return capacity_words(capacity)


def test_a_second_export_reuses_every_unchanged_part(app, session, demo, demo_pdf):
    """The first export is the shared one (`demo_pdf`), its folder copied into this app's."""
    with app.app_context():
        setup = portfolio.setup()
        shutil.copytree(demo_pdf.export_dir, setup.export_dir, dirs_exist_ok=True)
        cached = sorted(setup.cache.folder.rglob("*.pdf"))
        first = portfolio.export_pdf(session, demo, today())
        assert sorted(setup.cache.folder.rglob("*.pdf")) == cached, "every part was reused"
        # The earliest item with a written answer (the analysis' files item has none).
        item, code = next((item, k) for item in session.scalars(
            sa.select(Evidence).where(Evidence.enrolment_id == demo.id)
            .order_by(Evidence.occurred_on, Evidence.id))
            for k, v in item.fields.items() if isinstance(v, str) and len(v) > 40)
        item.fields = {**item.fields, code: "An answer changed after the first export."}
        session.commit()
        second = portfolio.export_pdf(session, demo, today())
    added = sorted(set(setup.cache.folder.rglob("*.pdf")) - set(cached))
    # The changed item's run of items; the contents too if a page number moved.
    assert 1 <= len(added) <= 2
    assert "An answer changed after the first export." in "".join(_text(second)[1])
    assert first != second
