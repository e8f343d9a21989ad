"""How long a refused sign-in takes, per kind of account, with the production Argon2id settings.

A refusal must cost the same whatever the account holds (an Argon2id hash, an old bcrypt hash
from the single-provider app, a hash nobody can check) and whether the account exists at all,
or the response time tells an attacker which usernames exist and which are old accounts.
Prints the median of N refusals of each kind, in milliseconds.

    uv run python bench/password_timing_bench.py [--rounds 15] [--bcrypt-cost 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import bcrypt

from polychat.config import Settings
from polychat.security.passwords import Passwords


def median_ms(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--bcrypt-cost", type=int, default=10)
    args = parser.parse_args()

    passwords = Passwords.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    argon = passwords.hash("the right password")
    old = bcrypt.hashpw(b"the right password", bcrypt.gensalt(args.bcrypt_cost)).decode()
    old = "$2a$" + old[4:]  # as Node's bcryptjs wrote it
    rows = {
        "unknown user (dummy Argon2id)": lambda: passwords.verify_dummy("a wrong one"),
        "Argon2id account, wrong password": lambda: passwords.check(argon, "a wrong one"),
        f"bcrypt-{args.bcrypt_cost} account, wrong password": lambda: passwords.check(
            old, "a wrong one"
        ),
        "unverifiable hash": lambda: passwords.check("pbkdf2_sha256$1$s$h", "a wrong one"),
        f"bcrypt-{args.bcrypt_cost} account, right password (then rehashed)": lambda: (
            passwords.check(old, "the right password")
        ),
    }
    for name, action in rows.items():
        print(f"{name:55s} {median_ms(action, args.rounds):7.1f} ms")


if __name__ == "__main__":
    main()
