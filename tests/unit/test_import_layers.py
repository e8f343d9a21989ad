"""The layers import downward only (docs/architecture.md): each package imports only the
layers its rule allows, nothing below the API imports it, the error root imports nothing of the
app, and routes hold no SQL. Checked on the AST of every module, so an import hidden inside a
function is caught too."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "polychat"
BELOW_API = ("keys", "chat", "db", "security")

# What each layer may import of Polychat besides itself (docs/architecture.md, "Layers").
# Top-level wiring (app.py, services.py, cli.py, admin_tools.py, __main__.py) may import any.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "providers": set(),
    "config": {"providers", "security"},
    "db": {"config"},
    "security": {"config", "db"},
    "keys": {"config", "db", "errors", "providers", "security"},
    "chat": {"config", "db", "errors", "providers", "security"},
    "api": {"chat", "config", "db", "errors", "keys", "logging_setup", "security", "__version__"},
}
WIRING = {"app", "services", "cli", "admin_tools", "__main__", "__init__", "logging_setup"}

# Query construction and execution a route must leave to a repository.
SQL_CALLS = {"execute", "scalar", "scalars", "stream", "stream_scalars"}
SQL_NAMES = {"select", "insert", "update", "delete", "text", "exists", "func"}


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


def _layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_every_layer_imports_only_what_its_rule_allows() -> None:
    offenders: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        layer = _layer(path)
        if layer in WIRING:
            continue
        assert layer in ALLOWED, f"{layer} is a new layer: give it a rule here and in the docs"
        bad = [
            m
            for m in polychat_imports(path)
            if m != "polychat"
            and (target := m.split(".")[1]) != layer
            and target not in ALLOWED[layer]
        ]
        if bad:
            offenders[str(path.relative_to(SRC))] = bad
    assert offenders == {}


def test_no_layer_imports_the_wiring() -> None:
    """Services are handed down (app.state, constructor arguments), never fetched upward."""
    offenders = {
        str(path.relative_to(SRC)): found
        for path in PACKAGE.rglob("*.py")
        if _layer(path) not in WIRING
        and (
            found := [
                m for m in polychat_imports(path) if m.split(".")[1:2] in (["app"], ["services"])
            ]
        )
    }
    assert offenders == {}


def sql_in(path: Path) -> list[str]:
    """SQL a module runs or builds itself: a SQLAlchemy import other than the session type,
    a query construct called (`select(...)`), or a session's query methods
    (`session.execute/scalar/get/...`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            if node.module != "sqlalchemy.ext.asyncio":
                found.append(f"from {node.module} import")
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("sqlalchemy")]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in SQL_NAMES:
                found.append(f"{func.id}(")
            elif isinstance(func, ast.Attribute):
                owner = func.value
                if func.attr in SQL_CALLS:
                    found.append(f".{func.attr}(")
                elif func.attr in ("get", "delete", "merge", "refresh") and (
                    isinstance(owner, ast.Name) and owner.id == "session"
                ):
                    found.append(f"session.{func.attr}(")
    return found


def test_routes_keep_no_sql() -> None:
    """Every query a route needs lives in a repository (polychat/db/repositories/)."""
    offenders = {
        str(path.relative_to(SRC)): found
        for path in (PACKAGE / "api").rglob("*.py")
        if (found := sql_in(path))
    }
    assert offenders == {}


def test_the_sql_check_sees_every_form(tmp_path: Path) -> None:
    sample = tmp_path / "route.py"
    sample.write_text(
        "from sqlalchemy import select\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\n"
        "import sqlalchemy.orm\n"
        "async def f(session: AsyncSession, db):\n"
        "    await session.execute(select(1))\n"
        "    await db.scalar(x)\n"
        "    await session.get(User, 1)\n"
        "    await session.commit()\n"
        "    {}.get('k')\n"
    )
    assert sorted(sql_in(sample)) == sorted(
        [
            "from sqlalchemy import",
            "import sqlalchemy.orm",
            ".execute(",
            "select(",
            ".scalar(",
            "session.get(",
        ]
    )
