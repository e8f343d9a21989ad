"""The web client's types are generated from web/src/api/openapi.json (docs/api.md): a route
or response model changed without regenerating them would leave the browser compiled against
an API that no longer exists, so the checked-in schema must be the app's own."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_checked_in_openapi_schema_is_the_apps() -> None:
    export = runpy.run_path(str(ROOT / "scripts" / "export-openapi.py"))
    checked_in = (ROOT / "web" / "src" / "api" / "openapi.json").read_text(encoding="utf-8")
    assert export["openapi_json"]() == checked_in, (
        "web/src/api/openapi.json is stale: run `make web-types` and commit the result"
    )
