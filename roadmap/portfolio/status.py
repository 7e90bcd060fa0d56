"""How each evidence status reads to people: its words and its NHS.UK tag colour."""
from __future__ import annotations

STATUS_TAGS = {
    "draft": ("Draft", "nhsuk-tag--grey"),
    "submitted": ("Waiting for supervisor", "nhsuk-tag--blue"),
    "returned": ("Returned to you", "nhsuk-tag--orange"),
    "signed": ("Signed", "nhsuk-tag--green"),
    "changed_since_signed": ("Changed since signed", "nhsuk-tag--yellow"),
}
