"""The package's shape: arrows point down the pipeline and no module imports one that
imports it back (ARCHITECTURE.md). Read from the source, every import at any depth."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "estimator"
# The faces: only these (and chart modules, `*.charts`) may import the UI and chart libraries.
FACES = ("estimator.ui", "estimator.export", "estimator.charts", "estimator.cli")


def _is_face(name: str) -> bool:
    return name.startswith(FACES) or name.endswith(".charts")


UI_LIBRARIES = ("streamlit", "plotly", "openpyxl")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        out[name] = path
    return out


def _imports(path: Path, known: dict[str, Path]) -> tuple[set[str], set[str]]:
    """(modules of ours, top-level outside packages) that `path` imports, at any depth,
    leaving out imports only made for type checking."""
    ours: set[str] = set()
    outside: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = [f"{node.module}.{a.name}" for a in node.names]
                found = [s for s in subs if s in known]
                ours.update(found)
                if node.module in known and len(found) < len(subs):
                    ours.add(node.module)
                outside.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in known:
                        ours.add(alias.name)
                    outside.add(alias.name.split(".")[0])
            for field in ("body", "orelse", "finalbody", "handlers"):
                child = getattr(node, field, None)
                if isinstance(child, list):
                    visit([c for c in child if isinstance(c, ast.stmt | ast.ExceptHandler)])  # type: ignore[misc]  # ExceptHandler bodies hold statements too

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return ours, outside


def _graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(path, known)[0] - {name} for name, path in known.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in graph:
        if v not in index:
            connect(v)
    return groups


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_never_imports_streamlit_plotly_or_openpyxl() -> None:
    known = _modules()
    offenders = {
        name: sorted(set(UI_LIBRARIES) & _imports(path, known)[1])
        for name, path in known.items()
        if not _is_face(name)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_nothing_below_the_ui_imports_the_ui() -> None:
    graph = _graph()
    below = {n: deps for n, deps in graph.items() if not n.startswith("estimator.ui")}
    assert {
        n: sorted(d) for n, d in below.items() if any(x.startswith("estimator.ui") for x in d)
    } == {}
