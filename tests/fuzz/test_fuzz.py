"""Every form of every route, as every role that reaches it, posted with hostile values.

Each role crawls the pages it reaches from its home page (an outsider: from the links an
outsider holds), reads every form and every link with a query, then sends each endpoint
hypothesis-generated values: huge and non-numeric integers, far dates, control characters,
1 MB of text, CJK, emoji, right-to-left text, bytes that are not UTF-8, hostile files, empty,
missing and repeated fields. No response may be a server error. The state one example leaves
is the next example's world, as it would be for a person.

Every field is first swept with each hostile value of its kind (hostile.sweep); hypothesis then
sends mixed examples, 6 to 15 per endpoint: most of the run's time, so the suite keeps the number
small. FUZZ_SCALE=10 sends ten times as many examples (a longer search, run before a release).
"""
from __future__ import annotations

import gc
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, reject, settings, strategies as st

from roadmap import create_app
from tests.fuzz import hostile
from tests.fuzz.crawl import Field, Site, Target, Variant, crawl
from tests.fuzz.send import Sender

ROLES = ("anonymous", "candidate", "supervisor", "hub_lead", "admin")
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
EXAMPLES = 6  # per variant found, within the bounds below
FEWEST, MOST = 6, 15
ROADMAP = Path(__file__).resolve().parents[2] / "roadmap"

# Query arguments the views read, by endpoint; links show some, the rest are read in code only.
QUERY_ARGS = {
    "accounts.sign_in": ["next"], "account.confirm_identity": ["next"],
    "people.list_people": ["q", "page"], "supervision.enrolment_timeline": ["page"],
    "cohorts.cohort": ["sort", "order", "status", "stage", "risk", "q"],
    "cohorts.cohort_csv": ["sort", "order", "status", "stage", "risk", "q"],
    "cohorts.supervisors": ["kind"], "exports.verify_form": ["code"],
    "feedback.thanks": ["another"], "portfolio.new_evidence": ["template"],
    "supervision.observed": ["type_code"],
    "feedback.assess_on_device": ["sync"],
}
# Fields a page shows only after an earlier step.
LATER_FIELDS: dict[tuple[str, str], dict[str, Field]] = {}
# Check-your-answers pages: a form leads there once its answers pass, so no link does; each is
# its form page's address with /check, confirmed with a password (or a ticket's declaration).
CHECKS = {"supervision.check_item": "supervision.assess", "supervision.check_stage":
          "supervision.stage", "reviews.check_decision": "reviews.review",
          "cohorts.check_import": "cohorts.import_csv", "feedback.check_ticket":
          "feedback.assess_form"}
# Endpoints no form posts to: a device's script sends them JSON, and their own tests send them
# hostile bodies.
SCRIPTED = {"feedback.sync_on_device": "tests/feedback/test_on_device_sync.py"}
# Run last: they end the session or take the player's own rights away.
LAST = ("feedback.assess_on_device",  # takes the session into assessor mode (the player is put back)
        "people.change_roles", "people.set_active", "accounts.sign_out")


def _allowed(view: Any, role: str) -> bool:
    allowed = getattr(view, "allowed_roles", "public")
    if allowed == "public":
        return role == "anonymous"
    if allowed == "signed_in":
        return role != "anonymous"
    return role in {r.value for r in allowed}


def _expected(app: Any) -> dict[str, set[tuple[str, str]]]:
    """By role, every (method, endpoint) it may use that takes input: forms and queries."""
    found: dict[str, set[tuple[str, str]]] = {role: set() for role in ROLES}
    for rule in app.url_map.iter_rules():
        for role in ROLES:
            if not _allowed(app.view_functions[rule.endpoint], role):
                continue
            if "POST" in rule.methods:
                found[role].add(("POST", rule.endpoint))
            if "GET" in rule.methods and rule.endpoint in QUERY_ARGS:
                found[role].add(("GET", rule.endpoint))
    return found


_APP = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
EXPECTED = _expected(_APP)
# The path of each endpoint that takes no arguments, for forms no page offers.
RULES = {rule.endpoint: rule.rule for rule in _APP.url_map.iter_rules() if not rule.arguments}


def _with_declared(site: Site, role: str) -> None:
    """Add the query arguments read in code, the fields of later steps, and the forms a page
    does not offer this role (posted all the same, as anyone can)."""
    for endpoint, names in QUERY_ARGS.items():
        paths = [p.split("?")[0] for p in site.pages.get(endpoint, [])]
        for path in paths[:2]:
            site.add("GET", endpoint, Variant(path, {n: Field(n, "query") for n in names}))
    for key, fields in LATER_FIELDS.items():
        if key in site.targets:
            for variant in list(site.targets[key].variants):
                site.add(*key, Variant(variant.path, dict(fields)))
    for check, form in CHECKS.items():
        for path in site.pages.get(form, [])[:1]:
            site.add("POST", check, Variant(path.split("?")[0] + "/check", {
                "identity": Field("identity", "password"),
                "declaration": Field("declaration", "checkbox", ["y"])}))
    for method, endpoint in EXPECTED[role] - set(site.targets):
        path = (site.pages.get(endpoint) or [RULES.get(endpoint)])[0]
        if path:
            site.add(method, endpoint, Variant(path.split("?")[0], {}))


def fuzz(sender: Sender, target: Target, vocabulary: list[str]) -> None:
    """Sweep each field with what breaks its kind, then send hypothesis-generated examples
    over every variant."""
    swept: set[str] = set()
    for variant in target.variants:
        for pairs in hostile.sweep(variant, swept):
            sender.send(target.method, variant, pairs)
    fields = max(len(v.fields) for v in target.variants)
    examples = round(SCALE * max(FEWEST, min(MOST, max(EXAMPLES * len(target.variants), fields))))

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def attempt(data: Any) -> None:
        variant = data.draw(st.sampled_from(target.variants))
        pairs = data.draw(hostile.body(variant, vocabulary, target.method == "GET"))
        if sender.send(target.method, variant, pairs) is None:
            reject()

    attempt()


def _order(targets: dict[tuple[str, str], Target]) -> list[Target]:
    return sorted(targets.values(), key=lambda t: (t.endpoint in LAST, LAST.index(t.endpoint)
                                                   if t.endpoint in LAST else 0, t.endpoint))


def starts(world: Any, role: str) -> list[str]:
    """Where a role's crawl begins: its home, and the pages the world made for it."""
    if role == "anonymous":
        return list(world.public_paths)
    return ["/home", *world.role_paths.get(role, []), "/account", "/account/confirm?next=/account"]


# Werkzeug's form parser leaves an uploaded file's spool open when a later field is over the
# form size limit (the 413 answer is right); collected at the end of each multipart target.
@pytest.mark.filterwarnings("ignore:Unclosed file <tempfile.SpooledTemporaryFile:ResourceWarning")
@pytest.mark.parametrize("role", ROLES)
def test_no_input_gives_a_server_error(role, app, fuzz_world, player, restore):
    client = player(role)
    site = crawl(app, client, starts(fuzz_world, role))
    if role != "anonymous":
        restore(client, role)  # the crawl's last page may have left the session in assessor mode
    _with_declared(site, role)
    for variant in (v for t in site.targets.values() for v in t.variants):
        for name, field in variant.fields.items():
            field.known = fuzz_world.known.get(name, [])
    missing = sorted(key for key in EXPECTED[role] - set(site.targets) if key[1] not in SCRIPTED)
    assert not missing, f"the crawl as {role} found no form or query for {missing}"
    vocabulary = sorted({n for t in site.targets.values() for v in t.variants for n in v.fields})
    limiter = app.extensions["roadmap.limiter"]
    failures = [f"crawl: {f}" for f in site.failures]
    for target in _order(site.targets):
        undo = (lambda: restore(client, role)) if role == "anonymous" or target.endpoint in LAST \
            else (lambda: None)
        sender = Sender(client, undo)
        fuzz(sender, target, vocabulary)
        failures.extend(f"{target.endpoint} as {role}: {found}" for found in sender.found.values())
        limiter.reset()
        restore(client, role)
        if any(v.multipart for v in target.variants):
            gc.collect()
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


def test_every_query_argument_read_in_code_is_fuzzed():
    """A view that starts reading a new query argument fails here until the fuzz sends it."""
    pattern = re.compile(r"""(?<!view_)(?:args|values)\.get\(\s*["'](\w+)["']|args\[["'](\w+)["']\]""")
    read = {m.group(1) or m.group(2) for path in ROADMAP.rglob("*.py")
            for m in pattern.finditer(path.read_text())}
    known = {name for names in QUERY_ARGS.values() for name in names}
    assert read - known == set()
