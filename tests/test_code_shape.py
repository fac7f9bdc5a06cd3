"""Readable units of code (issue #21; CONTRIBUTING.md): no function body over 80 lines, no import cycle
between modules. (At most 8 parameters is ruff's PLR0913, run by tests/test_lint.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "bmdlab"
MAX_BODY_LINES = 80


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, its docstring left out."""
    body = node.body
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        if len(body) == 1:
            return 0
        first = body[1]
    return node.end_lineno - first.lineno + 1


def test_no_function_body_is_longer_than_80_lines():
    long = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _body_lines(node) > MAX_BODY_LINES:
                long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({_body_lines(node)} lines)")
    assert not long, "split these functions:\n" + "\n".join(long)


def test_the_body_count_leaves_out_the_docstring():
    code = 'def f():\n    """Doc\n    string."""\n    a = 1\n    return a\n'
    assert _body_lines(ast.parse(code).body[0]) == 2


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on, stack, out = set(), [], []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    grimp = pytest.importorskip("grimp")  # installed with import-linter (the test extra)
    g = grimp.build_graph("bmdlab")
    # the root package re-exports the API lazily (bmdlab.__getattr__): not an import at load time
    graph = {
        m: {x for x in g.find_modules_directly_imported_by(m) if x.startswith("bmdlab")}
        - ({"bmdlab.api"} if m == "bmdlab" else set())
        for m in g.modules
        if m.startswith("bmdlab")
    }
    # a package's __init__ importing its own submodules is not a cycle of the code's layers
    for m, deps in graph.items():
        graph[m] = {d for d in deps if not m.startswith(d + ".")}
    assert _cycles(graph) == []
