"""The HTTP API. Every router is registered from `ROUTERS` below, in order: a new resource is
one module plus one line here. `LIFESPANS` lets a feature own start-up/shutdown work (open a
client, warm a cache) the same way: an async context manager factory taking the app, entered
after the database is ready and exited before it closes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import APIRouter, FastAPI

from polychat.api import (
    admin,
    admin_providers,
    auth,
    chat,
    conversations,
    health,
    models,
    providers,
    usage,
    users,
)
from polychat.chat.lifespan import chat_lifespan

ROUTERS: list[APIRouter] = [
    health.router,
    auth.router,
    users.router,
    admin.router,
    providers.router,
    models.router,
    admin_providers.router,
    conversations.router,
    chat.router,
    usage.router,
]

LIFESPANS: list[Callable[[FastAPI], AbstractAsyncContextManager[None]]] = [
    providers.provider_access_lifespan,
    chat_lifespan,
]
