"""The hidden-point seed of a batch: where it came from, and a salted hash --resume compares (never the seed)."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

SALT_FILE = ".seed-salt"
ITERATIONS = 200_000  # a seed is a small integer: a slow hash makes guessing it from results.json costly


SECRET_SEED_VARIABLE = "LAB1_SECRET_SEED"


def resolve_seed(secret_seed: int | None, public_seed: int) -> tuple[int, str]:
    """(seed, "secret") from the argument or $LAB1_SECRET_SEED, else (the rubric's public seed, "public")."""
    from grader.batch.errors import BatchError

    if secret_seed is not None:
        return int(secret_seed), "secret"
    value = os.environ.get(SECRET_SEED_VARIABLE, "").strip()
    if not value:
        return int(public_seed), "public"
    try:
        return int(value), "secret"
    except ValueError:
        raise BatchError(f"{SECRET_SEED_VARIABLE}={value!r} is not an integer") from None


def batch_salt(out_dir: Path) -> bytes:
    """The output folder's own random salt, created (owner-only) on first use."""
    path = out_dir / SALT_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError):
        pass
    salt = secrets.token_bytes(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(salt.hex() + "\n")
    return salt


def seed_hash(seed: int, salt: bytes) -> str:
    """PBKDF2-SHA256 of the seed under the salt, as hex."""
    return hashlib.pbkdf2_hmac("sha256", str(int(seed)).encode(), salt, ITERATIONS).hex()
