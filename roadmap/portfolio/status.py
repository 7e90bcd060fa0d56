"""How each evidence status reads to people: its words and its NHS.UK tag colour.

The words are right for whoever reads them: "Returned to you" only to the candidate whose
item it is (OWN_STATUS_TAGS); a supervisor, a hub or a reader of the PDF reads who it went to.
"""
from __future__ import annotations

STATUS_TAGS = {
    "draft": ("Draft", "nhsuk-tag--grey"),
    "submitted": ("Waiting for supervisor", "nhsuk-tag--blue"),
    "returned": ("Returned to the candidate", "nhsuk-tag--orange"),
    "signed": ("Signed", "nhsuk-tag--green"),
    "changed_since_signed": ("Changed since signed", "nhsuk-tag--yellow"),
}
OWN_STATUS_TAGS = {**STATUS_TAGS, "returned": ("Returned to you", "nhsuk-tag--orange")}
