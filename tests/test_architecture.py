"""The shape of the code: no import circle, content below everything, one registry of products.

The imports are read from the source (AST), module-level and inside functions alike (a
lazy import still ties two modules together), except those only for type checkers.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from werkboek import PRODUCTS, Project
from werkboek.build import build_products
from werkboek.participants.lists import people_from_names
from werkboek.products import (
    AttendanceOptions,
    CertificateOptions,
    WorkbookOptions,
)
from werkboek.recipes import load_recipe

from conftest import CONTENT, REPO, ROOTS

STYLES = REPO / "styles"

PACKAGE = REPO / "src" / "werkboek"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> set[str]:
    """The werkboek modules that ``path`` imports (not for type checkers only)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    skipped: set[int] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking(node):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("werkboek"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("werkboek"):
                continue
            found.add(target)
            for alias in node.names:  # "from . import pdf": a module, not a name
                candidate = f"{target}.{alias.name}"
                if _exists(candidate):
                    found.add(candidate)
    return {m for m in found if _exists(m) and m != name}


def _exists(module: str) -> bool:
    relative = Path(*module.split("."))
    root = PACKAGE.parent
    return (root / relative).with_suffix(".py").is_file() or (
        root / relative / "__init__.py"
    ).is_file()


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imports_of(path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of ``graph`` with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            part = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                part.append(other)
                if other == node:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _without_parents(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's ``__init__`` re-exports its modules: importing ``a.b`` runs ``a`` first,
    but ``a.b`` importing ``a``'s re-exports is no circle of its own."""
    return {
        name: {m for m in imports if not name.startswith(m + ".")}
        for name, imports in graph.items()
    }


def test_no_import_circle_between_modules():
    assert _cycles(_without_parents(GRAPH)) == []


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_import_circle_between_packages():
    packages: dict[str, set[str]] = {}
    for name, imports in GRAPH.items():
        own = _package(name)
        if own == "werkboek":  # the package's own __init__ re-exports from everything
            continue
        packages.setdefault(own, set()).update(
            _package(m) for m in imports if _package(m) not in (own, "werkboek")
        )
    assert _cycles(packages) == []


@pytest.mark.parametrize("lower", ["werkboek.content", "werkboek.recipes"])
def test_what_lies_below_imports_nothing_above_it(lower):
    above = ("rendering", "pdf", "products", "mail", "web", "build", "cli")
    wrong = {
        name: sorted(m for m in imports if m.split(".")[1] in above)
        for name, imports in GRAPH.items()
        if name == lower or name.startswith(lower + ".")
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_every_registered_product_is_built_through_the_one_way(tmp_path):
    """Each product of the registry, attendance and certificates included, is built by
    ``build_products`` and writes PDFs below its own folder."""
    project = Project(CONTENT, STYLES, tmp_path / "uit")
    recipe = load_recipe(ROOTS / "trainingsdag" / "recept.yaml", project.content)
    people = tuple(people_from_names(["Anna de Vries", "Bram Bakker"]))
    options = {
        "workbook": WorkbookOptions(recipe),
        "attendance": AttendanceOptions(recipe, people),
        "certificates": CertificateOptions(recipe, people),
    }
    assert {"attendance", "certificates", "workbook", "document"} <= set(PRODUCTS)
    written = build_products(project, list(PRODUCTS), options)
    for name, cls in PRODUCTS.items():
        own = [p for p in written if p.is_relative_to(project.output_dir / cls.folder)]
        assert own, name
        assert all(p.read_bytes().startswith(b"%PDF-") for p in own), name
    assert len(written) == len(set(written))


# ---------------------------------------------------------------- the README's map of the code

MAP_COLUMN = 18
"""Where a line of the map explains (a line indented this far continues the one above)."""


def map_of_the_code() -> tuple[set[str], set[str]]:
    """The modules and packages the README's map names, as paths below ``src/werkboek/``.

    A line that starts with ``name/`` opens a package below the one whose line is less
    indented; every ``name.py`` on a line belongs to the package open at that line.
    """
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```text\nsrc/werkboek/\n", 1)[1].split("```", 1)[0]
    modules: set[str] = set()
    packages: set[str] = set()
    stack: list[tuple[int, str]] = [(0, "")]
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        first = line.split()[0]
        if indent < MAP_COLUMN:
            while stack[-1][0] >= indent and len(stack) > 1:
                stack.pop()
            if first.endswith("/") and re.fullmatch(r"[a-z_]+/", first):
                path = stack[-1][1] + first
                packages.add(path.rstrip("/"))
                stack.append((indent, path))
        package = stack[-1][1]
        for name in re.findall(r"\b([a-z_]+\.py)\b", line):
            modules.add(package + name)
    return modules, packages


def test_the_readmes_map_names_every_module_and_nothing_else():
    modules, packages = map_of_the_code()
    actual = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    }
    actual_packages = {
        str(path.parent.relative_to(PACKAGE)) for path in PACKAGE.rglob("__init__.py")
    } - {"."}
    data = {"templates", "static", "shipped", "starter", "migrations"}
    assert sorted(actual - modules) == [], "modules the map leaves out"
    assert sorted(modules - actual) == [], "modules the map names that do not exist"
    assert sorted(actual_packages - packages) == [], "packages the map leaves out"
    assert sorted(p for p in packages - actual_packages if p.split("/")[-1] not in data) == []
