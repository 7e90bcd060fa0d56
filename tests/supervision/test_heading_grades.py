"""Assessing as the form defines: a CBD's supervisor grades each heading the candidate tagged;
the grades are signed with the rest and shown wherever the item is read; one scale reads one way."""
from __future__ import annotations

import html
import re


from roadmap.portfolio.models import Evidence
from tests.fixtures.msk import assessor_answers


def _form(make_item, item, type_code="cbd", **changes):
    answers = {**assessor_answers(make_item, type_code), **changes}
    return {**{f"answer_{code}": value for code, value in answers.items() if value is not None},
            "lock_version": item.lock_version}


def _text(response) -> str:
    """The page's words, tags and spacing aside."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.get_data(as_text=True))))


def test_the_cbd_page_asks_a_grade_for_each_tagged_heading_only(client, login, team, make_item):
    item = make_item("cbd", headings=("1", "3"))
    login(client, team.primary)
    page = client.get(f"/supervision/items/{item.id}").get_data(as_text=True)
    assert "Grade for each capability heading" in page
    assert 'name="answer_heading_1"' in page and 'name="answer_heading_3"' in page
    assert 'name="answer_heading_2"' not in page  # not tagged, not graded
    text = html.unescape(page)
    assert "1. Communication" in text and "3. History-taking" in text
    assert "Jo Candidate linked these headings to the item" in text


def test_a_type_that_grades_no_heading_asks_none(client, login, team, make_item):
    item = make_item("mini_cex", headings=("1",))
    login(client, team.primary)
    page = client.get(f"/supervision/items/{item.id}").get_data(as_text=True)
    assert "answer_heading_" not in page and "Grade for each capability heading" not in page


def test_every_tagged_heading_must_be_graded(client, login, session, team, make_item):
    item = make_item("cbd", headings=("1", "3"))
    login(client, team.primary)
    data = _form(make_item, item)
    del data["answer_heading_1"]
    refused = client.post(f"/supervision/items/{item.id}", data=data)
    assert refused.status_code == 400
    page = _text(refused)
    assert "Grade 1. Communication" in page
    assert 'href="#answer_heading_1"' in refused.get_data(as_text=True)
    made_up = client.post(f"/supervision/items/{item.id}",
                          data={**_form(make_item, item), "answer_heading_1": "brilliant"})
    assert made_up.status_code == 400  # only the scale's levels


def test_the_grades_are_signed_and_shown_with_the_item(client, app, login, session, team,
                                                       make_item, signs):
    item = make_item("cbd", headings=("1", "3"))
    login(client, team.primary)
    done = signs(client, f"/supervision/items/{item.id}",
                 _form(make_item, item, heading_1="competent", heading_3="excellent"))
    assert done.status_code == 302
    session.rollback()
    session.expire_all()
    signed = session.get(Evidence, item.id)
    assert signed.status == "signed"
    assert (signed.fields["heading_1"], signed.fields["heading_3"]) == ("competent", "excellent")
    assert "heading_2" not in signed.fields  # only the tagged headings' grades are kept
    candidate = app.test_client()
    login(candidate, team.candidate)
    page = _text(candidate.get(f"/portfolio/evidence/{item.id}"))
    assert "Grade for each capability heading" in page
    assert "1. Communication C: Capable" in page and "3. History-taking E: Excellent" in page


def test_one_scale_reads_one_way_capable_never_competent(client, login, team, make_item):
    item = make_item("cbd", headings=("1",))
    login(client, team.primary)
    assess = _text(client.get(f"/supervision/items/{item.id}"))
    heading = _text(client.get(f"/supervision/candidates/{team.enrolment.id}/headings/"
                               f"{make_item.capabilities['1'].id}"))
    assert "C: Capable" in assess and "Capable" in heading
    assert "Competent" not in assess.replace("Competent without supervision", "")
    levels = {scale["code"]: [level["label"] for level in scale["levels"]]
              for scale in team.version.document["scales"]}
    # The I / N / C / E grades read as the capability scale does, letter aside.
    grades = [label.split(": ", 1)[1] for label in levels["wpba_grade"] if ": " in label]
    assert grades == levels["capability"]


def test_each_way_out_of_a_grade_fits_the_evidence_type(client, login, team, make_item):
    """A CBD is a discussion, not a consultation: a heading it did not reach is "not discussed".
    An overall judgement is always given, so it offers no way out at all."""
    login(client, team.primary)
    cbd = _text(client.get(f"/supervision/items/{make_item('cbd', headings=('1', '3')).id}"))
    assert "consultation" not in cbd
    assert cbd.count("Not discussed in this case") == 2  # one per tagged heading, not overall
    cot = _text(client.get(f"/supervision/items/{make_item('cot', headings=('1',)).id}"))
    assert cot.count("Not seen in this consultation") == 13  # the criteria, not the overall
    mini_cex = _text(client.get(f"/supervision/items/{make_item('mini_cex', headings=('1',)).id}"))
    assert mini_cex.count("Not observed") == 6  # each part, not the overall clinical care
