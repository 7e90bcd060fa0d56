"""A forged signed record (signatures.json) of any form is answered in words, never with a
server error, a traceback or minutes of work: an outsider's forged manifests gave /verify 500s
(a number where the pages were listed, a list where an id was) and one with 20,000 stages
kept a request busy for minutes while others waited."""
from __future__ import annotations

import json
import time

import pytest

from roadmap.exports import check
from tests.exports import test_archival as made
from tests.exports.test_archival import _embedded, _replace, _rewrite
from tests.exports.test_archival_verify import _upload

app_config, enrolment, pdf = made.app_config, made.enrolment, made.pdf


def _with_signed(pdf: bytes, change) -> bytes:
    def rewrite(doc):
        document = json.loads(_embedded(doc, "signatures.json"))
        change(document)
        _replace(doc, "signatures.json", json.dumps(document).encode())
    return _rewrite(pdf, rewrite)


def _stage_copies(document):
    document["manifest"]["stages"] = document["manifest"]["stages"][:1] * 20_000


FORGED = {
    "pages a number": lambda d: d["manifest"].__setitem__("pages", 5),
    "an item's id a list": lambda d: d["manifest"]["signed_items"][0].__setitem__(
        "evidence_id", [1, 2]),
    "an item's version a word": lambda d: d["manifest"]["signed_items"][0].__setitem__(
        "version", "2"),
    "the audit head a list": lambda d: d["manifest"].__setitem__("audit_head", [1, "x"]),
    "the enrolment a list": lambda d: d["manifest"].__setitem__("enrolment_id", [3]),
    "20,000 stages": _stage_copies,
}


@pytest.mark.parametrize("forged", list(FORGED))
def test_a_forged_record_of_another_form_is_not_intact_and_no_error(client, pdf, forged):
    changed = _with_signed(pdf, FORGED[forged])
    started = time.monotonic()
    report = check.check(changed)
    assert not report.intact and report.claims == {} and report.manifest == {}
    assert any(p.startswith("The embedded signed record (signatures.json) is not in the form "
                            "the service writes") for p in report.problems), report.problems
    assert time.monotonic() - started < 30
    response = _upload(client, changed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This portfolio PDF has been changed" in page
    assert "is not in the form the service writes" in page


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"1e999999"])
def test_numbers_json_does_not_have_are_refused(pdf, value):
    def rewrite(doc):
        raw = _embedded(doc, "signatures.json")
        _replace(doc, "signatures.json", raw.replace(b'"version": ', b'"version": ' + value
                                                    + b', "was": ', 1))
    report = check.check(_rewrite(pdf, rewrite))
    assert not report.intact
    assert any("signatures.json is not readable JSON" in p for p in report.problems), \
        report.problems


def test_the_key_shown_in_the_file_is_the_key_that_signed_it_and_nothing_more(pdf, app, session):
    from roadmap.exports.check import published_keys

    trusted = published_keys(session, app.config)
    named = lambda d: d["key"].__setitem__(  # noqa: E731
        "name", "NHS England: Stage 2 approved by the education provider")
    report = check.check(_with_signed(pdf, named), trusted)
    assert not report.intact and any("“name” added" in p for p in report.problems), \
        report.problems

    def other_key(document):
        document["key"]["x"] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    report = check.check(_with_signed(pdf, other_key), trusted)
    assert not report.intact and any("is not the key this service published" in p
                                     for p in report.problems), report.problems
    report = check.check(_with_signed(pdf, lambda d: d["key"].pop("x")), trusted)
    assert not report.intact


def test_a_code_in_our_records_lines_never_breaks_and_the_rest_is_escaped():
    from roadmap.exports.blueprint import codes_unbroken

    said = codes_unbroken("Stage 1 <b>: the verification code RM-AB12C-DE34F is genuine.")
    assert str(said) == ('Stage 1 &lt;b&gt;: the verification code <span class="roadmap-nowrap">'
                         'RM-AB12C-DE34F</span> is genuine.')
