"""Our reading of a PDF's XMP title against pdf.js's (Firefox's viewer): whenever the check
trusts the packet (pdfxmp.problems says nothing) and reads only the made title, pdf.js must
show the made title too. Each hostile rewrite in xmp_variants, and random chains of them, is
put into a PDF shaped like the service's (WeasyPrint, PDF/A-3a, the same title in the document
information and in dc:title), and all the files go through one pdf.js run.
"""
from __future__ import annotations

import functools
import gc
import io
import tempfile
import warnings
from pathlib import Path

import pikepdf
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from roadmap.exports import pdffile, pdfxmp
from tests.exports import xmp_variants
from tests.exports.pdfjs import shown_titles

MADE_TITLE = "Portfolio of Siân O’Brien"


@functools.cache
def _made() -> tuple[bytes, str]:
    """A small PDF made as the service makes its own (WeasyPrint's PDF/A-3a, tagged, then an
    embedded file attached and saved again, which rewrites the packet), the title in the
    document information and in the XMP packet, and its XMP packet as text."""
    import weasyprint

    with warnings.catch_warnings():
        # WeasyPrint leaves its PDF/A colour profile's file to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)
        made = weasyprint.HTML(string=f"<html lang=en><title>{MADE_TITLE}</title><p>Portfolio"
                               ).write_pdf(pdf_variant="pdf/a-3a", pdf_tags=True)
        gc.collect()
    made = pdffile.attach(made, "data.json", b"{}", "The portfolio's data", "Source")
    with pikepdf.open(io.BytesIO(made)) as pdf:
        packet = pdf.Root.Metadata.read_bytes().decode("utf-8")
    assert xmp_variants.title_of(packet) == MADE_TITLE
    return made, packet


def _build(packet: xmp_variants.Packet, path: Path) -> dict:
    """The made PDF with its XMP packet replaced, written to `path`, and what our check reads
    from it."""
    made, _ = _made()
    data = packet.encode("utf-8", "surrogateescape") if isinstance(packet, str) else packet
    with pikepdf.open(io.BytesIO(made)) as pdf:
        pdf.Root.Metadata.write(data)
        pdf.save(path, fix_metadata_version=False)
    with pikepdf.open(path) as pdf:
        info = pdf.trailer.get("/Info")
        title = info.get("/Title") if isinstance(info, pikepdf.Dictionary) else None
        return {"problems": pdfxmp.problems(pdf), "titles": pdfxmp.xmp_titles(pdf),
                "info_title": None if title is None else str(title)}


def _trusted(ours: dict) -> bool:
    """Whether our check would call the title intact: the packet trusted, every dc:title
    alternative and the document information's Title the made title."""
    return (ours["problems"] == [] and ours["info_title"] == MADE_TITLE
            and all(title == MADE_TITLE for title in ours["titles"]))


def _disagreements(cases: dict[str, xmp_variants.Packet], folder: Path) -> dict[str, str]:
    """Each case our check trusts but pdf.js shows with another title (or cannot open), with
    what each read."""
    paths, ours = {}, {}
    for number, (name, packet) in enumerate(cases.items()):
        paths[name] = folder / f"{number:04d}.pdf"
        ours[name] = _build(packet, paths[name])
    theirs = dict(zip(cases, shown_titles(list(paths.values()))))
    found = {}
    for name in cases:
        # Stricter than what the title bar shows: pdf.js's own reading of dc:title (which it
        # drops for the document information's when it is "Untitled") is the made title too.
        if _trusted(ours[name]) and (theirs[name].get("shown") != MADE_TITLE
                                     or theirs[name].get("xmp_title") != MADE_TITLE):
            found[name] = (f"we read {ours[name]['titles']!r}, pdf.js shows "
                           f"{theirs[name].get('shown')!r} (its dc:title "
                           f"{theirs[name].get('xmp_title')!r}, error "
                           f"{theirs[name].get('error')!r})")
    return found


def _report(found: dict[str, str]) -> str:
    return (f"{len(found)} rewrites of the XMP packet that the check trusts while pdf.js shows "
            "another title:\n" + "\n".join(f"  {name}: {why}" for name, why in found.items()))


def test_the_made_packet_is_trusted_and_pdfjs_shows_its_title(tmp_path):
    """The comparison cannot pass for nothing: unchanged, both read the made title."""
    _, packet = _made()
    path = tmp_path / "made.pdf"
    ours = _build(packet, path)
    assert ours == {"problems": [], "titles": [MADE_TITLE], "info_title": MADE_TITLE}
    [theirs] = shown_titles([path])
    assert theirs == {"file": str(path), "info_title": MADE_TITLE, "xmp_title": MADE_TITLE,
                      "shown": MADE_TITLE}


def test_the_variants_are_many_and_distinct():
    _, packet = _made()
    assert len(xmp_variants.VARIANTS) >= 80
    rewritten = {name: fn(packet) for name, fn in xmp_variants.VARIANTS.items()}
    assert all(value != packet for value in rewritten.values())


def test_every_rewrite_the_check_trusts_pdfjs_shows_with_the_made_title(tmp_path):
    _, packet = _made()
    cases = {name: fn(packet) for name, fn in xmp_variants.VARIANTS.items()}
    found = _disagreements(cases, tmp_path)
    assert not found, _report(found)


def test_random_chains_of_rewrites_agree_with_pdfjs(tmp_path):
    _, packet = _made()
    cases = {" + ".join(names): xmp_variants.composed(names, packet)
             for names in xmp_variants.random_compositions(200, seed=20261207)}
    found = _disagreements(cases, tmp_path)
    assert not found, _report(found)


# No shrinking: each step is a pdf.js run, and the failure names every disagreeing chain.
@settings(max_examples=3, deadline=None, database=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(xmp_variants.compositions(), min_size=40, max_size=40))
def test_chains_drawn_by_hypothesis_agree_with_pdfjs(chains):
    """Chains drawn (and, on failure, shrunk) by hypothesis, 40 to one pdf.js run."""
    _, packet = _made()
    cases = {" + ".join(names): xmp_variants.composed(names, packet) for names in chains}
    with tempfile.TemporaryDirectory() as folder:
        found = _disagreements(cases, Path(folder))
    assert not found, _report(found)
