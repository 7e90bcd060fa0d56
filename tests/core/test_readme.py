"""The README tells a newcomer what they need: its settings table is every setting there is."""
from __future__ import annotations

import re

from roadmap.config import DEFAULTS, ENV_PREFIX, PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def test_the_settings_table_lists_every_setting_and_no_other():
    table = set(re.findall(r"^\| `ROADMAP_([A-Z0-9_]+)` \|", README, flags=re.MULTILINE))
    assert table == set(DEFAULTS), {"missing": sorted(set(DEFAULTS) - table),
                                    "unknown": sorted(table - set(DEFAULTS))}


def test_the_first_screen_says_port_email_folder_and_how_to_get_a_code():
    first = README[:README.index("## ")]
    assert "PORT=" in first and "instance/mail/" in first
    assert '.venv/bin/python -c "import pyotp' in first
    assert f"{ENV_PREFIX}MAIL_URL" in first
