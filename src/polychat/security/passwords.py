"""Argon2id password hashing.

Verification of an unknown account still spends one full hash (`verify_dummy`), so response
time does not reveal which usernames exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from polychat.config import Settings


class Passwords:
    def __init__(self, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy = self._hasher.hash("polychat-dummy-password")

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def verify_dummy(self, password: str) -> None:
        self.verify(self._dummy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


def password_problem(password: str, *, min_length: int, username: str, email: str) -> str | None:
    """Why `password` is too weak, or None. Length over composition rules (NIST 800-63B),
    plus a refusal of the obvious: the username, the email, one repeated character."""
    if len(password) < min_length:
        return f"password must be at least {min_length} characters"
    if len(password) > 1024:
        return "password must be at most 1024 characters"
    lowered = password.lower()
    if lowered in {username.lower(), email.lower(), email.split("@", 1)[0].lower()}:
        return "password must not be your username or email"
    if len(set(password)) < 4:
        return "password is too simple: use more different characters"
    return None
