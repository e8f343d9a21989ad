"""The master-key keyring: what keeps old ciphertexts readable while keys rotate."""

from __future__ import annotations

import stat
from pathlib import Path

from pydantic import SecretStr

from polychat.keys.keyring import (
    add_to_keyring,
    build_secretbox,
    keyring_path,
    read_keyring,
    write_current_key,
)
from polychat.security.secretbox import (
    SecretBox,
    associated_data,
    derive_key,
    generate_master_key,
    key_id,
)
from tests.conftest import make_settings

AAD = associated_data(1, "claude", "claude_api_key")


def test_keyring_file_is_private_deduplicated_and_appended(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, None)
    a, b = generate_master_key(), generate_master_key()
    add_to_keyring(settings, [derive_key(a)])
    add_to_keyring(settings, [derive_key(a), derive_key(b), derive_key(b)])
    path = keyring_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [key_id(k) for k in read_keyring(settings)] == [key_id(a), key_id(b)]
    assert len(path.read_text().splitlines()) == 2


def test_old_keys_from_the_environment(tmp_path: Path) -> None:
    old1, old2 = generate_master_key(), "an old passphrase"
    settings = make_settings(tmp_path, None, encryption_keys_old=SecretStr(f"{old1}, {old2}"))
    assert [key_id(k) for k in read_keyring(settings)] == [key_id(old1), key_id(old2)]
    sealed = SecretBox(old2).encrypt("sk-secret", AAD)
    assert build_secretbox(settings).decrypt(sealed, AAD) == "sk-secret"


def test_running_box_learns_a_rotated_key_from_the_data_dir(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, None)
    box = build_secretbox(settings)  # generates data/encryption_key
    old = settings.encryption_master_key()
    key_file = tmp_path / "encryption_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    new = derive_key(generate_master_key())
    add_to_keyring(settings, [old, new])
    write_current_key(settings, new)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    sealed_by_rotation = SecretBox(new).encrypt("sk-secret", AAD)

    assert box.current_key_id == key_id(old)
    assert box.decrypt(sealed_by_rotation, AAD) == "sk-secret"
    assert box.current_key_id == key_id(new)  # and now encrypts with it
    assert SecretBox(new).decrypt(box.encrypt("x", AAD), AAD) == "x"
    assert box.decrypt(SecretBox(old).encrypt("y", AAD), AAD) == "y"  # old still readable
    fresh = make_settings(tmp_path, None)
    assert key_id(fresh.encryption_master_key()) == key_id(new)
