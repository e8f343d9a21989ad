"""Every route in the OpenAPI schema needs a Bearer token, except a short public list.

The walk reads the schema of the real app, so routers added later are covered without
touching this file: each must declare the bearer scheme *and* answer 401 without a token.
"""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.db

PUBLIC = {
    ("GET", "/api/auth/register"),
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
}
METHODS = {"get", "post", "put", "patch", "delete"}


async def test_every_non_public_route_requires_auth(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS or (method.upper(), path) in PUBLIC:
                continue
            assert {"BearerAuth": []} in operation.get("security", []), (
                f"{method.upper()} {path} does not declare Bearer auth"
            )
            url = re.sub(r"\{[^}]+\}", "1", path)
            response = await client.request(method.upper(), url, json={})
            assert response.status_code == 401, f"{method.upper()} {path}: {response.text}"
            assert response.json()["error"]["code"] == "not_authenticated"
            checked += 1
    assert checked >= 4  # at least profile GET/PUT and admin settings GET/PUT


async def test_public_routes_exist_and_docs_are_served(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    listed = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    assert listed >= PUBLIC
    assert (await client.get("/docs")).status_code == 200


async def test_every_route_documents_its_errors(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS or path in {"/healthz"}:
                continue
            errors = {code for code in operation["responses"] if code[0] in "45"}
            assert errors, f"{method.upper()} {path} documents no error responses"
