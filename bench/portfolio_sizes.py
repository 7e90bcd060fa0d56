"""How big a portfolio is when a WPBA lands in it, from a database bench/seed.py filled.

The stored PDF's background cost per change grows with the portfolio, so a national day's
cost (bench/pdf.py) is best taken at the size a typical change meets, not the biggest:

    .venv/bin/python bench/seed.py --scale 10 --database-url sqlite:////tmp/national.sqlite3 --argon2-profile fast
    .venv/bin/python bench/portfolio_sizes.py --database-url sqlite:////tmp/national.sqlite3
    .venv/bin/python bench/pdf.py --items <the mean it prints>

Prints, for the WPBAs of the last 30 days, the number of items their portfolio held then
(mean, median, 90th centile, most), and the WPBAs of the last year (the seed's calibration).
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roadmap.db import make_engine  # noqa: E402

WPBA_CODES = ("cot", "cbd", "mini_cex", "ceps_dops")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    with engine.connect() as connection:
        codes = dict(connection.execute(sa.text("SELECT id, code FROM evidence_types")).all())
        rows = connection.execute(sa.text(
            "SELECT enrolment_id, evidence_type_id, created_at FROM evidence ORDER BY created_at")).all()
    engine.dispose()
    when = [(e, codes[t], at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at)))
            for e, t, at in rows]
    latest = max(at for _e, _c, at in when)
    created: dict[int, list[dt.datetime]] = defaultdict(list)
    for enrolment, _code, at in when:
        created[enrolment].append(at)
    month, year = latest - dt.timedelta(days=30), latest - dt.timedelta(days=365)
    sizes = sorted(bisect.bisect_right(created[e], at) for e, code, at in when
                   if code in WPBA_CODES and at >= month)
    yearly = sum(1 for _e, code, at in when if code in WPBA_CODES and at >= year)
    print(f"{len(created)} portfolios; {yearly} WPBAs in the last year")
    print(f"{len(sizes)} WPBAs in the last 30 days; items in their portfolio then: mean "
          f"{statistics.mean(sizes):.1f}, median {sizes[len(sizes) // 2]}, 90th centile "
          f"{sizes[int(0.9 * len(sizes))]}, most {sizes[-1]}")


if __name__ == "__main__":
    main()
