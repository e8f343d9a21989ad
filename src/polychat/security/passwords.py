"""Password hashing: Argon2id for every new hash; bcrypt still verified for accounts that come
from the single-provider app.

That app stored bcrypt hashes (`$2a$` as Node's bcryptjs writes them, `$2b$`, `$2y$`). They keep
working: a correct password is accepted and the caller rehashes it to Argon2id at once
(`needs_rehash` is true for anything not Argon2id with today's parameters). bcrypt only ever
reads the first 72 bytes of a password, so the check truncates the same way the old app did
when it made the hash.

Verification of an unknown account still spends one full hash (`verify_dummy`), so response
time does not reveal which usernames exist. A hash in a format we cannot check at all is
`Verdict.UNVERIFIABLE`: the caller tells the user to ask an administrator for a reset instead
of failing with a 500 or claiming the password is wrong.
"""

from __future__ import annotations

import contextlib
import enum
import secrets
import time

import bcrypt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from polychat.config import Settings

_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
_BCRYPT_MAX_BYTES = 72


class Verdict(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    UNVERIFIABLE = "unverifiable"


def is_bcrypt(password_hash: str) -> bool:
    return password_hash.startswith(_BCRYPT_PREFIXES)


def _bcrypt_matches(password_hash: str, password: str) -> Verdict:
    try:
        ok = bcrypt.checkpw(password.encode()[:_BCRYPT_MAX_BYTES], password_hash.encode())
    except ValueError:  # a malformed salt or hash after a valid prefix
        return Verdict.UNVERIFIABLE
    return Verdict.OK if ok else Verdict.WRONG


class Passwords:
    def __init__(self, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy = self._hasher.hash("polychat-dummy-password")
        # What one Argon2 refusal costs (measured warm): the floor every refusal waits for.
        started = time.perf_counter()
        with contextlib.suppress(VerificationError):
            self._hasher.verify(self._dummy, "")
        self._floor_s = time.perf_counter() - started

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def check(self, password_hash: str, password: str) -> Verdict:
        """Whether `password` matches, whatever scheme made the hash. Every refusal costs at
        least one Argon2 verification, whatever the scheme, so response time does not reveal
        which accounts still hold an old hash."""
        if is_bcrypt(password_hash):
            started = time.perf_counter()
            verdict = _bcrypt_matches(password_hash, password)
            if verdict is Verdict.WRONG:
                # A cheaper bcrypt refusal would tell an attacker that this username is an old,
                # not yet migrated account; wait until it costs what an Argon2 refusal does.
                time.sleep(max(0.0, self._floor_s - (time.perf_counter() - started)))
        else:
            verdict = self._argon2(password_hash, password)
        if verdict is Verdict.UNVERIFIABLE:
            self.verify_dummy(password)
        return verdict

    def verify(self, password_hash: str, password: str) -> bool:
        return self.check(password_hash, password) is Verdict.OK

    def verify_dummy(self, password: str) -> None:
        self._argon2(self._dummy, password)

    def _argon2(self, password_hash: str, password: str) -> Verdict:
        started = time.perf_counter()
        try:
            self._hasher.verify(password_hash, password)
            verdict = Verdict.OK
        except VerificationError:  # a mismatch, or an Argon2 hash that does not decode
            verdict = Verdict.WRONG
        except InvalidHashError:
            return Verdict.UNVERIFIABLE  # nothing was hashed: says nothing about the cost
        # Follow what an Argon2 verification costs under today's load (a moving average), so
        # the bcrypt floor in `check` keeps matching it as the machine gets busier or quieter.
        self._floor_s = 0.8 * self._floor_s + 0.2 * (time.perf_counter() - started)
        return verdict

    def needs_rehash(self, password_hash: str) -> bool:
        if is_bcrypt(password_hash):
            return True
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


def generate_password() -> str:
    """A random password for an operator to hand over: 20 URL-safe characters (~120 bits)."""
    return secrets.token_urlsafe(15)


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
