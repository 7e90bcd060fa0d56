"""The patient-identifier scanner under the name features have always imported (roadmap.pid).

The scanner moved to the core (roadmap.pid) so that every feature where text enters, not only
the portfolio, can use it without importing the portfolio.
"""
from __future__ import annotations

from roadmap.pid import KIND_LABELS, PATIENT_DETAILS, Finding, highlight, scan, warnings

__all__ = ["KIND_LABELS", "PATIENT_DETAILS", "Finding", "highlight", "scan", "warnings"]
