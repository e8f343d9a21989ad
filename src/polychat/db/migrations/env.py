"""Alembic environment. Polychat always hands in an open connection (see
`polychat.db.migrate`), so migrations run inside the caller's event loop and transaction."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from polychat.db.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `polychat migrate`, not the alembic CLI")
_run(connection)
