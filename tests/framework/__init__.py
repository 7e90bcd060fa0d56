"""Tests of roadmap.framework: the roadmap files, their schema and their loading."""
