"""Tests of roadmap.cohorts: hubs, cohorts, enrolment, dashboards, what a hub sees."""
