"""Tests of roadmap.providers, and the LNA tables beside them."""
