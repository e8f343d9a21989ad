"""Nothing outside src/polychat/providers/ knows an SDK exists (DESIGN.md): checked on the
AST of every module, so lazy imports inside functions are caught too."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PROVIDERS = SRC / "polychat" / "providers"
SDKS = ("anthropic", "openai", "mistralai", "google", "ollama")


def sdk_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        found += [n for n in names if n.split(".")[0] in SDKS]
    return found


def test_no_sdk_import_outside_the_provider_layer() -> None:
    offenders = {
        str(path.relative_to(SRC)): imports
        for path in SRC.rglob("*.py")
        if PROVIDERS not in path.parents and (imports := sdk_imports(path))
    }
    assert offenders == {}


def test_the_check_sees_every_import_form(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text(
        "import anthropic\nfrom google import genai\nimport os\n"
        "def f():\n    import openai.types\n    importlib.import_module('mistralai')\n"
    )
    assert sdk_imports(sample) == ["anthropic", "google", "openai.types", "mistralai"]
    assert sdk_imports(PROVIDERS / "claude.py") == ["anthropic"]
