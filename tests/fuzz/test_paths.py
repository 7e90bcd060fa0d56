"""Every id in every path, out of range: 404 for anyone, never a server error."""
from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from roadmap import create_app

ROLES = ("anonymous", "candidate", "supervisor", "hub_lead", "admin")
# Past a 32-bit and a 64-bit column, and the 10^23.
HUGE = (2**31, 2**63, 10**23)
OTHER_ARGUMENTS = {"kind": "pdf", "stage_code": "stage2", "type_code": "cbd",
                   "token": "t" * 40, "job_id": "A" * 32, "code": "RM-AAAAA", "filename": "badge.svg"}
RULES = [rule for rule in create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).url_map.iter_rules()
         if any(isinstance(c, IntegerConverter) for c in rule._converters.values())]


def _urls(app, rule, number):
    """The rule's URL with every integer argument set to the number."""
    values = {name: number if isinstance(converter, IntegerConverter) else OTHER_ARGUMENTS[name]
              for name, converter in rule._converters.items()}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


@pytest.mark.parametrize("role", ROLES)
def test_an_id_out_of_range_is_not_found(role, app, player):
    client = player(role)
    failures = []
    for rule in RULES:
        for number in HUGE:
            url = _urls(app, rule, number)
            for method in sorted(rule.methods & {"GET", "POST"}):
                try:
                    status = client.open(url, method=method).status_code
                except Exception as error:  # noqa: BLE001  (the app raised: the finding)
                    status = f"{type(error).__name__}: {str(error)[:120]}"
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{method} {url} as {role}: {status}")
    assert not failures, "\n".join(failures)
