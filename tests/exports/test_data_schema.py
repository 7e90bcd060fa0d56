"""data.json, as the ZIP and the archival PDF carry it, passes its own schema.json for every
portfolio in the demo: an outsider found an educational supervisor's entry failing it."""
from __future__ import annotations

import json

import jsonschema
import sqlalchemy as sa

from roadmap.clock import today
from roadmap.cohorts.models import Enrolment
from roadmap.exports import archive


def test_every_demo_portfolios_data_passes_the_schema_it_ships_with(demo_data, session):
    schema = json.loads(archive.SCHEMA.read_text())
    checker = jsonschema.validators.validator_for(schema)(schema,
                                                          format_checker=jsonschema.FormatChecker())
    session.rollback()
    enrolments = session.scalars(sa.select(Enrolment).order_by(Enrolment.id)).all()
    assert len(enrolments) > 3
    kinds = set()
    for enrolment in enrolments:
        for drafts in (True, False):
            content = json.loads(json.dumps(archive.data(session, enrolment, today(), drafts),
                                            ensure_ascii=False, default=str))
            problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                        for e in checker.iter_errors(content)]
            assert not problems, (enrolment.id, problems[:5])
            kinds |= {s["kind"] for s in content["supervisors"]}
    assert {"primary", "backup", "educational"} <= kinds  # every kind of supervisor was checked
