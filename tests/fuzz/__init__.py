"""The fuzz test: every form of every route, as every role, with hostile values."""
