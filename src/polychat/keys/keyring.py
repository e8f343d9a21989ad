"""Where master keys come from, and the keyring that keeps old ones readable during rotation.

* Current key: `Settings.encryption_master_key()` (POLYCHAT_ENCRYPTION_KEY, or the generated
  `data_dir/encryption_key` file).
* Old keys: the `data_dir/encryption_keyring` file (one base64url key per line, mode 0600,
  written by `polychat rotate-encryption-key`) plus `POLYCHAT_ENCRYPTION_KEYS_OLD`
  (comma-separated) when the data dir is not shared between hosts.

`build_secretbox` wires a reload hook so a running server that meets a ciphertext made by a
key it does not know re-reads both files: it learns a rotated key without a restart.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from pathlib import Path

from polychat.config import Settings
from polychat.security.secretbox import SecretBox, derive_key, key_id

KEYRING_FILE = "encryption_keyring"
CURRENT_KEY_FILE = "encryption_key"  # the foundation's generated master key file


def keyring_path(settings: Settings) -> Path:
    return settings.data_dir / KEYRING_FILE


def current_key_path(settings: Settings) -> Path:
    return settings.data_dir / CURRENT_KEY_FILE


def encode_key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def read_keyring(settings: Settings) -> list[bytes]:
    keys: list[bytes] = []
    path = keyring_path(settings)
    if path.is_file():
        for line in path.read_text(encoding="ascii").splitlines():
            if line.strip() and not line.startswith("#"):
                keys.append(derive_key(line.strip()))
    if settings.encryption_keys_old is not None:
        text = settings.encryption_keys_old.get_secret_value()
        keys.extend(derive_key(part) for part in text.split(",") if part.strip())
    return keys


def add_to_keyring(settings: Settings, keys: Iterable[bytes]) -> None:
    """Append keys not yet on the keyring file (created 0600; never rewritten in place)."""
    path = keyring_path(settings)
    settings.ensure_data_dir()
    known = {key_id(k) for k in read_keyring(settings)}
    new = []
    for key in keys:
        kid = key_id(key)
        if kid not in known:
            known.add(kid)
            new.append(encode_key(derive_key(key)))
    if not new:
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as fh:
        fh.write("".join(f"{line}\n" for line in new))


def write_current_key(settings: Settings, raw: bytes) -> None:
    """Replace the generated master key file atomically (tmp file + rename, mode 0600)."""
    path = current_key_path(settings)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(encode_key(derive_key(raw)) + "\n")
    os.replace(tmp, path)


def _configured_current(settings: Settings) -> bytes | None:
    """The current key as configured right now (env wins; else the key file, if present)."""
    if settings.encryption_key is not None:
        return derive_key(settings.encryption_key.get_secret_value())
    path = current_key_path(settings)
    if path.is_file():
        return derive_key(path.read_text(encoding="ascii").strip())
    return None


def build_secretbox(settings: Settings) -> SecretBox:
    def reload() -> tuple[bytes | None, list[bytes]]:
        return _configured_current(settings), read_keyring(settings)

    return SecretBox(settings.encryption_master_key(), read_keyring(settings), reload=reload)
