"""Write the API's OpenAPI schema as JSON, built from the app without serving it.

    uv run --frozen python scripts/export-openapi.py [OUT]     (default: standard output)

The web client's types are generated from this file (web/src/api/openapi.json ->
schema.gen.ts, see `make web-types`), so the output must depend on the code alone: the
settings ignore `.env` (nothing in the schema reads a setting), and keys keep the app's order so a
diff of the checked-in file reads like a diff of the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from polychat.app import create_app
from polychat.config import Settings


def openapi_json() -> str:
    """The schema as the checked-in file holds it: two-space indent, a final newline."""
    app = create_app(Settings(_env_file=None))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    text = openapi_json()
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
