"""The issuer's Ed25519 signing keys, kept as files in ``instance/signing-keys/``.

Each key is ``<kid>.pem`` (private, mode 0600); ``current`` names the one that signs new
credentials. Rotating adds a key and points ``current`` at it; old keys stay, so the JWKS keeps
publishing their public halves and credentials they signed keep verifying.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

CURRENT = "current"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    def public_jwk(self) -> dict:
        jwk = jwt.algorithms.OKPAlgorithm.to_jwk(self.public, as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "EdDSA"}


def key_dir() -> Path:
    return Path(current_app.instance_path) / "signing-keys"


def create_key(folder: Path) -> SigningKey:
    """Generate a new key, write it owner-only, and make it the current one."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    kid = f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(folder / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    pointer = folder / f".{CURRENT}.{kid}"
    pointer.write_text(kid)
    pointer.replace(folder / CURRENT)  # atomic switch to the new key
    _load.cache_clear()
    return SigningKey(kid, private)


@cache
def _load(folder: Path, kid: str, mtime: float) -> SigningKey:
    private = serialization.load_pem_private_key((folder / f"{kid}.pem").read_bytes(), None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"signing key {kid} is not an Ed25519 key")
    return SigningKey(kid, private)


def all_keys(folder: Path | None = None) -> list[SigningKey]:
    folder = folder or key_dir()
    if not folder.is_dir():
        return []
    return [_load(folder, path.stem, path.stat().st_mtime) for path in sorted(folder.glob("*.pem"))]


def current_key(folder: Path | None = None) -> SigningKey:
    """The signing key; one is created on first use, so a fresh install can issue at once."""
    folder = folder or key_dir()
    pointer = folder / CURRENT
    if not pointer.is_file():
        return create_key(folder)
    kid = pointer.read_text().strip()
    return _load(folder, kid, (folder / f"{kid}.pem").stat().st_mtime)


def find_key(kid: str, folder: Path | None = None) -> SigningKey | None:
    return next((key for key in all_keys(folder) if key.kid == kid), None)


def jwks(folder: Path | None = None) -> dict:
    """Every public key, current and retired, as a JSON Web Key Set."""
    return {"keys": [key.public_jwk() for key in all_keys(folder)]}
