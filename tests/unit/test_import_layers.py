"""The layers import downward only: nothing in keys/, chat/, db/ or security/ imports the API
layer, and the error root imports nothing of the app. Checked on the AST of every module, so an
import hidden inside a function is caught too."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "polychat"
BELOW_API = ("keys", "chat", "db", "security")


def polychat_imports(path: Path, root: Path = SRC) -> list[str]:
    """Every `polychat...` module `path` (under `root`) imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = list(path.relative_to(root).with_suffix("").parts)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found += [module, *(f"{module}.{a.name}" for a in node.names)]
    return [m for m in found if m == "polychat" or m.startswith("polychat.")]


def _upward(path: Path) -> list[str]:
    found = polychat_imports(path)
    return [m for m in found if m == "polychat.api" or m.startswith("polychat.api.")]


def test_no_layer_below_the_api_imports_it() -> None:
    offenders = {
        str(path.relative_to(SRC)): found
        for layer in BELOW_API
        for path in (PACKAGE / layer).rglob("*.py")
        if (found := _upward(path))
    }
    assert offenders == {}


def test_the_error_root_imports_nothing_of_the_app() -> None:
    assert polychat_imports(PACKAGE / "errors.py") == []


def test_the_check_sees_every_import_form(tmp_path: Path) -> None:
    pkg = tmp_path / "polychat" / "chat"
    pkg.mkdir(parents=True)
    sample = pkg / "m.py"
    sample.write_text(
        "import os\nfrom polychat.api.errors import ApiError\n"
        "def f():\n    from ..api import deps\n    import polychat.api.chat\n"
    )
    found = polychat_imports(sample, tmp_path)
    assert found == [
        "polychat.api.errors",
        "polychat.api.errors.ApiError",
        "polychat.api",
        "polychat.api.deps",
        "polychat.api.chat",
    ]
