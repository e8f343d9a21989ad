"""The HTTP API. Every router is registered from `ROUTERS` below, in order: a new resource is
one module plus one line here. Routes hold no SQL and build no services: they call
repositories (`polychat.db.repositories`) and the services `polychat.services` put on
`app.state`."""

from __future__ import annotations

from fastapi import APIRouter

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
