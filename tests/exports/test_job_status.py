"""The export progress page's status, as JSON for its script: the job's owner only, never kept."""
from __future__ import annotations

import pytest

from roadmap.exports import jobs
from tests.exports.conftest import no_worker



@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(EXPORT_DIR=str(tmp_path / "exports"), EXPORT_WORKERS=1)
    return app_config


@pytest.fixture
def unqueued(monkeypatch):
    """Jobs are created but no worker runs them: they stay queued until a test moves them on."""
    no_worker(monkeypatch)


def _start(client, enrolment_id):
    response = client.post(f"/exports/enrolment/{enrolment_id}/pdf")
    assert response.status_code == 302, response.data[:500]
    return response.headers["Location"].rsplit("/", 1)[1]


def test_the_owner_reads_the_progress_as_json(app, client, login, team, make_item, unqueued):
    make_item("cbd", status="submitted", headings=("1",))
    login(client, team.candidate)
    job_id = _start(client, team.enrolment.id)
    status = client.get(f"/exports/{job_id}.json")
    assert status.status_code == 200 and status.mimetype == "application/json"
    assert status.headers["Cache-Control"] == "no-store"
    assert "Refresh" not in status.headers
    assert status.json["state"] == "queued"
    jobs.update(app, job_id, state="running", percent=40, message="Laid out 4 of 10 parts")
    assert client.get(f"/exports/{job_id}.json").json == {
        "state": "running", "percent": 40, "message": "Laid out 4 of 10 parts"}
    jobs.update(app, job_id, state="done", percent=100, message="Ready")
    assert client.get(f"/exports/{job_id}.json").json == {
        "state": "done", "percent": 100, "message": "Ready"}
    # Only these three: nothing of who asked, for which enrolment, or where the file is.
    assert set(client.get(f"/exports/{job_id}.json").json) == {"state", "percent", "message"}


def test_nobody_else_reads_a_jobs_progress(app, client, login, team, make_item, unqueued):
    make_item("cbd", status="submitted", headings=("1",))
    login(client, team.candidate)
    job_id = _start(client, team.enrolment.id)
    other = app.test_client()
    login(other, team.primary)  # the candidate's own supervisor: not the job's owner
    assert other.get(f"/exports/{job_id}.json").status_code == 404
    nobody = app.test_client()
    signed_out = nobody.get(f"/exports/{job_id}.json")
    assert signed_out.status_code == 302 and "/sign-in" in signed_out.headers["Location"]
    # Another job's id: the last character changed (job ids may end in "_" themselves).
    another = job_id[:-1] + ("-" if job_id.endswith("_") else "_")
    for bad in ("../../etc", "short", "A" * 32, another):
        assert client.get(f"/exports/{bad}.json").status_code == 404
    assert client.get(f"/exports/{job_id}.json").status_code == 200  # the owner still may
