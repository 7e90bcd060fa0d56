"""The signing key: keygen writes it for its owner alone and never overwrites one; the app
refuses, at start, a configured key that cannot sign; production says when none is set."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from roadmap import create_app
from roadmap.__main__ import main
from roadmap.config import ConfigError
from roadmap.credentials import keys
from roadmap.serve import options


def test_keygen_writes_an_owner_only_key_and_its_public_half(tmp_path):
    path = tmp_path / "signing.pem"
    result = CliRunner().invoke(main, ["credential", "keygen"],
                                env={"ROADMAP_CREDENTIAL_KEY_FILE": str(path)})
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = keys.load(path)
    public = keys.public_path(path).read_text()
    assert key.thumbprint() in result.output and key.thumbprint() in public
    private = key.as_dict(private=True)["d"]
    assert private not in result.output and private not in public
    assert "PRIVATE" not in result.output
    again = CliRunner().invoke(main, ["credential", "keygen", "--key-file", str(path)])
    assert again.exit_code != 0 and "exists" in again.output
    assert keys.load(path).thumbprint() == key.thumbprint()  # untouched


@pytest.mark.parametrize("problem, says", [
    ("missing", "cannot read"),
    ("others read it", "chmod 600"),
    ("not a key", "not an Ed25519 private key"),
    ("public key only", "must hold an Ed25519 private key"),
])
def test_a_configured_key_that_cannot_sign_stops_the_app_at_start(app_config, tmp_path,
                                                                  problem, says):
    path = tmp_path / "signing.pem"
    if problem != "missing":
        key = keys.generate(path)
        if problem == "others read it":
            os.chmod(path, 0o644)
        elif problem == "not a key":
            path.write_text("hello")
        elif problem == "public key only":
            path.write_bytes(key.as_pem(private=False))
    with pytest.raises(ConfigError, match=says):
        create_app({**app_config, "CREDENTIAL_KEY_FILE": str(path)})


def test_roadmap_cannot_start_says_so_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["db", "current"], env={
        "ROADMAP_ENV": "development", "ROADMAP_CREDENTIAL_KEY_FILE": str(tmp_path / "none.pem"),
        "ROADMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert result.exit_code != 0
    assert "Roadmap cannot start" in result.output and "ROADMAP_CREDENTIAL_KEY_FILE" in result.output


def test_production_without_a_key_is_warned_about_at_serve():
    values = options.settings({"ROADMAP_ENV": "production", "ROADMAP_SECRET_KEY": "s" * 40,
                               "ROADMAP_DATABASE_URL": "postgresql://db/roadmap",
                               "ROADMAP_BASE_URL": "https://roadmap.example.nhs.uk"})
    assert options.problems(values) == []
    assert any("ROADMAP_CREDENTIAL_KEY_FILE" in w for w in options.warnings(values))
    values["CREDENTIAL_KEY_FILE"] = "/etc/roadmap/credential-signing.pem"
    assert not any("ROADMAP_CREDENTIAL_KEY_FILE" in w for w in options.warnings(values))


def test_a_good_key_starts_the_app(app_config, tmp_path: Path):
    path = tmp_path / "signing.pem"
    keys.generate(path)
    app = create_app({**app_config, "CREDENTIAL_KEY_FILE": str(path)})
    app.extensions["roadmap.db"].engine.dispose()
