"""Exports in a real browser: ask for the PDF, see it ready, and the public verification pages."""
from __future__ import annotations

import re
import threading
from typing import Any, Callable

import pytest
from playwright.sync_api import Page, expect

from roadmap.exports import parallel

from .axe import assert_accessible, assert_reflows, click_and_check, visit


@pytest.fixture(scope="module", autouse=True)
def _stop_workers():
    yield
    parallel.shutdown()


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path) -> dict[str, Any]:
    return {**app_config, "EXPORT_DIR": str(tmp_path / "exports"), "EXPORT_WORKERS": 1}


def test_candidate_asks_for_the_pdf_and_gets_a_download(page: Page, sign_in: Callable[..., Page],
                                                         team: Any, make_item: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The download page, the progress page (ready at once: jobs run inline in tests), the link.

    The rendering itself is tested elsewhere; here a stand-in keeps the click within the
    browser's time limit on a busy machine.
    """
    from roadmap.exports import portfolio

    monkeypatch.setattr(portfolio, "export_pdf", lambda *args, **kwargs: b"%PDF-1.7 stand-in")
    make_item("cbd", status="submitted", headings=("1",))
    sign_in(team.candidate.email)
    visit(page, f"/exports/enrolment/{team.enrolment.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Download the portfolio")
    click_and_check(page.get_by_role("button", name="Make the PDF"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your download is ready")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()


def test_the_progress_page_updates_in_place_without_reloading(
        page: Page, sign_in: Callable[..., Page], app: Any, team: Any, make_item: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A job still running when its page opens (WCAG 2.2.1): the bar and its message change in
    place, the page never reloads, one status region speaks at most every 10 seconds, and the
    download button appears with focus on its heading."""
    steps, workers = [threading.Event() for _ in range(3)], []

    def slow(*args: Any, **kwargs: Any) -> bytes:
        progress = args[4]
        for step, done in zip(steps, (4, 6)):
            step.wait(10)
            progress(done * 10, f"Laid out {done} of 10 parts")
        steps[-1].wait(10)
        return b"%PDF-1.7 stand-in"

    _start_a_slow_export(page, sign_in, app, team, make_item, monkeypatch, workers, slow)
    try:
        expect(page.get_by_role("heading", level=1)).to_have_text("Putting your PDF together")
        loaded: list[str] = []
        page.on("framenavigated",
                lambda frame: loaded.append(frame.url) if frame == page.main_frame else None)
        # With the script working, the page does not tell people to refresh it.
        expect(page.locator("#export-no-script")).to_be_hidden()
        _fits_both_widths(page)
        status = page.get_by_role("status")
        steps[0].set()
        expect(page.get_by_label("Laid out 4 of 10 parts")).to_have_js_property("value", 40)
        page.clock.fast_forward(10_000)
        expect(status).to_have_text("40% done. Laid out 4 of 10 parts")
        steps[1].set()  # shown at once, but not said: the last sentence was just now
        expect(page.get_by_label("Laid out 6 of 10 parts")).to_have_js_property("value", 60)
        expect(status).to_have_text("40% done. Laid out 4 of 10 parts")
        steps[2].set()
        ready = page.get_by_role("heading", level=1)
        # The job writes its PDF and the page's next look at its state finds it: on a loaded
        # machine that took over the default 5 s once. What is checked is that it comes in place.
        expect(ready).to_have_text("Your download is ready", timeout=30_000)
        expect(ready).to_be_focused()
        expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
        expect(status).to_have_text("Ready: your PDF can be downloaded.")
        assert loaded == [], f"the progress page reloaded: {loaded}"
        _fits_both_widths(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the PDF").click()
        assert download.value.suggested_filename.startswith("Jo-Candidate-portfolio-")
    finally:
        for step in steps:
            step.set()
        for worker in workers:
            worker.join(10)


def test_signed_out_while_waiting_the_progress_page_says_why_it_stopped(
        page: Page, sign_in: Callable[..., Page], app: Any, team: Any, make_item: Any,
        monkeypatch: pytest.MonkeyPatch, page_problems: Any) -> None:
    """An outsider's session ended while the page polled: it said the page "does not update by
    itself without JavaScript", which was not the reason. It now says it stopped updating,
    why that may be, and that refreshing (and signing in again) finds the export."""

    finish, workers = threading.Event(), []

    def slow(*args: Any, **kwargs: Any) -> bytes:
        finish.wait(30)
        return b"%PDF-1.7 stand-in"

    _start_a_slow_export(page, sign_in, app, team, make_item, monkeypatch, workers, slow)
    try:
        expect(page.get_by_role("heading", level=1)).to_have_text("Putting your PDF together")
        stopped = page.locator("#export-stopped")
        expect(stopped).to_be_hidden()
        page.context.clear_cookies()  # the session is gone: each status ask meets the sign-in page
        page.clock.fast_forward(1_600)  # one ask: the sign-in page answers, so it stops at once
        expect(stopped).to_be_visible()
        expect(stopped).to_contain_text("you may have been signed out")
        expect(page.locator("#export-no-script")).to_be_hidden()
        expect(page.get_by_role("status")).to_contain_text("This page has stopped updating")
        # Said once: the paragraph is the status region's, not repeated in a hidden line of it.
        expect(page.get_by_role("status").locator("#export-stopped")).to_be_visible()
        expect(page.get_by_text("This page has stopped updating")).to_have_count(1)
        _fits_both_widths(page)
        page.get_by_role("link", name="Refresh the page").click()
        expect(page).to_have_url(re.compile(r"/sign-in"))
        # The script's one status ask was answered with a redirect it does not follow (the
        # browser reports that as an aborted load): nothing else went wrong.
        unexpected = [p for p in page_problems.problems
                      if not re.fullmatch(r"request failed \(net::ERR_ABORTED\): GET \S+/sign-in"
                                          r"\?next=%2Fexports%2F\S+\.json", p)]
        assert unexpected == [] and len(page_problems.problems) == 1, page_problems.problems
        page_problems.problems.clear()
    finally:
        finish.set()
        for worker in workers:
            worker.join(10)


def _start_a_slow_export(page: Page, sign_in: Callable[..., Page], app: Any, team: Any,
                         make_item: Any, monkeypatch: pytest.MonkeyPatch,
                         workers: list[threading.Thread], slow: Callable[..., bytes]) -> None:
    """The candidate presses "Make the PDF" with `slow` laying it out in a worker's thread; the
    page's clock is installed (time flows as usual; the test may jump it forward)."""
    from roadmap.exports import portfolio

    monkeypatch.setattr(portfolio, "export_pdf", slow)
    _in_a_worker(app, monkeypatch, workers)
    make_item("cbd", status="submitted", headings=("1",))
    sign_in(team.candidate.email)
    visit(page, f"/exports/enrolment/{team.enrolment.id}")
    page.clock.install()
    click_and_check(page.get_by_role("button", name="Make the PDF"))


def _in_a_worker(app: Any, monkeypatch: pytest.MonkeyPatch,
                 workers: list[threading.Thread]) -> None:
    """Jobs run in a thread of their own, as in a worker: not inline, so their page opens first."""
    from roadmap.exports import jobs

    def enqueue(job_id: str) -> None:
        worker = threading.Thread(target=jobs.run, args=(app, job_id), daemon=True)
        workers.append(worker)
        worker.start()

    monkeypatch.setattr(jobs, "queue", lambda app=None: type("Q", (), {
        "enqueue": staticmethod(enqueue)})())
    monkeypatch.setattr(jobs, "task", lambda app: type("T", (), {"s": staticmethod(lambda j: j)}))


def test_a_job_failing_while_watched_reloads_its_page_once(
        page: Page, sign_in: Callable[..., Page], app: Any, team: Any, make_item: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure, its reason and Try again come from the server: the page loads once more."""
    from roadmap.exports import portfolio

    fail, workers = threading.Event(), []

    def fails(*args: Any, **kwargs: Any) -> bytes:
        fail.wait(10)
        raise RuntimeError("the worker stopped")

    monkeypatch.setattr(portfolio, "export_pdf", fails)
    _in_a_worker(app, monkeypatch, workers)
    make_item("cbd", status="submitted", headings=("1",))
    sign_in(team.candidate.email)
    visit(page, f"/exports/enrolment/{team.enrolment.id}")
    try:
        click_and_check(page.get_by_role("button", name="Make the PDF"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Putting your PDF together")
        loaded: list[str] = []
        page.on("framenavigated",
                lambda frame: loaded.append(frame.url) if frame == page.main_frame else None)
        fail.set()
        expect(page.get_by_role("heading", name="The export could not be finished")).to_be_visible()
        expect(page.get_by_role("button", name="Try again")).to_be_visible()
        page.wait_for_timeout(3000)  # two polls' time: the failed page does not load again
        assert loaded == [page.url]
        _fits_both_widths(page)
    finally:
        fail.set()
        for worker in workers:
            worker.join(10)


def test_a_failed_export_offers_to_try_again(page: Page, sign_in: Callable[..., Page], team: Any,
                                           make_item: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failed page (an error summary and a Try again button) and the new job it starts."""
    from roadmap.exports import portfolio

    attempts: list[int] = []

    def fails_once(*args: Any, **kwargs: Any) -> bytes:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the worker stopped")
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(portfolio, "export_pdf", fails_once)
    make_item("cbd", status="submitted", headings=("1",))
    sign_in(team.candidate.email)
    visit(page, f"/exports/enrolment/{team.enrolment.id}")
    click_and_check(page.get_by_role("button", name="Make the PDF"))
    expect(page.get_by_role("heading", name="The export could not be finished")).to_be_visible()
    click_and_check(page.get_by_role("button", name="Try again"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your download is ready")
    assert len(attempts) == 2


def test_verification_pages_are_accessible(page: Page) -> None:
    """The form to type a code, and the answer for a code nobody was given."""
    visit(page, "/verify")
    page.get_by_label("Verification code").fill("rm-aaaaa-bbbbb-ccccc")
    click_and_check(page.get_by_role("button", name="Check"), status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("We do not know this code")
    # A code with no letter or digit is told so beside the box (issue 17 #12), accessibly.
    visit(page, "/verify")
    page.get_by_label("Verification code").fill("---")
    click_and_check(page.get_by_role("button", name="Check"), status=400)
    expect(page.locator("#code-error")).to_contain_text("Enter the code as it is printed")
    expect(page.get_by_label("Verification code")).to_have_value("---")


def test_a_portfolio_pdf_is_checked_on_the_verify_page(page: Page, app: Any, session: Any,
                                                       team: Any, make_item: Any,
                                                       tmp_path: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Upload the archival PDF: intact, what it claims; a file that is no PDF: told beside the box."""
    from roadmap.clock import today
    from roadmap.credentials import keys
    from roadmap.exports import archival

    key = tmp_path / "signing.pem"
    keys.generate(key)
    monkeypatch.setitem(app.config, "CREDENTIAL_KEY_FILE", str(key))
    make_item("cbd", status="submitted", headings=("1",))
    with app.test_request_context():
        pdf = archival.archival_pdf(session, team.enrolment, today())
    visit(page, "/verify")
    page.get_by_label("The portfolio PDF").set_input_files(
        files=[{"name": "portfolio.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    click_and_check(page.get_by_role("button", name="Upload the PDF"))
    expect(page.get_by_role("heading", level=1)).to_have_text("This portfolio PDF is intact")
    expect(page.get_by_text("Jo Candidate")).to_be_visible()
    visit(page, "/verify")
    page.get_by_label("The portfolio PDF").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a pdf"}])
    click_and_check(page.get_by_role("button", name="Upload the PDF"), status=400)
    expect(page.locator("#pdf-error")).to_contain_text("The file is not a PDF.")


def test_the_page_says_how_current_the_stored_pdf_is_and_downloads_it_at_once(
        page: Page, sign_in: Callable[..., Page], app: Any, team: Any, make_item: Any,
        monkeypatch: pytest.MonkeyPatch, page_problems: Any) -> None:
    """With stored PDFs kept current: "Being made" before the first refresh, "Up to date" after,
    and the button then downloads without a progress page (a stand-in for the layout)."""
    from roadmap.exports import stored

    app.config["EXPORT_KEEP_FRESH"] = True
    monkeypatch.setattr(stored, "render_stored", lambda *args, **kwargs: b"%PDF-1.7 stand-in")
    make_item("cbd", status="submitted", headings=("1",))
    sign_in(team.candidate.email)
    visit(page, f"/exports/enrolment/{team.enrolment.id}")
    expect(page.locator("#pdf-freshness")).to_contain_text("Being made")  # no change yet
    _fits_both_widths(page)
    stored.refresh(app, team.enrolment.id)  # as the refresh worker does
    visit(page, f"/exports/enrolment/{team.enrolment.id}")
    expect(page.locator("#pdf-freshness")).to_contain_text("Up to date")
    _fits_both_widths(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    assert download.value.suggested_filename.startswith("Jo-Candidate-portfolio-")
    expect(page.get_by_role("heading", level=1)).to_have_text("Download the portfolio")
    # A form whose answer is a file: Chromium saves it and reports the navigation as aborted.
    asked = f"ERR_ABORTED): POST {page_problems.origin}/exports/enrolment/{team.enrolment.id}/pdf"
    page_problems.problems[:] = [p for p in page_problems.problems if not p.endswith(asked)]


def _fits_both_widths(page: Page) -> None:
    """The page as it is now, on a phone and on a desktop: axe clean, no sideways scroll."""
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page)
        assert_reflows(page)
