"""Tests of roadmap.readers: who may read a portfolio."""
