"""Open Badges 3.0 credentials: a completed stage the practitioner carries, and checks anyone runs."""
