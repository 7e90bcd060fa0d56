"""The analysis's blueprint and what its views share: the candidate's page, rendered."""
from __future__ import annotations

from typing import Optional

from flask import Blueprint, render_template

from roadmap.lna.forms import AnalysisForm
from roadmap.lna.queries import AnalysisPage

# The candidate's page sits in the portfolio (/portfolio/...), so the portfolio's autosave
# keeps its answers; the confirmers' pages under /learning-needs-analyses.
bp = Blueprint("lna", __name__)


def candidate_page(page: AnalysisPage, form: AnalysisForm, problem: Optional[str] = None,
                   file_error: Optional[str] = None, code: int = 200,
                   file_marked: Optional[object] = None,
                   file_excerpts: Optional[list] = None) -> tuple[str, int]:
    """The candidate's analysis page: the form while a draft, then what was sent and decided
    (with an upload held back by the patient-details check: `file_marked`, `file_excerpts`)."""
    return render_template("lna/analysis.html", page=page, form=form, problem=problem,
                           file_error=file_error, file_marked=file_marked,
                           file_excerpts=file_excerpts), code
