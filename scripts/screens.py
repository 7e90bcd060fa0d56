"""Screenshots of the demo's pages for docs/screens/: each page at 390 and 1280 px wide.

    .venv/bin/python scripts/screens.py [--out docs/screens] [--max-height 3600]

Builds the demo in a temporary SQLite database (as `roadmap demo` does), serves it on a free
port, signs in as the demo's people through the real forms, and saves one PNG a page and width
(the top of the page, at most --max-height pixels, in 256 colours to keep the files small).
The browser is Debian's Chromium through Playwright, as in the browser tests.
"""
from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

import pyotp
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import sync_playwright
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from roadmap import create_app, migrate  # noqa: E402
from roadmap.accounts.models import User, UserRole  # noqa: E402
from roadmap.cohorts.models import Cohort, TrainingHub  # noqa: E402
from tests.browser.server import CHROMIUM_ARGS, serving  # noqa: E402

PASSWORD = "a-long-demo-password"
WIDTHS = (390, 1280)


def _lead_hub(session: Session, email: str) -> int:
    return session.scalar(sa.select(UserRole.hub_id).join(User, User.id == UserRole.user_id)
                          .where(User.email == email, UserRole.hub_id.is_not(None))
                          .order_by(UserRole.hub_id))


def _cohort(session: Session, email: str) -> str:
    hub = _lead_hub(session, email)
    return f"/cohorts/{session.scalar(sa.select(Cohort.id).where(Cohort.hub_id == hub).order_by(Cohort.id))}"


# (file name, who looks, the page's path from the data)
SHOTS: tuple[tuple[str, str, Callable[[Session, str], str]], ...] = (
    ("hub-dashboard", "hub@example.nhs.uk",
     lambda session, email: f"/hubs/{_lead_hub(session, email) or session.scalar(sa.select(TrainingHub.id))}"),
    ("cohort-dashboard", "hub@example.nhs.uk", _cohort),
    ("portfolio", "candidate1@example.nhs.uk", lambda session, email: "/portfolio/"),
)


def _small_png(png: bytes) -> bytes:
    """The screenshot in 256 colours: flat pages lose nothing a reader sees."""
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(256).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    parser.add_argument("--max-height", type=int, default=3600)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="roadmap-screens-"))
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    migrate.upgrade(url)
    app = create_app({"ENV": "development", "DATABASE_URL": url, "ARGON2_PROFILE": "fast",
                      "SECRET_KEY": "screens-" + "x" * 40, "MAIL_FOLDER": str(folder / "mail"),
                      "ATTACHMENT_DIR": str(folder / "attachments")})
    built = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD])
    if built.exit_code != 0:
        sys.exit(built.output)
    session = app.extensions["roadmap.db"].sessions()
    try:
        with serving(app) as origin, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 headless=True, args=CHROMIUM_ARGS)
            for name, email, path_of in SHOTS:
                user = session.scalar(sa.select(User).where(User.email == email))
                path = path_of(session, email)
                context = browser.new_context(base_url=origin, locale="en-GB",
                                              timezone_id="Europe/London")
                page = context.new_page()
                page.goto("/sign-in")
                page.get_by_label("Email address").fill(email)
                page.get_by_label("Password", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_load_state("load")
                if "/sign-in/code" in page.url:
                    session.execute(sa.update(User).where(User.id == user.id)
                                    .values(totp_last_step=None))
                    session.commit()
                    page.get_by_label("Security code").fill(pyotp.TOTP(user.totp_secret).now())
                    page.get_by_role("button", name="Continue").click()
                    page.wait_for_load_state("load")
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(path)
                    height = min(page.evaluate("document.documentElement.scrollHeight"),
                                 args.max_height)
                    png = page.screenshot(full_page=True,
                                          clip={"x": 0, "y": 0, "width": width, "height": height})
                    target = args.out / f"{name}-{width}.png"
                    target.write_bytes(_small_png(png))
                    print(f"{target.relative_to(ROOT)}: {path} as {email}, "
                          f"{target.stat().st_size // 1024} KB")
                context.close()
            browser.close()
    finally:
        session.close()
        app.extensions["roadmap.db"].engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
