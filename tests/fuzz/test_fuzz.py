"""Every form of every route, as every role that reaches it, posted with hostile values.

Each role crawls the pages it reaches from its home page (an outsider: from the links an
outsider holds), reads every form and every link with a query, then sends each endpoint
hypothesis-generated values: huge and non-numeric integers, far dates, control characters,
1 MB of text, CJK, emoji, right-to-left text, bytes that are not UTF-8, hostile files, empty,
missing and repeated fields. No response may be a server error. The state one example leaves
is the next example's world, as it would be for a person.
"""
from __future__ import annotations

import gc
import io
import re
import traceback
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote_plus

import pytest
from hypothesis import HealthCheck, Phase, given, reject, settings, strategies as st
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import EnvironBuilder, stream_encode_multipart

from roadmap import create_app
from tests.fuzz import hostile
from tests.fuzz.crawl import Field, Site, Target, Variant, crawl

import collections
STATS = collections.defaultdict(collections.Counter)
ROLES = ("anonymous", "candidate", "supervisor", "hub_lead", "admin")
SIGNED_IN = ROLES[1:]
EXAMPLES = 12  # per variant found, within the bounds below
FEWEST, MOST = 15, 40
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
}
# Fields a page shows only after an earlier step (the import's confirmation carries the file).
LATER_FIELDS = {
    ("POST", "cohorts.import_csv"): {"csv_text": Field("csv_text", "csv"),
                                     "framework_version_id": Field("framework_version_id", "hidden")},
}
# Run last: they end the session or take the player's own rights away.
LAST = ("people.change_roles", "people.set_active", "accounts.sign_out")


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
    for method, endpoint in EXPECTED[role] - set(site.targets):
        path = (site.pages.get(endpoint) or [RULES.get(endpoint)])[0]
        if path:
            site.add(method, endpoint, Variant(path.split("?")[0], {}))


def _request(method: str, path: str, pairs: list[tuple[str, Any]], multipart: bool) -> EnvironBuilder:
    """The request as a browser (or a script) would send it, repeated names and raw bytes kept."""
    if method == "GET":
        query = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)
        return EnvironBuilder(path=path, query_string=query)
    if multipart or any(isinstance(v, tuple) for _, v in pairs):
        data = MultiDict()
        for name, value in pairs:
            if isinstance(value, tuple):
                value = FileStorage(io.BytesIO(value[0]), filename=value[1])
            elif isinstance(value, bytes):
                value = value.decode("latin-1")
            data.add(name, value)
        # Encoded in memory: the test client's own encoder leaves a temporary file open for
        # bodies over 500 kB (werkzeug issue 1785).
        stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
        return EnvironBuilder(path=path, method="POST", input_stream=stream, content_length=length,
                              content_type=f"multipart/form-data; boundary={boundary}")
    body = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)
    return EnvironBuilder(path=path, method="POST", data=body,
                          content_type="application/x-www-form-urlencoded")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...({len(value)} long)"


def _where(error: BaseException) -> str:
    """The deepest line of our own code the error passed through."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if str(ROADMAP) in f.filename]
    if not frames:
        return "outside roadmap/"
    last = frames[-1]
    return f"{Path(last.filename).relative_to(ROADMAP.parent)}:{last.lineno}"


def fuzz(client: Any, target: Target, vocabulary: list[str],
         after_success: Callable[[], None]) -> dict[str, str]:
    """Send the target hostile examples; the first example of each distinct failure.

    `after_success` runs after an example the app accepted, to undo what cannot be reused
    (a one-time link, the player's own session or rights)."""
    found: dict[str, str] = {}
    examples = max(FEWEST, min(MOST, EXAMPLES * len(target.variants)))

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def attempt(data: Any) -> None:
        variant = data.draw(st.sampled_from(target.variants))
        pairs = data.draw(hostile.body(variant, vocabulary, target.method == "GET"))
        try:
            builder = _request(target.method, variant.path, pairs, variant.multipart)
        except (ValueError, TypeError):
            reject()  # the test client itself cannot encode it: no server would receive it
        sent = f"{target.method} {variant.path} " + ", ".join(
            f"{k}={_short(v)}" for k, v in pairs)
        try:
            response = client.open(builder)
        except Exception as error:  # noqa: BLE001  (the app raised: that is the finding)
            key = f"{type(error).__name__} at {_where(error)}"
            found.setdefault(key, f"{key}: {str(error)[:200]}\n    {sent}")
            return
        STATS[target.endpoint][response.status_code] += 1
        if response.status_code >= 500:
            found.setdefault(str(response.status_code), f"{response.status_code}\n    {sent}")
        elif response.status_code < 400 and target.method == "POST":
            after_success()

    attempt()
    return found


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
    _with_declared(site, role)
    missing = sorted(EXPECTED[role] - set(site.targets))
    assert not missing, f"the crawl as {role} found no form or query for {missing}"
    vocabulary = sorted({n for t in site.targets.values() for v in t.variants for n in v.fields})
    limiter = app.extensions["roadmap.limiter"]
    failures = [f"crawl: {f}" for f in site.failures]
    import time, sys
    for target in _order(site.targets):
        t0 = time.time()
        undo = (lambda: restore(client, role)) if role == "anonymous" or target.endpoint in LAST \
            else (lambda: None)
        for message in fuzz(client, target, vocabulary, undo).values():
            failures.append(f"{target.endpoint} as {role}: {message}")
        limiter.reset()
        restore(client, role)
        if any(v.multipart for v in target.variants):
            gc.collect()
        print(f"TIMING {target.method} {target.endpoint} {len(target.variants)} {time.time()-t0:.1f}s {dict(STATS[target.endpoint])}", file=sys.stderr)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


def test_every_query_argument_read_in_code_is_fuzzed():
    """A view that starts reading a new query argument fails here until the fuzz sends it."""
    pattern = re.compile(r"""(?:args|values)\.get\(\s*["'](\w+)["']|args\[["'](\w+)["']\]""")
    read = {m.group(1) or m.group(2) for path in ROADMAP.rglob("*.py")
            for m in pattern.finditer(path.read_text())}
    known = {name for names in QUERY_ARGS.values() for name in names}
    assert read - known == set()
