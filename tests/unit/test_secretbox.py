"""The secret box: what an operator relies on when API keys sit in the database."""

from __future__ import annotations

import base64

import pytest

from polychat.security.keyfiles import decode_key
from polychat.security.secretbox import (
    SecretBox,
    SecretBoxError,
    UnknownKeyIdError,
    associated_data,
    derive_key,
    envelope_key_id,
    generate_master_key,
    key_id,
)

RAW = "sk-ant-api03-very-secret-value-1234"


def test_round_trip_and_no_plaintext_in_envelope() -> None:
    box = SecretBox(generate_master_key())
    aad = associated_data(7, "claude", "claude_api_key")
    env = box.encrypt(RAW, aad)
    assert RAW not in env
    assert RAW.encode() not in base64.urlsafe_b64decode(env.split(".")[2] + "==")
    assert box.decrypt(env, aad) == RAW


def test_fresh_nonce_every_time() -> None:
    box = SecretBox(generate_master_key())
    aad = associated_data(None, "mistral", "mistral_api_key")
    first, second = box.encrypt(RAW, aad), box.encrypt(RAW, aad)
    assert first != second
    nonce = lambda e: base64.urlsafe_b64decode(e.split(".")[2] + "==")[:12]  # noqa: E731
    assert nonce(first) != nonce(second)


@pytest.mark.parametrize(
    "other",
    [
        (8, "claude", "claude_api_key"),  # another user's row
        (None, "claude", "claude_api_key"),  # the instance row
        (7, "mistral", "claude_api_key"),  # another provider
        (7, "claude", "other_api_key"),  # another key name
    ],
)
def test_ciphertext_moved_to_another_row_fails(other: tuple[int | None, str, str]) -> None:
    box = SecretBox(generate_master_key())
    env = box.encrypt(RAW, associated_data(7, "claude", "claude_api_key"))
    with pytest.raises(SecretBoxError) as info:
        box.decrypt(env, associated_data(*other))
    assert RAW not in str(info.value)


def test_tampered_ciphertext_fails() -> None:
    box = SecretBox(generate_master_key())
    aad = associated_data(1, "openai", "openai_api_key")
    prefix, kid, payload = box.encrypt(RAW, aad).split(".")
    blob = bytearray(base64.urlsafe_b64decode(payload + "=="))
    blob[-1] ^= 1
    forged = ".".join([prefix, kid, base64.urlsafe_b64encode(bytes(blob)).decode().rstrip("=")])
    with pytest.raises(SecretBoxError):
        box.decrypt(forged, aad)
    for junk in ("", "plaintext-key", "pc1.abc", "pc1.abc.!!!", "pc1.abc.AAAA"):
        with pytest.raises(SecretBoxError):
            box.decrypt(junk, aad)


def test_envelope_names_its_master_key_and_old_keys_stay_readable() -> None:
    old, new = generate_master_key(), generate_master_key()
    aad = associated_data(3, "gemini", "gemini_api_key")
    env_old = SecretBox(old).encrypt(RAW, aad)
    assert envelope_key_id(env_old) == key_id(old)

    rotated = SecretBox(new, [old])
    assert rotated.needs_rotation(env_old)
    assert rotated.decrypt(env_old, aad) == RAW
    env_new = rotated.encrypt(RAW, aad)
    assert envelope_key_id(env_new) == key_id(new) == rotated.current_key_id
    assert not rotated.needs_rotation(env_new)

    with pytest.raises(UnknownKeyIdError):
        SecretBox(new).decrypt(env_old, aad)


def test_unknown_key_reloads_keyring_once() -> None:
    old, new = generate_master_key(), generate_master_key()
    aad = associated_data(None, "claude", "claude_api_key")
    env_new = SecretBox(new).encrypt(RAW, aad)
    calls: list[int] = []

    def reload() -> tuple[str, list[str]]:
        calls.append(1)
        return new, [old]

    box = SecretBox(old, reload=reload)
    env_old = box.encrypt(RAW, aad)
    assert box.decrypt(env_new, aad) == RAW
    assert box.decrypt(env_new, aad) == RAW
    assert len(calls) == 1
    # The process now encrypts with the rotated key and still reads the old one.
    assert box.current_key_id == key_id(new)
    assert envelope_key_id(box.encrypt(RAW, aad)) == key_id(new)
    assert box.decrypt(env_old, aad) == RAW


def test_key_formats_agree() -> None:
    raw = bytes(range(32))
    b64 = base64.urlsafe_b64encode(raw).decode()
    std_b64 = base64.b64encode(raw).decode()
    assert derive_key(raw) == derive_key(b64) == derive_key(std_b64) == derive_key(b64 + "\n")
    assert key_id(b64) == key_id(std_b64)
    # The same rules the settings use for POLYCHAT_ENCRYPTION_KEY.
    for text in (b64, std_b64, "a passphrase", raw.hex()):
        assert derive_key(text) == decode_key(text)
    assert len(derive_key("a passphrase")) == 32
    assert key_id("a passphrase") != key_id("another passphrase")
    with pytest.raises(SecretBoxError):
        derive_key("   ")
