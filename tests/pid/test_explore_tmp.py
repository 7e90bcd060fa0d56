import json
import sqlalchemy as sa
from roadmap.db import Base
from roadmap.pid import scan
from roadmap.exports import archive, gather
from roadmap.cohorts.models import Enrolment
from roadmap import clock


def walk(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from walk(v)


def test_explore(demo_data, session):
    out = open("/tmp/pidwork/explore.txt", "w")
    for table in Base.metadata.tables.values():
        cols = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
        for c in cols:
            for value in session.execute(sa.select(c)).scalars():
                for s in walk(value):
                    f = scan(s)
                    if f:
                        print(table.name, c.name, [(x.kind, x.text) for x in f], repr(s[:150]), file=out)
    print("=== outputs", file=out)
    for e in session.scalars(sa.select(Enrolment)):
        d = archive.data(session, e, clock.today())
        for s in set(walk(json.loads(json.dumps(d, default=str)))):
            f = scan(s)
            if f:
                print("zip", e.id, [(x.kind, x.text) for x in f], repr(s[:150]), file=out)
    out.close()
