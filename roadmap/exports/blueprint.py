"""The exports blueprint and who may have what: exports to the candidate and current supervisors."""
from __future__ import annotations

import re

from flask import Blueprint
from markupsafe import Markup, escape

from roadmap.web.reach import Reach

bp = Blueprint("exports", __name__)
# A hub lead gets no reflective text and a former supervisor nothing newer than they signed:
# neither exports. A former supervisor keeps the statement of a stage they signed off.
EXPORTERS = {Reach.OWNER, Reach.SUPERVISOR}
STATEMENT_READERS = {Reach.OWNER, Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY}

_CODE = re.compile(r"RM(?:-[A-Z0-9]+)+")


@bp.app_template_filter("codes_unbroken")
def codes_unbroken(text: str) -> Markup:
    """Text with each verification code (RM-ABCDE-…) kept on one line: a code broken after
    "RM-" reads as two things."""
    escaped = str(escape(text))
    return Markup(_CODE.sub(lambda m: f'<span class="roadmap-nowrap">{m.group(0)}</span>', escaped))
