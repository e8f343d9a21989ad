"""Secrets Polychat generates for itself, written once into the data directory.

A zero-config install still needs a JWT signing secret and a master key for API-key
encryption. They are created on first use with mode 0600 (exclusive create, so two processes
starting together agree on one value) and read back on every later start.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from pathlib import Path


def load_or_create_secret(path: Path, nbytes: int) -> bytes:
    """Return the secret stored at `path`, creating it with `nbytes` random bytes if absent."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(nbytes)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its value
        return _read(path)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(base64.urlsafe_b64encode(value).decode("ascii") + "\n")
    return value


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    if not text:
        raise ValueError(f"secret file {path} is empty; delete it to generate a new one")
    return base64.urlsafe_b64decode(text)


def decode_key(text: str) -> bytes:
    """A 32-byte key from operator input: base64 or base64url of exactly 32 bytes is used as
    is; anything else is treated as a passphrase and hashed (SHA-256) to 32 bytes."""
    stripped = text.strip()
    for decoder in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            raw = decoder(stripped + "=" * (-len(stripped) % 4))
        except (binascii.Error, ValueError):
            continue
        if len(raw) == 32:
            return raw
    return hashlib.sha256(stripped.encode()).digest()
