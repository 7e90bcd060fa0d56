"""Download file names: whose, what and when, in ASCII and in UTF-8."""
from __future__ import annotations

import datetime as dt

import pytest

from roadmap.web.downloads import ascii_name, attachment, file_name

DAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize("words, ascii_, utf8", [
    (["Jo Candidate", "portfolio"], "Jo-Candidate-portfolio-2026-12-06.pdf",
     "Jo-Candidate-portfolio-2026-12-06.pdf"),
    (["Zoë Ó Briain", "Stage 1", "verification statement"],
     "Zoe-O-Briain-Stage-1-verification-statement-2026-12-06.pdf",
     "Zo%C3%AB-%C3%93-Briain-Stage-1-verification-statement-2026-12-06.pdf"),
    (["王 芳", "portfolio"], "portfolio-2026-12-06.pdf",
     "%E7%8E%8B-%E8%8A%B3-portfolio-2026-12-06.pdf"),
    (['a/b\\c"d\r\nSet-Cookie: x', "portfolio"], "a-b-c-d-Set-Cookie-x-portfolio-2026-12-06.pdf",
     "a-b-c-d-Set-Cookie-x-portfolio-2026-12-06.pdf"),
    (["", "portfolio"], "portfolio-2026-12-06.pdf", "portfolio-2026-12-06.pdf"),
])
def test_a_download_is_named_safely_in_ascii_and_utf8(words, ascii_, utf8):
    value = attachment(words, DAY, "pdf")
    assert value == f"attachment; filename=\"{ascii_}\"; filename*=UTF-8''{utf8}"
    assert value.isascii() and "\r" not in value and "\n" not in value


def test_the_readable_name_keeps_accents_and_the_ascii_one_drops_them():
    name = file_name(["Zoë Ó Briain", "portfolio"], DAY, "zip")
    assert name == "Zoë-Ó-Briain-portfolio-2026-12-06.zip"
    assert ascii_name(name) == "Zoe-O-Briain-portfolio-2026-12-06.zip"
