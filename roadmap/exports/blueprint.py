"""The exports blueprint and who may have what: exports to the candidate and current supervisors."""
from __future__ import annotations

from flask import Blueprint

from roadmap.web.reach import Reach

bp = Blueprint("exports", __name__)
# A hub lead gets no reflective text and a former supervisor nothing newer than they signed:
# neither exports. A former supervisor keeps the statement of a stage they signed off.
EXPORTERS = {Reach.OWNER, Reach.SUPERVISOR}
STATEMENT_READERS = {Reach.OWNER, Reach.SUPERVISOR, Reach.SUPERVISOR_READONLY}
