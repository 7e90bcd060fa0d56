"""The house's direction holds: import-linter's contracts are kept, and a wrong import fails them."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(checkout: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the `roadmap` package found in a checkout, with its pyproject."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=checkout,
                          env={"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package and its contracts, copied so a test can add a module without touching ours."""
    checkout = tmp_path_factory.mktemp("checkout")
    shutil.copytree(ROOT / "roadmap", checkout / "roadmap",
                    ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    return checkout


def test_every_contract_is_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


@pytest.mark.parametrize("module, line, names", [
    # a feature reaching up to one above it
    ("roadmap/accounts/uphill.py", "from roadmap.cohorts import service\n",
     ("roadmap.accounts.uphill -> roadmap.cohorts.service",)),
    # the audit log reaching into a feature
    ("roadmap/audit/nosy.py", "from roadmap.portfolio import content\n",
     ("roadmap.audit.nosy -> roadmap.portfolio.content",)),
    # a feature's service using a shared view helper (only views may)
    ("roadmap/portfolio/sneaky.py", "from roadmap.web import reach\n",
     ("roadmap.portfolio.sneaky -> roadmap.web.reach",)),
    # the same kind of import, downhill, is allowed: nothing is named and the contracts hold
    ("roadmap/exports/downhill.py", "from roadmap.portfolio import content\n", ()),
])
def test_a_forbidden_import_fails_and_is_named(copy_of_the_code: Path, module: str, line: str,
                                               names: tuple[str, ...]) -> None:
    target = copy_of_the_code / module
    target.write_text('"""A throwaway module written by the architecture test."""\n' + line)
    try:
        result = _lint(copy_of_the_code)
    finally:
        target.unlink()
    if not names:
        assert result.returncode == 0, result.stdout
        return
    assert result.returncode == 1, result.stdout + result.stderr
    for name in names:
        assert name in result.stdout, result.stdout


def test_a_model_importing_a_service_fails(copy_of_the_code: Path) -> None:
    models = copy_of_the_code / "roadmap" / "cohorts" / "models.py"
    original = models.read_text()
    models.write_text(original + "\nfrom roadmap.accounts import service as _service  # noqa\n")
    try:
        result = _lint(copy_of_the_code)
    finally:
        models.write_text(original)
    assert result.returncode == 1
    assert "roadmap.cohorts.models -> roadmap.accounts.service" in result.stdout
    assert "A feature's models.py imports only the core and other models" in result.stdout


def test_a_background_job_reaching_a_view_indirectly_fails(copy_of_the_code: Path) -> None:
    gather = copy_of_the_code / "roadmap" / "exports" / "status_page.py"
    gather.write_text('"""Throwaway."""\nfrom roadmap.portfolio import blueprint\n')
    jobs = copy_of_the_code / "roadmap" / "exports" / "jobs.py"
    original = jobs.read_text()
    jobs.write_text(original + "\nfrom roadmap.exports import status_page  # noqa\n")
    try:
        result = _lint(copy_of_the_code)
    finally:
        jobs.write_text(original)
        gather.unlink()
    assert result.returncode == 1
    assert "A background job imports no view" in result.stdout
    assert "roadmap.exports.status_page -> roadmap.portfolio.blueprint" in result.stdout
