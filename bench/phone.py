"""How Roadmap does on a phone with one bar of signal (issue 23): Lighthouse on seven pages.

    .venv/bin/python bench/phone.py            # needs scripts/setup (Lighthouse comes from npm)

Starts `roadmap serve` (gunicorn) in production mode on a fresh SQLite database with the demo
data, in a temporary folder; signs in as a candidate, a supervisor and a hub lead through the
real forms (password, then the security code from the demo's authenticator secret); then runs
Lighthouse's mobile profile (a mid-range phone on slow 4G, simulated) on each page, twice with
one browser profile: a first visit (empty cache) and a repeat visit (the cache the first left);
three times over (--runs), showing the run with the median performance score.
It prints each page's performance score, largest contentful paint, bytes transferred on each
visit, accessibility and best-practices scores, and what besides the page itself the repeat
visit fetched. Targets (issue 23): performance 95 or more, LCP 1.8 s or less, at most 100 KiB on
a first visit, only the HTML on a repeat, accessibility and best practices 100.

Lighthouse's simulated throttling scales with this machine's CPU: run it on a quiet machine.
Set CHROME_PATH to another Chromium (default /usr/bin/chromium) and LIGHTHOUSE to another
Lighthouse (default node_modules/.bin/lighthouse); --json FILE keeps the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIGHTHOUSE = Path(os.environ.get("LIGHTHOUSE", ROOT / "node_modules" / ".bin" / "lighthouse"))
DEMO_PASSWORD = "fcp-roadmap-demo-phone"
ACCOUNTS = {"candidate": "candidate1@example.nhs.uk", "supervisor": "supervisor1@example.nhs.uk",
            "hub lead": "hub@example.nhs.uk"}
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
COOKIE = "__Host-roadmap"  # the session cookie's name in production (roadmap/web/security.py)


@dataclass
class Visit:
    """One Lighthouse run's figures."""

    performance: int
    lcp_ms: float
    bytes: int
    accessibility: int
    best_practices: int
    fetched: list[str] = field(default_factory=list)  # what came over the network, besides the page
    benchmark_index: float = 0  # Lighthouse's measure of this machine's CPU at the time


@dataclass
class Result:
    """A page's median run (by first-visit performance score), and every run's score."""

    page: str
    path: str
    first: Visit
    repeat: Visit
    scores: list[int] = field(default_factory=list)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browserless:
    """Just enough of a browser to sign in: keeps cookies (Secure ones too, over our plain
    loopback HTTP) and reads the form token."""

    def __init__(self, base: str) -> None:
        self.base, self.cookies = base, {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, form: Optional[dict[str, str]] = None) -> tuple[int, str, str]:
        """Status, body and Location of one request."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as answer:
            response = answer
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode(), response.headers.get("Location", "")

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        """GET the form for its token, then POST it with the fields."""
        _, body, _ = self.request(path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        if token is None:
            raise SystemExit(f"no form token on {path}")
        return self.request(path, {"csrf_token": token.group(1), **fields})

    def first_link(self, path: str, pattern: str) -> str:
        """The first link on a page whose path matches."""
        status, body, _ = self.request(path)
        found = re.search(rf'href="({pattern})"', body)
        if status != 200 or found is None:
            raise SystemExit(f"no link like {pattern} on {path} (status {status})")
        return found.group(1)


def sign_in(base: str, email: str, password: str, secret: str) -> Browserless:
    """Signed in through the forms, as a person would; the session cookie is in .cookies."""
    import pyotp

    client = Browserless(base)
    status, _, where = client.post_form("/sign-in", {"email": email, "password": password})
    if status != 302:
        raise SystemExit(f"signing in as {email} answered {status}")
    if "/sign-in/code" in where:
        status, _, where = client.post_form("/sign-in/code", {"code": pyotp.TOTP(secret).now()})
        if status != 302:
            raise SystemExit(f"the security code for {email} answered {status}")
    if COOKIE not in client.cookies:
        raise SystemExit(f"no session cookie after signing in as {email}")
    return client


def demo_secrets(output: str) -> dict[str, str]:
    """Email: authenticator secret, from the table `roadmap demo` prints."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"(\S+@\S+)\s{2,}.+?\s{2,}([A-Z2-7]{16,}|-)\s{2,}", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def lighthouse(url: str, cookie: Optional[str], profile: Path, repeat: bool, out: Path) -> dict[str, Any]:
    """One Lighthouse run (mobile, simulated slow 4G); its JSON report."""
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               "--only-categories=performance,accessibility,best-practices",
               f"--chrome-flags={' '.join([*CHROME_FLAGS, f'--user-data-dir={profile}'])}"]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    if repeat:
        command.append("--disable-storage-reset")  # keep the first visit's cache
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def figures(report: dict[str, Any], url: str) -> Visit:
    """The figures of one report; `fetched` lists what besides the page came over the network."""
    categories, audits = report["categories"], report["audits"]
    items = audits["network-requests"]["details"]["items"]
    fetched = [f"{urllib.parse.urlsplit(i['url']).path} ({i.get('transferSize', 0)} B)"
               for i in items if i.get("transferSize", 0) > 0 and i["url"] != url]
    return Visit(
        performance=round(100 * (categories["performance"]["score"] or 0)),
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        bytes=sum(i.get("transferSize", 0) for i in items),
        accessibility=round(100 * (categories["accessibility"]["score"] or 0)),
        best_practices=round(100 * (categories["best-practices"]["score"] or 0)),
        fetched=fetched, benchmark_index=report["environment"].get("benchmarkIndex", 0))


def start(folder: Path, port: int) -> tuple[subprocess.Popen[bytes], dict[str, str], str]:
    """The production server on the demo data; the process, the demo's secrets and the password."""
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROADMAP_")}
    env.update(ROADMAP_ENV="production", ROADMAP_SECRET_KEY=secrets.token_hex(32),
               ROADMAP_BASE_URL=base, ROADMAP_ALLOW_SQLITE="true",
               ROADMAP_DATABASE_URL=f"sqlite:///{folder / 'roadmap.sqlite3'}",
               ROADMAP_MAIL_FOLDER=str(folder / "mail"), ROADMAP_ATTACHMENT_DIR=str(folder / "files"),
               ROADMAP_EXPORT_DIR=str(folder / "exports"), ROADMAP_LOG_FORMAT="text",
               ROADMAP_BIND=f"127.0.0.1:{port}", ROADMAP_WORKERS="2", ROADMAP_THREADS="4")
    log = (folder / "server.log").open("ab")
    subprocess.run([str(BIN / "roadmap"), "db", "upgrade"], env=env, check=True, stdout=log, stderr=log)
    demo = subprocess.run([str(BIN / "roadmap"), "demo", "--password", DEMO_PASSWORD], env=env,
                          check=True, capture_output=True, text=True)
    server = subprocess.Popen([str(BIN / "roadmap"), "serve"], env=env, stdout=log, stderr=log, cwd=ROOT)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
            return server, demo_secrets(demo.stdout), base
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"the server stopped; its log: {folder / 'server.log'}")
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not answer /healthz within 40 s")


def pages(base: str, secrets_by_email: dict[str, str]) -> list[tuple[str, str, Optional[str]]]:
    """(page, path, session cookie) for each page the issue names, found by following links."""
    who = {role: sign_in(base, email, DEMO_PASSWORD, secrets_by_email.get(email, "-"))
           for role, email in ACCOUNTS.items()}
    cookie = {role: f"{COOKIE}={client.cookies[COOKIE]}" for role, client in who.items()}
    form = who["candidate"].first_link("/portfolio/evidence/new", r"/portfolio/evidence/new/[\w-]+")
    assess = who["supervisor"].first_link("/supervision", r"/supervision/items/\d+")
    cohort = who["hub lead"].first_link("/home", r"/cohorts/\d+")
    return [("sign-in", "/sign-in", None),
            ("candidate home", "/home", cookie["candidate"]),
            ("portfolio list", "/portfolio/evidence", cookie["candidate"]),
            ("evidence form", form, cookie["candidate"]),
            ("supervisor inbox", "/supervision", cookie["supervisor"]),
            ("assessing page", assess, cookie["supervisor"]),
            ("hub cohort page", cohort, cookie["hub lead"])]


def table(results: list[Result]) -> list[str]:
    """The figures, one line a page, then what repeat visits fetched besides the page."""
    lines = [f"{'page':<18} {'perf':>4} {'LCP s':>6} {'first KiB':>9} {'repeat KiB':>10} "
             f"{'a11y':>4} {'best':>4}  {'every run':<12} path"]
    for r in results:
        lines.append(f"{r.page:<18} {r.first.performance:>4} {r.first.lcp_ms / 1000:>6.2f} "
                     f"{r.first.bytes / 1024:>9.1f} {r.repeat.bytes / 1024:>10.1f} "
                     f"{r.first.accessibility:>4} {r.first.best_practices:>4}  "
                     f"{' '.join(map(str, r.scores)):<12} {r.path}")
    indexes = sorted(r.first.benchmark_index for r in results)
    lines.append(f"Lighthouse's CPU benchmark index of this machine: {indexes[0]:.0f} to {indexes[-1]:.0f} "
                 f"(load average {os.getloadavg()[0]:.1f} at the end; a quiet desktop scores 1000 to 2000)")
    extra = [f"  {r.page}: {', '.join(r.repeat.fetched)}" for r in results if r.repeat.fetched]
    lines.append("Repeat visits fetched only the page." if not extra else
                 "Repeat visits also fetched:")
    return lines + extra


def missed(results: list[Result]) -> list[str]:
    """The targets of issue 23 a page missed."""
    found = []
    for r in results:
        checks = {"performance below 95": r.first.performance < 95,
                  "LCP over 1.8 s": r.first.lcp_ms > 1800,
                  "over 100 KiB on a first visit": r.first.bytes > 100 * 1024,
                  "a repeat visit fetched more than the page": bool(r.repeat.fetched),
                  "accessibility below 100": r.first.accessibility < 100,
                  "best practices below 100": r.first.best_practices < 100}
        found += [f"{r.page}: {what}" for what, failed in checks.items() if failed]
    return found


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--runs", type=int, default=3,
                        help="Lighthouse runs a page (its median is shown, Lighthouse's advice)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (reports, log)")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run scripts/setup (Lighthouse is an npm "
                         "development dependency)")
    folder = Path(tempfile.mkdtemp(prefix="roadmap-phone-"))
    server, secrets_by_email, base = start(folder, args.port)
    results = []
    try:
        for number, (name, path, cookie) in enumerate(pages(base, secrets_by_email)):
            url, runs = base + path, []
            for run in range(args.runs):
                profile, stem = folder / f"profile-{number}-{run}", folder / f"{number}-{run}"
                first = figures(lighthouse(url, cookie, profile, False, Path(f"{stem}-first.json")), url)
                repeat = figures(lighthouse(url, cookie, profile, True, Path(f"{stem}-repeat.json")), url)
                runs.append((first, repeat))
            runs.sort(key=lambda pair: pair[0].performance)
            first, repeat = runs[len(runs) // 2]
            results.append(Result(name, path, first, repeat, [f.performance for f, _ in runs]))
            print(f"measured {name}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=60)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"reports and server log kept in {folder}", file=sys.stderr)
    print("\n".join(table(results)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    problems = missed(results)
    print("Every target met." if not problems else "Missed: " + "; ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
