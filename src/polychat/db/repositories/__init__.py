"""Repositories: the SQL that routes and services read through, one module per aggregate.

The convention (docs/architecture.md, "Where SQL lives"): an `async` function taking the
caller's `AsyncSession`, returning ORM rows, plain values or small dataclasses, and raising
nothing HTTP-shaped (a missing row is `None`; the caller decides it is a 404). Modules here
import only `polychat.db` and SQLAlchemy, so every layer above (keys, chat, api, the CLI) may
use them. Routes (`polychat.api`) hold no SQL at all: `tests/unit/test_import_layers.py`
fails if one calls `select(`, `session.execute`, `session.scalar` or imports a query construct.
"""
