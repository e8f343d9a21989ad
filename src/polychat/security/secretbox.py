"""AES-256-GCM encryption of stored secrets (provider API keys), with a keyring for rotation.

Why this shape:

* A fresh random 12-byte nonce per value, so encrypting the same key twice never yields the
  same ciphertext and GCM's nonce-reuse failure mode cannot happen.
* Associated data binds every ciphertext to the row it lives in (owner, provider, key name).
  A ciphertext copied into another user's row, or from one provider to another, fails
  authentication instead of quietly handing one user another user's key.
* Every envelope names the master key that made it (`kid`, a short one-way hash of the key),
  so during a rotation old and new ciphertexts can coexist and each is opened with the
  right key. The keyring holds the current key (used for all new encryption) plus any
  number of older keys that stay readable until every row has been re-encrypted.

Envelope format (ASCII, safe for a TEXT column): ``pc1.<kid>.<base64url(nonce || ct+tag)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ENVELOPE_PREFIX = "pc1"
NONCE_BYTES = 12
KEY_BYTES = 32


class SecretBoxError(Exception):
    """A stored secret could not be opened. The message never contains secret material."""


class UnknownKeyIdError(SecretBoxError):
    """The envelope was made by a master key this process does not hold."""


def derive_key(master: str | bytes) -> bytes:
    """Turn a configured master key into 32 AES key bytes.

    Same rules as `Settings.encryption_master_key` (keep them in step): 32 raw bytes, or
    base64/base64url text of 32 bytes (what `generate_master_key` produces), is the key
    itself; any other text is a passphrase hashed with SHA-256 (strength is then the
    passphrase's, which the operations guide warns about).
    """
    if isinstance(master, bytes):
        if len(master) == KEY_BYTES:
            return master
        master = master.decode("utf-8")
    text = master.strip()
    if not text:
        raise SecretBoxError("the encryption master key is empty")
    try:
        raw = base64.urlsafe_b64decode(_pad(text.replace("+", "-").replace("/", "_")))
        if len(raw) == KEY_BYTES:
            return raw
    except (binascii.Error, ValueError):
        pass
    return hashlib.sha256(text.encode("utf-8")).digest()


def generate_master_key() -> str:
    """A new random master key as base64url text (what the CLI prints and persists)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii").rstrip("=")


def key_id(master: str | bytes) -> str:
    """Short, one-way identifier of a master key: safe to store next to ciphertexts."""
    digest = hashlib.sha256(b"polychat-secretbox-kid\x00" + derive_key(master)).hexdigest()
    return digest[:12]


def associated_data(owner: int | str | None, provider: str, key_name: str) -> bytes:
    """The row identity a ciphertext is bound to. `owner` None means instance-wide."""
    owner_part = "instance" if owner is None else str(owner)
    return f"polychat/api_key/v1|{owner_part}|{provider}|{key_name}".encode()


def _pad(text: str) -> str:
    return text + "=" * (-len(text) % 4)


@dataclass(frozen=True, slots=True)
class Envelope:
    kid: str
    blob: bytes

    def encode(self) -> str:
        payload = base64.urlsafe_b64encode(self.blob).decode("ascii").rstrip("=")
        return f"{ENVELOPE_PREFIX}.{self.kid}.{payload}"

    @classmethod
    def decode(cls, text: str | bytes) -> Envelope:
        if isinstance(text, bytes):
            text = text.decode("ascii", errors="replace")
        parts = text.split(".")
        if len(parts) != 3 or parts[0] != ENVELOPE_PREFIX:
            raise SecretBoxError("not a polychat secret envelope")
        try:
            blob = base64.urlsafe_b64decode(_pad(parts[2]))
        except (binascii.Error, ValueError) as exc:
            raise SecretBoxError("corrupt secret envelope") from exc
        if len(blob) <= NONCE_BYTES:
            raise SecretBoxError("corrupt secret envelope")
        return cls(parts[1], blob)


def envelope_key_id(envelope: str | bytes) -> str:
    """Which master key made this ciphertext (for rotation progress and diagnostics)."""
    return Envelope.decode(envelope).kid


class SecretBox:
    """Encrypts with the current master key, decrypts with any key on the keyring.

    `reload` (optional) is called once when an envelope names an unknown key. It returns the
    current key as configured now (None: unchanged) and every other readable key. A process
    that started before a rotation thereby learns the new key from the data dir without a
    restart, and starts encrypting with it: rotation needs no downtime. Thread-safe.
    """

    def __init__(
        self,
        current: str | bytes,
        old: Iterable[str | bytes] = (),
        *,
        reload: Callable[[], tuple[str | bytes | None, Iterable[str | bytes]]] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._current_kid = key_id(current)
        self._ciphers: dict[str, AESGCM] = {self._current_kid: AESGCM(derive_key(current))}
        self._reload = reload
        self._add(old)

    @property
    def current_key_id(self) -> str:
        return self._current_kid

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._ciphers)

    def _add(self, keys: Iterable[str | bytes]) -> None:
        for key in keys:
            kid = key_id(key)
            if kid not in self._ciphers:
                self._ciphers[kid] = AESGCM(derive_key(key))

    def encrypt(self, plaintext: str, aad: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)
        blob = nonce + self._ciphers[self._current_kid].encrypt(nonce, plaintext.encode(), aad)
        return Envelope(self._current_kid, blob).encode()

    def decrypt(self, envelope: str | bytes, aad: bytes) -> str:
        env = Envelope.decode(envelope)
        cipher = self._cipher_for(env.kid)
        try:
            plain = cipher.decrypt(env.blob[:NONCE_BYTES], env.blob[NONCE_BYTES:], aad)
        except InvalidTag as exc:
            raise SecretBoxError(
                "stored secret failed authentication (tampered, or moved from another row)"
            ) from exc
        return plain.decode("utf-8")

    def needs_rotation(self, envelope: str | bytes) -> bool:
        return Envelope.decode(envelope).kid != self._current_kid

    def _cipher_for(self, kid: str) -> AESGCM:
        with self._lock:
            cipher = self._ciphers.get(kid)
            if cipher is None and self._reload is not None:
                current, others = self._reload()
                self._add(others)
                if current is not None:
                    self._add([current])
                    self._current_kid = key_id(current)
                cipher = self._ciphers.get(kid)
        if cipher is None:
            raise UnknownKeyIdError(
                f"secret was encrypted with master key {kid}, which is not on the keyring "
                "(set POLYCHAT_ENCRYPTION_KEYS_OLD or restore the keyring file)"
            )
        return cipher
