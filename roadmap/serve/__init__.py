"""Serving in production: gunicorn's settings (gunicorn_conf) and the `roadmap serve` command."""
