"""Tests of roadmap.pid: the patient-identifier scanner, its corpus figures and its fuzzing."""
