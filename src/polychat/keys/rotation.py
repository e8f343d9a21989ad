"""`polychat rotate-encryption-key`: re-encrypt every stored API key under a new master key.

Order matters, so that no server ever meets a ciphertext it cannot open (no downtime):

1. Put the old and the new key on the keyring file. Running servers that meet a ciphertext
   made by the new key re-read the keyring (SecretBox reload) and open it.
2. Make the new key current: rewrite the generated key file, or (POLYCHAT_ENCRYPTION_KEY in
   the environment) tell the operator to change the variable; the old key stays on the
   keyring, so servers still running with it keep working and their writes stay readable.
3. Re-encrypt each row in small committed batches; a row that cannot be opened is reported
   and left untouched (never lost). Running the command again is safe and finishes the job.
4. Tell every process to drop its cached configuration (Redis, when configured).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from polychat.config import Settings
from polychat.db.models import ApiKey
from polychat.keys.bus import ALL, CHANNEL
from polychat.keys.keyring import (
    add_to_keyring,
    read_keyring,
    write_current_key,
)
from polychat.keys.store import aad_for
from polychat.security.secretbox import SecretBox, SecretBoxError, derive_key, key_id


@dataclass
class RotationReport:
    new_key_id: str
    old_key_id: str
    total: int = 0
    rotated: int = 0
    already_current: int = 0
    failed: list[int] = field(default_factory=list)
    env_managed: bool = False


async def reencrypt_all(
    sessionmaker: async_sessionmaker[AsyncSession], box: SecretBox, *, batch: int = 100
) -> tuple[int, int, int, list[int]]:
    """Re-encrypt rows not yet under `box`'s current key. Returns (total, rotated, current,
    failed row ids). Batches are committed one by one, so an interruption loses nothing."""
    total = rotated = current = 0
    failed: list[int] = []
    last_id = 0
    for _ in range(1_000_000):  # bounded: one iteration per batch of rows
        async with sessionmaker() as session, session.begin():
            rows = (
                await session.scalars(
                    select(ApiKey).where(ApiKey.id > last_id).order_by(ApiKey.id).limit(batch)
                )
            ).all()
            if not rows:
                break
            for row in rows:
                total += 1
                last_id = row.id
                if not box.needs_rotation(row.encrypted_key):
                    current += 1
                    continue
                try:
                    plain = box.decrypt(row.encrypted_key, aad_for(row))
                except SecretBoxError:
                    failed.append(row.id)
                    continue
                row.encrypted_key = box.encrypt(plain, aad_for(row))
                row.master_key_id = box.current_key_id
                rotated += 1
    return total, rotated, current, failed


async def rotate_encryption_key(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    new_key: str | None = None,
) -> RotationReport:
    env_managed = settings.encryption_key is not None
    if env_managed and not new_key:
        raise ValueError(
            "POLYCHAT_ENCRYPTION_KEY is set in the environment: pass the new key with "
            "--new-key-stdin (then set POLYCHAT_ENCRYPTION_KEY to it and restart when convenient)"
        )
    old = settings.encryption_master_key()
    new = derive_key(new_key) if new_key else os.urandom(32)
    report = RotationReport(new_key_id=key_id(new), old_key_id=key_id(old), env_managed=env_managed)

    add_to_keyring(settings, [old, new])
    if not env_managed:
        write_current_key(settings, new)
    box = SecretBox(new, [old, *read_keyring(settings)])
    report.total, report.rotated, report.already_current, report.failed = await reencrypt_all(
        sessionmaker, box
    )
    await broadcast_invalidation(settings)
    return report


async def broadcast_invalidation(settings: Settings) -> None:
    """Other processes drop their caches (they would also notice on their own: a cache miss
    decrypts with the keyring, which now holds the new key)."""
    if not settings.redis_url:
        return
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url)
    try:
        await client.publish(CHANNEL, f"rotation|{ALL}")
    finally:
        await client.aclose()


def run_cli(settings: Settings, new_key: str | None) -> int:
    """`polychat rotate-encryption-key`: prints progress for an operator, never a key."""
    import asyncio
    import sys

    from polychat.db.engine import create_engine, create_sessionmaker

    async def run() -> RotationReport:
        engine = create_engine(settings)
        try:
            return await rotate_encryption_key(settings, create_sessionmaker(engine), new_key)
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(run())
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"master key {report.old_key_id} -> {report.new_key_id}: {report.rotated} key(s) "
        f"re-encrypted, {report.already_current} already current, {report.total} in total"
    )
    if report.env_managed:
        print(
            "POLYCHAT_ENCRYPTION_KEY is set in the environment: set it to the new key and "
            "restart at your convenience (the old key stays on the keyring meanwhile)."
        )
    else:
        print(f"new master key written to {settings.data_dir / 'encryption_key'}")
    if report.failed:
        ids = ", ".join(str(i) for i in report.failed)
        print(
            f"warning: {len(report.failed)} key(s) could not be decrypted and were left as they "
            f"were (api_keys ids {ids}); add their master key to the keyring and run again",
            file=sys.stderr,
        )
        return 1
    return 0
