"""Exports: the portfolio PDF, the candidate's ZIP, verification statements and /verify."""
