"""The emulator's import rules (DESIGN.md): no stripe SDK, services or streamlit inside
it, and ``lib/`` stays resource-agnostic."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "stripe_emulator"
FORBIDDEN_EVERYWHERE = ("stripe", "services", "streamlit", "ui", "pages")
LAYER_RULES = {
    "lib": ("stripe_emulator.api", "stripe_emulator.backend", "stripe_emulator.models",
            "stripe_emulator.webhooks", "stripe_emulator.app", "stripe_emulator.urls"),
    "models": ("stripe_emulator.api", "stripe_emulator.backend", "stripe_emulator.app"),
    "backend": ("stripe_emulator.api", "stripe_emulator.app", "stripe_emulator.urls"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_forbidden_imports():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        layer = path.relative_to(PACKAGE).parts[0]
        for name in _imports(path):
            root = name.split(".")[0]
            if root in FORBIDDEN_EVERYWHERE or name.startswith(LAYER_RULES.get(layer, ("~",))):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []
