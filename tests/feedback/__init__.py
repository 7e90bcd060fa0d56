"""Tests of roadmap.feedback: MSF and PSQ rounds, reminders, assessment by ticket."""
