"""The signing key: an Ed25519 private key in a PEM file, read through joserfc, never stored.

`roadmap credential keygen` writes the file (mode 600) and its public half beside it; the app
checks the file at start, so a missing, unreadable or wrong key stops it there rather than at
the first approval. Nothing here logs or returns the private key: only its public JWK and its
RFC 7638 thumbprint, which names it (`kid`) in every credential it signs.
"""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, Mapping, Optional

from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from roadmap.config import ConfigError

ALGORITHM = "Ed25519"  # the fully specified JOSE name (RFC 9864) of EdDSA on Ed25519
SETTING = "ROADMAP_CREDENTIAL_KEY_FILE"


def public_path(path: Path) -> Path:
    """Where keygen puts the key's public half, beside the private key."""
    return path.with_name(path.name + ".pub.jwk")


def public_jwk(key: OKPKey) -> dict[str, Any]:
    """The key's public half as a JWK: kty, crv and x, never d."""
    return {name: value for name, value in key.as_dict(private=False).items()
            if name in {"kty", "crv", "x"}}


def generate(path: Path) -> OKPKey:
    """Write a new Ed25519 key to PATH (owner-only) and its public JWK beside it; refuse to
    overwrite a key, whose credentials would otherwise no longer verify."""
    if path.exists():
        raise FileExistsError(f"{path} exists: move it away first (its public key stays "
                              "published from the database once it has signed a credential)")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder {path.parent} does not exist")
    key = OKPKey.generate_key(ALGORITHM)
    pem = key.as_pem(private=True)
    # Created owner-only before anything is written into it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public_path(path).write_text(json.dumps({**public_jwk(key), "kid": key.thumbprint()},
                                            indent=2) + "\n")
    return key


def load(path: Path) -> OKPKey:
    """The private Ed25519 key in PATH; ConfigError, naming the setting, when it is not one."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{SETTING}: cannot read {path}: {error.strerror or error}") from None
    if mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IWGRP):
        raise ConfigError(f"{SETTING}: {path} can be read or changed by other users of the "
                          f"machine; make it the owner's alone (chmod 600 {path})")
    try:
        key = OKPKey.import_key(data)
    except (JoseError, ValueError, TypeError):
        raise ConfigError(f"{SETTING}: {path} is not an Ed25519 private key in PEM form "
                          "(`roadmap credential keygen` writes one)") from None
    if not key.is_private or key.curve_name != ALGORITHM:
        raise ConfigError(f"{SETTING}: {path} must hold an Ed25519 private key, "
                          f"not a {'public' if not key.is_private else key.curve_name} key")
    return key


def configured(config: Mapping[str, Any]) -> Optional[OKPKey]:
    """The configured signing key, or None when no key is configured (no credential is issued)."""
    value = config.get("CREDENTIAL_KEY_FILE")
    return load(Path(value)) if value else None


def check_at_start(config: Mapping[str, Any]) -> None:
    """Refuse to start on a configured key that cannot sign (`roadmap serve` warns when
    production has none: roadmap.serve.options)."""
    configured(config)
