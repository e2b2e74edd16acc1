"""The import rules of DESIGN.md, held for every product module, and no import cycles.

| part | must not import |
|---|---|
| ``app.py``, ``pages/``, ``ui/`` | ``stripe``, ``stripe_emulator`` (app.py: the emulator) |
| ``services/`` | streamlit, starlette (or any web server), ``ui``, ``pages``, ``stripe_emulator`` |
| ``stripe_emulator/`` | ``services``, ``ui``, ``pages``, streamlit, the ``stripe`` SDK |

Imports inside functions count as much as those at the top of a file: an import
moved into a function to dodge a rule or a cycle is still an import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("services", "ui", "pages", "stripe_emulator")
PRODUCT_FILES = ("app.py",)

# The composition root starts the embedded emulator; nothing else in the UI may.
COMPOSITION_ROOT_EXCEPTIONS = {("app", "stripe_emulator.embedded")}

FORBIDDEN: Mapping[str, tuple[str, ...]] = {
    "app": ("stripe", "stripe_emulator"),
    "pages": ("stripe", "stripe_emulator"),
    "ui": ("stripe", "stripe_emulator"),
    "services": (
        "streamlit",
        "starlette",
        "uvicorn",
        "fastapi",
        "flask",
        "ui",
        "pages",
        "stripe_emulator",
    ),
    "stripe_emulator": ("services", "ui", "pages", "streamlit", "stripe"),
}


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to a module name where it is ours."""

    importer: str
    target: str
    line: int


def module_name(path: Path) -> str:
    """``services/payments/store.py`` → ``services.payments.store``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    """Every module of the product, by dotted name."""
    found = {module_name(ROOT / name): ROOT / name for name in PRODUCT_FILES}
    for package in PRODUCT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, known: Iterable[str]) -> list[Import]:
    """Every import in the file, ``from pkg import mod`` resolved to ``pkg.mod`` if a module."""
    known = set(known)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(Import(name, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in known else base
                found.append(Import(name, target, node.lineno))
    return found


def _all_imports() -> list[Import]:
    modules = product_modules()
    return [imp for name, path in modules.items() for imp in imports_of(name, path, modules)]


def _part(module: str) -> str:
    return module.split(".")[0]


def _matches(target: str, prefix: str) -> bool:
    return target == prefix or target.startswith(prefix + ".")


def rule_breaches(imports: Iterable[Import]) -> list[str]:
    """``"importer:line imports target"`` for every import a rule forbids."""
    breaches = []
    for imp in imports:
        for prefix in FORBIDDEN.get(_part(imp.importer), ()):
            allowed = (imp.importer, imp.target) in COMPOSITION_ROOT_EXCEPTIONS
            if _matches(imp.target, prefix) and not allowed:
                breaches.append(f"{imp.importer}:{imp.line} imports {imp.target}")
    return breaches


def import_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def product_import_graph() -> dict[str, set[str]]:
    modules = product_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for imp in _all_imports():
        if imp.target in modules and imp.target != imp.importer:
            graph[imp.importer].add(imp.target)
    return graph


def test_every_part_keeps_to_its_imports() -> None:
    assert rule_breaches(_all_imports()) == []


def test_no_import_cycles_among_product_modules() -> None:
    assert import_cycles(product_import_graph()) == []


def test_the_composition_root_is_the_only_ui_module_starting_the_emulator() -> None:
    emulator_imports = [
        (imp.importer, imp.target)
        for imp in _all_imports()
        if _part(imp.importer) in ("app", "ui", "pages") and _matches(imp.target, "stripe_emulator")
    ]
    assert emulator_imports == [("app", "stripe_emulator.embedded")]


@pytest.mark.parametrize(
    ("importer", "target"),
    [
        ("ui.tables", "stripe"),
        ("pages.invoices", "stripe_emulator.backend.state"),
        ("services.payments.webhook", "starlette.routing"),
        ("services.catalog", "ui.runtime"),
        ("stripe_emulator.api.invoices", "services.core.money"),
        ("stripe_emulator.backend.state", "stripe"),
        ("app", "stripe"),
    ],
)
def test_a_forbidden_import_is_reported(importer: str, target: str) -> None:
    assert rule_breaches([Import(importer, target, 1)]) == [f"{importer}:1 imports {target}"]


def test_allowed_imports_are_not_reported() -> None:
    allowed = [
        Import("app", "stripe_emulator.embedded", 1),
        Import("ui.tables", "stripe_errors_page", 1),  # a name that only starts like 'stripe'
        Import("services.catalog", "stripe", 1),
        Import("pages.invoices", "services.reporting.receivables", 1),
    ]
    assert rule_breaches(allowed) == []


def test_a_cycle_is_found_even_through_several_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_from_package_import_module_resolves_to_the_module(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("from services.payments import store\nfrom services.core.money import x\n")
    found = imports_of("services.x", source, {"services.payments.store", "services.core.money"})
    assert [imp.target for imp in found] == ["services.payments.store", "services.core.money"]
