"""The import graph of factbase/: no cycle, no import upward, a CLI over the API only.

Read with :mod:`ast` from the source (no third-party tool, nothing imported), counting every
import: at module top, inside functions (lazy) and under ``if TYPE_CHECKING:`` alike — a
dependency is a dependency however late it is taken. The layers, lowest first, are
:data:`LAYERS` (docs/concepts.md draws the map). :data:`KNOWN_CYCLES`, :data:`KNOWN_UPWARD`
and :data:`KNOWN_CLI` are the debts of today's tree, each with why it is there: the tests
fail on any cycle or upward import not listed, and also on a listed one that is gone (so the
lists only shrink).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "factbase"

#: The layers, lowest first, each with its packages (every module under one) and modules; a
#: module may import its own layer and those below.
LAYERS: dict[str, tuple[str, ...]] = {
    # Pure: no SQLAlchemy, no Click, no database. Dates, names, the vocabulary and its field
    # models, the effective view (amend), replay, spans, diffs, the JSON-ready documents of a
    # state, output escaping, errors.
    "core": ("factbase.core",),
    # Files in and out: the input readers (YAML, JSON, JSON Lines, CSV, Wikidata) and the one
    # atomic writer. Pure as the core is.
    "io": ("factbase.io",),
    # Every SQL statement: the log, projections, reads, look-ups, search, the sql command.
    "store": ("factbase.store",),
    # Documents built from what FactBase reads and hands over (who, report, the explorer,
    # export): pure functions of events, states, names and sources; no store, no API.
    "views": ("factbase.views",),
    # FactBase: one method per verb, and the package's public face.
    "api": ("factbase.api", "factbase"),
    # The renderers, chosen by format from the registry in render/__init__.py.
    "render": ("factbase.render",),
    "cli": ("factbase.cli", "factbase.cli_add", "factbase.cli_context", "factbase.__main__"),
}
ORDER = list(LAYERS)
#: Cycles of today's tree (each a set of modules that reach each other), and why: none.
KNOWN_CYCLES: set[frozenset[str]] = set()

#: Imports from a lower layer to a higher one in today's tree, and why.
KNOWN_UPWARD: set[tuple[str, str]] = set()

#: Views that read the database themselves instead of through FactBase, and why.
KNOWN_VIEW_SQL: set[tuple[str, str]] = set()

#: cli.py's imports of modules below the API, and why: none (renderers live in render/, the
#: rest is reached through FactBase).
KNOWN_CLI: set[str] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _layer_of(name: str) -> str | None:
    """The layer of a module: the one naming it, or its package (``factbase`` itself only by
    name)."""
    for layer, homes in LAYERS.items():
        if name in homes or any(name.startswith(f"{h}.") for h in homes if h != "factbase"):
            return layer
    return None


LAYER_OF = {name: layer for name in MODULES if (layer := _layer_of(name))}
IN_LAYER = {layer: sorted(m for m, at in LAYER_OF.items() if at == layer) for layer in LAYERS}

#: What cli.py may import besides the API, views and renderers: date parsing and errors;
#: escape makes the status lines and messages the CLI prints around a rendered document inert.
CLI_MAY_IMPORT = {"factbase.api", "factbase.core.dates", "factbase.core.errors",
                  "factbase.core.escape", "factbase.io.files", "factbase.cli_add",
                  "factbase.cli_context", "factbase.core.documents", *IN_LAYER["views"],
                  *IN_LAYER["render"]}


def _imports(name: str, path: Path) -> Iterator[str]:
    """The factbase modules ``name`` imports anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # factbase.store.log.append -> ...log
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("factbase"):
                yield target


GRAPH = {name: sorted(set(_imports(name, path))) for name, path in MODULES.items()}


def _cycles() -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.add(frozenset(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return out


def test_every_module_has_a_layer() -> None:
    assert sorted(set(MODULES) - set(LAYER_OF)) == []
    homes = {home for homes in LAYERS.values() for home in homes}
    assert sorted(homes - set(MODULES)) == []


def test_the_graph_sees_lazy_and_type_checking_imports() -> None:
    assert "factbase.core.amend" in GRAPH["factbase.views.report"]  # under `if TYPE_CHECKING:`
    assert "factbase.store.projections" in GRAPH["factbase.api"]  # inside a method


def test_no_cycle_but_the_known_ones() -> None:
    found = _cycles()
    assert sorted(map(sorted, found - KNOWN_CYCLES)) == [], "a new import cycle"
    assert sorted(map(sorted, KNOWN_CYCLES - found)) == [], \
        "a known cycle is gone: remove it from KNOWN_CYCLES"


def test_no_import_upward_but_the_known_ones() -> None:
    upward = {(a, b) for a, deps in GRAPH.items() for b in deps
              if ORDER.index(LAYER_OF[b]) > ORDER.index(LAYER_OF[a])}
    assert sorted(upward - KNOWN_UPWARD) == [], "an import against the layer order"
    assert sorted(KNOWN_UPWARD - upward) == [], \
        "a known upward import is gone: remove it from KNOWN_UPWARD"


def test_the_cli_imports_only_the_api_views_renderers_and_dates() -> None:
    others = set(GRAPH["factbase.cli"]) - CLI_MAY_IMPORT
    assert sorted(others - KNOWN_CLI) == [], "cli.py imports below the API"
    assert sorted(KNOWN_CLI - others) == [], "cli.py no longer imports it: drop it from KNOWN_CLI"


def test_views_read_the_database_through_the_api() -> None:
    found = {(a, b) for a in [*IN_LAYER["views"], *IN_LAYER["render"]] for b in GRAPH[a]
             if LAYER_OF[b] == "store"}
    assert sorted(found - KNOWN_VIEW_SQL) == [], "a view reads the database itself"
    assert sorted(KNOWN_VIEW_SQL - found) == [], \
        "a known view import is gone: remove it from KNOWN_VIEW_SQL"


def test_the_core_imports_neither_sqlalchemy_nor_click() -> None:
    for name in [*IN_LAYER["core"], *IN_LAYER["io"]]:
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names}
        roots |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom) and not n.level}
        assert not roots & {"sqlalchemy", "click", "psycopg", "sqlite3"}, name


#: What a module outside store/ may take from SQLAlchemy: types to hold a connection by and
#: errors to turn into one line, never a statement or a dialect.
SQLALCHEMY_OUTSIDE_STORE = {"sqlalchemy.Engine", "sqlalchemy.engine.Connection",
                            "sqlalchemy.engine.make_url", "sqlalchemy.exc"}


def test_no_sql_outside_the_store() -> None:
    found = set()
    for name, path in MODULES.items():
        if LAYER_OF[name] == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(name, a.name) for a in node.names
                          if a.name.split(".")[0] in ("sqlalchemy", "sqlite3", "psycopg")}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module and \
                    node.module.split(".")[0] in ("sqlalchemy", "sqlite3", "psycopg"):
                found |= {(name, node.module if node.module in SQLALCHEMY_OUTSIDE_STORE
                           else f"{node.module}.{a.name}") for a in node.names}
    assert sorted(f for f in found if f[1] not in SQLALCHEMY_OUTSIDE_STORE) == []

