"""Settings: defaults, then ROADMAP_* environment variables, then a test's overrides."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

ENV_PREFIX = "ROADMAP_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent  # the checkout: templates/, capabilities/

# Every setting the application knows, with its default. Anything else is a mistake.
DEFAULTS: dict[str, Any] = {
    "ENV": "production",  # production, development or test
    "TESTING": False,
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "FRAMEWORK_DIR": None,  # None: the capabilities/ folder beside the package
    "ARGON2_PROFILE": "owasp",  # "owasp" or "fast" (tests only)
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_ABSOLUTE_HOURS": 12,
    "WTF_CSRF_ENABLED": True,
    "SQL_ECHO": False,
    "MAIL_URL": None,  # smtp://user:password@host:587?starttls=true, or smtps://...; None: a folder
    "MAIL_FROM": "Roadmap <no-reply@roadmap.invalid>",
    "MAIL_FOLDER": None,  # where email goes without MAIL_URL; None: instance/mail
    "BASE_URL": None,  # e.g. https://roadmap.example.nhs.uk; every emailed link; production needs it
    "INVITATION_DAYS": 7,
    "PASSWORD_RESET_HOURS": 2,
    "REAUTH_MINUTES": 5,  # signing needs the password or a code entered this recently
    # Work email domains an external assessor's link may go to (a domain covers its subdomains)
    "ASSESSOR_EMAIL_DOMAINS": "nhs.net,nhs.uk,ac.uk",
    "ATTACHMENT_DIR": None,  # the local store's folder; None: instance/attachments
    "STORAGE": "local",  # where attachments are kept: "local" (ATTACHMENT_DIR) or "s3"
    "S3_BUCKET": None,  # the bucket, with STORAGE=s3; credentials come from boto3's own chain
    "S3_PREFIX": "",  # object names start with this (e.g. "roadmap/"); "" for none
    "S3_ENDPOINT_URL": None,  # an S3-compatible service (MinIO, Ceph); None: AWS
    "S3_REGION": None,  # None: boto3's own (AWS_DEFAULT_REGION, the profile)
    "EXPORT_DIR": None,  # export jobs, their files and the rendered-part cache; None: instance/exports
    "EXPORT_FONT_DIR": None,  # where Debian puts the DejaVu and Noto fonts; None: /usr/share/fonts
    "EXPORT_WORKERS": 0,  # processes that render PDF parts at once; 0: one per core
    "EXPORT_HEARTBEAT_SECONDS": 60,  # a running export not heard of for this long has failed
    "EXPORT_KEEP_FRESH": None,  # re-make each stored portfolio PDF after a change; None: unless TESTING
    "EXPORT_REFRESH_SECONDS": 60,  # changes this close together make one background re-make
    # The export button waits this long for a quick export (a re-export after a change) and
    # downloads it at once; a longer one goes to its progress page. None: 4, or 0 when TESTING.
    "EXPORT_WAIT_SECONDS": None,
    # Opening the export page while the reader's stored PDF is not current starts their quick
    # export then, so the button finds it made. None: on, unless TESTING (jobs run inline there).
    "EXPORT_PREPARE": None,
    # Each committed change queues its enrolment's quick PDF at once (exports.quick), which the
    # button serves until the archival copy is current. None: on, unless TESTING.
    "EXPORT_QUICK_COPY": None,
    "REDIS_URL": None,  # export queue and rate limits on Redis; None: SQLite queue, per-process limits
    "RATE_LIMIT_PREFIX": "roadmap-limits",  # Redis key prefix of the rate limits (one per deployment)
    "PROXY_HOPS": 0,  # load balancers in front that set X-Forwarded-*; 0: trust no such header
    "LOG_FORMAT": None,  # "json" or "text"; None: json in production, text otherwise
    "BIND": "0.0.0.0:8000",  # where `roadmap serve` (gunicorn) listens
    "WORKERS": 0,  # gunicorn worker processes; 0: 2 x cores + 1
    "THREADS": 4,  # threads per gunicorn worker
    "ALLOW_SQLITE": False,  # let `roadmap serve` run production on SQLite (one server only)
    # The share (0 to 100) of education providers' first approvals sent to a second review by
    # another reviewer, the audit sample. Which ones is decided by the round's content hash
    # (roadmap.providers.decisions.sampled), so the same round always gets the same answer.
    "PROVIDER_SAMPLE_PERCENT": 10,
    # The service frame: who runs Roadmap here and how to reach them, shown in the footer's
    # accessibility statement, privacy notice, cookies and contact pages (none needs sign-in).
    "SERVICE_PHASE": "beta",  # the phase banner: "alpha", "beta", or "" for none (live)
    "ORGANISATION_NAME": None,  # e.g. "NHS Example Training Hub"; None: worded generally
    "CONTACT_EMAIL": None,  # where people ask for help and report accessibility problems
    "CONTACT_PHONE": None,  # e.g. "0300 123 4567"
    "CONTACT_HOURS": None,  # e.g. "Monday to Friday, 9am to 5pm"
    "DATA_PROTECTION_EMAIL": None,  # the data protection officer; None: CONTACT_EMAIL
    "RECORDS_KEPT_FOR": None,  # e.g. "6 years after the candidate leaves the Roadmap"
    "ACCESSIBILITY_STATEMENT_DATE": "2026-12-06",  # when the statement was last reviewed
    # Open Badges 3.0 credentials (roadmap/credentials): the Ed25519 private key that signs them,
    # a PEM file `roadmap credential keygen` writes (never kept in the database); None: no
    # credential is issued. The issuer is the organisation hosting this service, named so.
    "CREDENTIAL_KEY_FILE": None,
    "CREDENTIAL_ISSUER_NAME": "Roadmap to Practice portfolio service",
    "CREDENTIAL_ISSUER_URL": None,  # the organisation's own website; None: BASE_URL
    "CREDENTIAL_ISSUER_EMAIL": None,  # who a checker writes to about a credential
}

_BOOLEAN = {"TESTING", "WTF_CSRF_ENABLED", "SQL_ECHO", "ALLOW_SQLITE", "EXPORT_KEEP_FRESH",
            "EXPORT_PREPARE", "EXPORT_QUICK_COPY"}
_INTEGER = {"SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS", "INVITATION_DAYS",
            "PASSWORD_RESET_HOURS", "REAUTH_MINUTES", "EXPORT_WORKERS",
            "EXPORT_HEARTBEAT_SECONDS", "EXPORT_REFRESH_SECONDS", "EXPORT_WAIT_SECONDS",
            "PROXY_HOPS", "WORKERS", "THREADS", "PROVIDER_SAMPLE_PERCENT"}
_WEAK_SECRETS = {None, "", "dev", "change-me", "secret", "development"}


class ConfigError(RuntimeError):
    """A setting is unknown, malformed or unsafe."""


def _coerce(key: str, raw: str) -> Any:
    """Turn an environment string into the type the setting needs."""
    if key in _BOOLEAN:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{ENV_PREFIX}{key} must be true or false, not {raw!r}")
    if key in _INTEGER:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{key} must be a whole number, not {raw!r}") from None
    return raw


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read ROADMAP_* variables; an unknown one is an error, not a silent no-op."""
    found: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX):]
        if key not in DEFAULTS:
            raise ConfigError(f"unknown setting {name}; known: {', '.join(sorted(DEFAULTS))}")
        found[key] = _coerce(key, raw)
    return found


def build(instance_path: str, test_config: Mapping[str, Any] | None,
          environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Merge defaults, environment and test overrides, then check the result."""
    settings = dict(DEFAULTS)
    settings.update(from_environment(os.environ if environ is None else environ))
    for key, value in (test_config or {}).items():
        if key not in DEFAULTS:
            raise ConfigError(f"unknown setting {key!r} in test configuration")
        settings[key] = value
    if settings["TESTING"]:
        settings["ENV"] = "test"
    if settings["ENV"] not in {"production", "development", "test"}:
        raise ConfigError(f"{ENV_PREFIX}ENV must be production, development or test")
    if settings["EXPORT_KEEP_FRESH"] is None:  # tests ask for it: it renders after commits
        settings["EXPORT_KEEP_FRESH"] = not settings["TESTING"]
    if settings["EXPORT_WAIT_SECONDS"] is None:  # tests run jobs inline: they follow the job page
        settings["EXPORT_WAIT_SECONDS"] = 0 if settings["TESTING"] else 4
    if settings["EXPORT_PREPARE"] is None:
        settings["EXPORT_PREPARE"] = not settings["TESTING"]
    if settings["EXPORT_QUICK_COPY"] is None:
        settings["EXPORT_QUICK_COPY"] = not settings["TESTING"]
    if settings["DATABASE_URL"] is None:
        settings["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "roadmap.sqlite3")
    if settings["FRAMEWORK_DIR"] is None:
        settings["FRAMEWORK_DIR"] = str(Path(__file__).resolve().parent.parent / "capabilities")
    if settings["LOG_FORMAT"] is None:
        settings["LOG_FORMAT"] = "json" if settings["ENV"] == "production" else "text"
    if settings["LOG_FORMAT"] not in {"json", "text"}:
        raise ConfigError(f"{ENV_PREFIX}LOG_FORMAT must be json or text")
    _check_secret(settings)
    _check_base_url(settings)
    _check_storage(settings)
    _check_sample(settings)
    _check_frame(settings)
    settings["ASSESSOR_EMAIL_DOMAINS"] = _assessor_domains(settings["ASSESSOR_EMAIL_DOMAINS"])
    return settings


_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}")


def _assessor_domains(value: Any) -> tuple[str, ...]:
    """The allowed assessor domains as a tuple; a bare top-level domain would let anyone in."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    domains = tuple(dict.fromkeys(str(d).strip().lower().lstrip("@.").rstrip(".")
                                  for d in items if str(d).strip()))
    bad = [d for d in domains if len(d) > 253 or not _DOMAIN.fullmatch(d)]
    if not domains or bad:
        raise ConfigError(f"{ENV_PREFIX}ASSESSOR_EMAIL_DOMAINS must list work email domains "
                          f"separated by commas, each with a dot, like nhs.net,nhs.uk,ac.uk"
                          + (f" (not {', '.join(bad)})" if bad else ""))
    return domains


def _check_base_url(settings: dict[str, Any]) -> None:
    """Emailed links come from BASE_URL alone: production needs one, and it must be a plain origin.

    A link built from the request's Host header would carry a reset token to whatever host an
    attacker's request named, so production never falls back to the request.
    """
    base = settings["BASE_URL"]
    if not base:
        settings["BASE_URL"] = None
        if settings["ENV"] == "production":
            raise ConfigError(
                f"{ENV_PREFIX}BASE_URL must be set in production to the address people open "
                "Roadmap at, like https://roadmap.example.nhs.uk: every link in an email is built "
                "from it, never from the host a request names")
        return
    problem = f"{ENV_PREFIX}BASE_URL must be an absolute http(s) address such as " \
              f"https://roadmap.example.nhs.uk, with no query or fragment, not {base!r}"
    try:
        parts = urlsplit(str(base).strip())
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise ConfigError(problem) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query \
            or parts.fragment or "?" in str(base) or "#" in str(base) \
            or parts.username is not None or any(ord(ch) < 33 for ch in str(base).strip()):
        raise ConfigError(problem)
    settings["BASE_URL"] = str(base).strip().rstrip("/")


def _check_storage(settings: dict[str, Any]) -> None:
    """Refuse an attachment store that cannot work, at start rather than at the first upload."""
    if settings["STORAGE"] not in {"local", "s3"}:
        raise ConfigError(f"{ENV_PREFIX}STORAGE must be local or s3, not {settings['STORAGE']!r}")
    if settings["STORAGE"] == "s3" and not settings["S3_BUCKET"]:
        raise ConfigError(f"{ENV_PREFIX}STORAGE=s3 needs {ENV_PREFIX}S3_BUCKET, the bucket's name")


def _check_sample(settings: dict[str, Any]) -> None:
    """The audit sample is a percentage: a whole number from 0 (none) to 100 (every approval)."""
    share = settings["PROVIDER_SAMPLE_PERCENT"]
    if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
        raise ConfigError(f"{ENV_PREFIX}PROVIDER_SAMPLE_PERCENT must be a whole number from 0 to "
                          f"100, not {share!r}")


def _check_frame(settings: dict[str, Any]) -> None:
    """The footer pages' settings: a known phase, email addresses and a real review date."""
    if settings["SERVICE_PHASE"] not in {"alpha", "beta", ""}:
        raise ConfigError(f"{ENV_PREFIX}SERVICE_PHASE must be alpha, beta or empty (live), "
                          f"not {settings['SERVICE_PHASE']!r}")
    for key in ("CONTACT_EMAIL", "DATA_PROTECTION_EMAIL"):
        value = settings[key]
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", str(value)):
            raise ConfigError(f"{ENV_PREFIX}{key} must be an email address such as "
                              f"roadmap@example.nhs.uk, not {value!r}")
    try:
        dt.date.fromisoformat(str(settings["ACCESSIBILITY_STATEMENT_DATE"]))
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}ACCESSIBILITY_STATEMENT_DATE must be a date written "
                          f"2026-12-06, not {settings['ACCESSIBILITY_STATEMENT_DATE']!r}") from None


def _check_secret(settings: dict[str, Any]) -> None:
    """Refuse to run in production on a missing or guessable secret key."""
    secret = settings["SECRET_KEY"]
    if settings["ENV"] == "production":
        if secret in _WEAK_SECRETS or len(str(secret)) < 32:
            raise ConfigError(
                f"{ENV_PREFIX}SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (for example: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
    elif not secret:
        settings["SECRET_KEY"] = f"insecure-{settings['ENV']}-key-do-not-use-in-production"
