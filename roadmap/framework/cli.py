"""`roadmap framework ...`: check, load, list and show roadmap versions."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from roadmap.db import database, write_intent
from roadmap.framework.loader import ReadResult, read_path
from roadmap.framework.service import (find_version, latest_version, list_versions,
                                       load_into_db, to_json)
from roadmap.framework.strengths import STRENGTHS

LONDON = ZoneInfo("Europe/London")


@click.group("framework")
def framework_cli() -> None:
    """Roadmap frameworks: the capabilities/ files and their loaded versions."""


def _read(path: Optional[str]) -> ReadResult:
    """Read PATH, or the app's FRAMEWORK_DIR, and print every problem to stderr."""
    result = read_path(Path(path or current_app.config["FRAMEWORK_DIR"]))
    for problem in result.problems:
        click.echo(problem, err=True)
    return result


@framework_cli.command("check", short_help="Validate roadmap files; write nothing.")
@click.argument("path", required=False, type=click.Path())
@with_appcontext
def check_command(path: Optional[str]) -> None:
    """Validate roadmap files (a file or a folder; default: FRAMEWORK_DIR) without loading."""
    result = _read(path)
    if not result.ok:
        sys.exit(1)
    click.echo(f"ok: {len(result.frameworks)} roadmap(s) valid")


@framework_cli.command("load", short_help="Load new or changed roadmaps, all or none.")
@click.argument("path", required=False, type=click.Path())
@with_appcontext
def load_command(path: Optional[str]) -> None:
    """Validate every file, then load new or changed roadmaps in one transaction."""
    result = _read(path)
    if not result.ok:
        click.echo("nothing loaded", err=True)
        sys.exit(1)
    token = write_intent.set(True)  # SQLite: take the write lock at BEGIN, queue behind others
    try:
        with database().sessions() as session, session.begin():
            lines, notes = [], []
            for loaded in result.frameworks:
                version, created = load_into_db(session, loaded.document, loaded.source_path)
                lines.append(f"{'loaded' if created else 'unchanged'} {version.slug} version "
                             f"{version.version_label} (hash {version.content_hash[:8]})")
                latest = latest_version(session, version.slug)
                if latest is not None and latest.id != version.id:
                    # A file put back to an older version's content: that version exists, so
                    # nothing is added, but new enrolments still get the latest one.
                    notes.append(f"note: {loaded.source_path} matches {version.slug} version "
                                 f"{version.version_label}, but the latest loaded is version "
                                 f"{latest.version_label}")
    finally:
        write_intent.reset(token)
    for line in lines:  # only once committed
        click.echo(line)
    for note in notes:
        click.echo(note, err=True)


@framework_cli.command("list", short_help="Loaded versions and their enrolments.")
@with_appcontext
def list_command() -> None:
    """Every loaded version with the number of enrolments pinned to it."""
    with database().sessions() as session:
        rows = [(s.version.slug, s.version.version_label, s.version.content_hash[:8],
                 s.version.loaded_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M"),
                 str(s.enrolments)) for s in list_versions(session)]
    if not rows:
        click.echo("no roadmap loaded yet; run `roadmap framework load`")
        return
    header = ("slug", "version", "hash", "loaded at (London)", "enrolments")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@framework_cli.command("show", short_help="Describe one loaded roadmap version.")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print the version as JSON.")
@click.option("--version", "version_label", metavar="N", help="A version number (default: latest).")
@with_appcontext
def show_command(slug: str, as_json: bool, version_label: Optional[str]) -> None:
    """Describe one roadmap version: domains, capabilities, stages and evidence types."""
    with database().sessions() as session:
        version = find_version(session, slug, version_label)
        if version is None:
            which = f" version {version_label}" if version_label else ""
            click.echo(f"no roadmap {slug!r}{which} is loaded", err=True)
            sys.exit(1)
        data = to_json(session, version)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{data['title']} ({data['slug']}) version {data['version']}, "
               f"hash {data['content_hash'][:8]}")
    for domain in data["domains"]:
        click.echo(f"  {domain['code']}. {domain['title']}")
        for cap in domain["capabilities"]:
            click.echo(f"     {cap['code']:>3}  {cap['title']}")
    click.echo("stages: " + ", ".join(f"{s['code']} ({s['name']})" for s in data["stages"]))
    for stage in data["stages"]:
        by = {kind: ", ".join(c["code"] for c in stage["checks"] if c["strength"] == kind)
              for kind in STRENGTHS}
        click.echo(f"  {stage['code']}: gates: {by['gate'] or 'none'}; guidance: "
                   f"{by['guidance'] or 'none'}; approved by {', '.join(stage['approvals'])}")
    click.echo("evidence types: " + ", ".join(
        e["code"] + (" (WPBA)" if e["is_wpba"] else "") for e in data["evidence_types"]))
    click.echo("rating scale: " + ", ".join(
        lv["label"] + (" (supports sign-off)" if lv["supportive"] else "")
        for lv in data["rating_scale"]))
