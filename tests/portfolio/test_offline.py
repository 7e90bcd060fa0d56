"""The installable app's server side: what it sends is nobody's data, kept no longer than it may
be, and the evidence form's one-time token makes a draft synced twice one item."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import sqlalchemy as sa

from roadmap.config import PROJECT_ROOT
from roadmap.portfolio.models import Evidence


def test_the_manifest_names_the_app_and_its_icons(client: Any) -> None:
    response = client.get("/manifest.webmanifest")
    body = json.loads(response.data)
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "no-cache"
    assert body["display"] == "standalone" and body["theme_color"] == "#005eb8"
    assert body["start_url"] == "/home" and body["scope"] == "/"
    for icon in body["icons"]:
        image = client.get(icon["src"])
        assert image.mimetype == "image/png" and image.data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(image.data[16:20], "big"), int.from_bytes(image.data[20:24], "big")
        assert icon["sizes"] == f"{width}x{height}"
    assert client.get("/offline/icons/icon-64.png").status_code == 404


def test_the_worker_comes_from_the_root_and_is_checked_each_time(client: Any) -> None:
    response = client.get("/service-worker.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    shell = json.loads(re.match(r"const SHELL = (\[.*?\]);\n", response.text).group(1))
    assert "/offline" in shell and any(url.endswith(".css") for url in shell)
    # The CSP is unchanged: scripts and workers from our own origin only.
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_offline_page_is_the_same_for_everyone(client: Any, world: Any, login: Any) -> None:
    anonymous = client.get("/offline").text
    login(client, world.candidate)
    client.get("/portfolio/")
    signed_in = client.get("/offline")
    assert signed_in.headers["Cache-Control"] == "no-cache"
    assert signed_in.text == anonymous
    assert world.candidate.full_name not in signed_in.text and "csrf_token" not in signed_in.text
    # Every other page stays out of every cache, and carries the device key only when signed in.
    home = client.get("/portfolio/")
    assert home.headers["Cache-Control"] == "no-store"
    assert 'data-device-key="' in home.text and f"/offline/forms/{world.version.id}.json" in home.text


def test_the_forms_are_the_framework_s_questions_without_answers(client: Any, world: Any,
                                                                login: Any, session: Any,
                                                                make_user: Any) -> None:
    url = f"/offline/forms/{world.version.id}.json"
    assert client.get(url).status_code == 302  # signed in only
    login(client, world.candidate)
    response = client.get(url)
    assert response.headers["Cache-Control"] == "private, no-cache"
    forms = response.get_json()
    codes = [kind["code"] for kind in forms["types"]]
    assert {"cbd", "reflection", "learning_log"} <= set(codes)
    assert "msf" not in codes and "csr" not in codes  # they need respondents or start elsewhere
    cbd = next(kind for kind in forms["types"] if kind["code"] == "cbd")
    assert [f["code"] for s in cbd["sections"] for f in s["fields"]] == [
        "case_summary", "questions", "complexity"]  # the candidate's part only
    reflection = next(kind for kind in forms["types"] if kind["code"] == "reflection")
    assert {t["code"] for t in reflection["templates"]} == {"gibbs", "what_so_what_now_what"}
    assert world.candidate.email not in response.text
    assert client.get("/offline/forms/999999.json").status_code == 404
    # A WPBA's assessor part, as definitions, for the assessor to complete on the device.
    assessor = cbd["assessor"]
    assert [f["code"] for s in assessor["sections"] for f in s["fields"]] == [
        "reasoning", "overall", "development", "agreed_actions"]
    assert assessor["grade_headings"] == "cbd_grade" and assessor["longest"] == 5000
    assert reflection["assessor"] is None
    assert {"code": "GMC", "label": "GMC (General Medical Council)"} in forms["regulators"]
    # A scale's levels carry their descriptions, shown beside each choice as online.
    assert forms["scales"]["capability"]["levels"][0] == {
        "code": "insufficient_evidence", "label": "Insufficient evidence",
        "description": "Not enough evidence yet to judge this heading."}


def test_another_version_s_forms_are_not_for_this_candidate(client: Any, world: Any,
                                                            login: Any) -> None:
    login(client, world.candidate)
    assert client.get(f"/offline/forms/{world.version.id + 1}.json").status_code == 404


def test_a_draft_synced_twice_is_one_item(client: Any, world: Any, login: Any,
                                          session: Any) -> None:
    login(client, world.candidate)
    data = {"title": "From the phone", "answer_case_summary": "Knee pain.",
            "answer_complexity": "medium", "form_token": "5f0c3a5e-offline.0", "action": "draft"}
    first = client.post("/portfolio/evidence/new/cbd", data=data)
    again = client.post("/portfolio/evidence/new/cbd", data=data)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Evidence).where(
        Evidence.title == "From the phone")) == 1


def test_sign_out_asks_the_browser_to_clear_the_site_s_storage(client: Any, world: Any,
                                                               login: Any) -> None:
    login(client, world.candidate)
    response = client.post("/sign-out")
    assert response.headers["Clear-Site-Data"] == '"storage"'


def test_a_script_importing_ours_names_its_hashed_copy(tmp_path: Any) -> None:
    static = tmp_path / "roadmap" / "static"
    (static / "build").mkdir(parents=True)
    (tmp_path / "scripts").mkdir()
    shutil.copy(PROJECT_ROOT / "scripts" / "fingerprint.mjs", tmp_path / "scripts")
    (tmp_path / "node_modules").symlink_to(PROJECT_ROOT / "node_modules")
    (static / "build" / "roadmap.css").write_text("body{color:#212b32}")
    (static / "a.js").write_text('import "./b.js";\n')
    (static / "b.js").write_text('export const b = 1;\n')
    subprocess.run(["node", str(tmp_path / "scripts" / "fingerprint.mjs")], check=True)
    manifest = json.loads((static / "build" / "manifest.json").read_text())
    text = (static / manifest["a.js"]).read_text()
    assert text == f'import "./{manifest["b.js"].removeprefix("build/")}";\n'
