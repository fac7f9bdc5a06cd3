"""Imports belong at the top of a module; one inside a function says why it is lazy, and the command line
starts without the heavy stacks its commands load.

An import inside a function is declared lazy when its own line carries ``# lazy: <why>``, or when the line
directly above it is a comment containing ``lazy:``. Either covers a run of consecutive imports (import
statements with nothing between them, not even a blank line) when it is on or above the first of them; a
blank line ends the run, so the groups isort separates (stdlib, third-party, first-party) each need their own.
"""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "bmdlab"

#: Modules `import bmdlab.cli` must not load: a command loads its own stack only when it runs.
HEAVY_AT_CLI_START = ("pandas", "matplotlib", "duckdb", "distributed", "bmdlab.api")

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_IMPORTS = (ast.Import, ast.ImportFrom)


def _statement_lists(node: ast.AST, in_function: bool = False):
    """Each list of statements under ``node`` (a body, an ``else``, a ``finally`` ...), with whether it
    lies inside a function."""
    inside = in_function or isinstance(node, _FUNCTIONS)
    for _, value in ast.iter_fields(node):
        if isinstance(value, list) and value and all(isinstance(v, ast.stmt) for v in value):
            yield value, inside
    for child in ast.iter_child_nodes(node):
        yield from _statement_lists(child, inside)


def undeclared_lazy_imports(source: str) -> list[int]:
    """Line numbers of the imports inside functions of ``source`` that do not say why they are lazy."""
    lines = source.splitlines()

    def marked(stmt: ast.stmt) -> bool:  # `# lazy:` on a line of the statement itself
        return any("# lazy:" in line for line in lines[stmt.lineno - 1 : stmt.end_lineno])

    offenders = []
    for body, in_function in _statement_lists(ast.parse(source)):
        if not in_function:
            continue
        for i, stmt in enumerate(body):
            if not isinstance(stmt, _IMPORTS):
                continue
            if marked(stmt):
                continue
            first = i  # the first import of the blank-free run this one belongs to
            while (
                first > 0
                and isinstance(body[first - 1], _IMPORTS)
                and body[first - 1].end_lineno == body[first].lineno - 1
            ):
                first -= 1
            head = body[first]
            above = lines[head.lineno - 2].strip() if head.lineno >= 2 else ""
            if marked(head) or (above.startswith("#") and "lazy:" in above):
                continue
            offenders.append(stmt.lineno)
    return sorted(offenders)


def test_the_rule_on_examples():
    source = textwrap.dedent("""
        import os


        def declared_inline():
            import pandas  # lazy: pandas takes ~1 s to import


        def declared_above_a_run():
            # lazy: plotting loads Matplotlib
            from bmdlab.plotting import a
            from bmdlab.plotting import b


        def a_blank_line_ends_the_run():
            # lazy: uvicorn loads only when serving
            import uvicorn

            from bmdlab.web import app


        def not_declared():
            import math  # math is cheap

            if math:
                from bmdlab import api


        class Nested:
            def method(self):
                try:
                    from bmdlab.export import (  # lazy: the exports load pandas
                        write_table,
                    )
                except ImportError:
                    import json
    """)
    lines = source.splitlines()
    found = [lines[n - 1].strip() for n in undeclared_lazy_imports(source)]
    assert found == [
        "from bmdlab.web import app",
        "import math  # math is cheap",
        "from bmdlab import api",
        "import json",
    ]


def test_every_import_inside_a_function_says_why_it_is_lazy():
    files = sorted(PACKAGE.rglob("*.py"))
    assert files, f"no Python files under {PACKAGE}"
    offenders = []
    for path in files:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for n in undeclared_lazy_imports(source):
            offenders.append(f"{path.relative_to(ROOT).as_posix()}:{n}: {lines[n - 1].strip()}")
    assert not offenders, (
        f"{len(offenders)} import(s) inside a function without a reason: move each to the top of its module, "
        "or say why it must stay lazy with `# lazy: <why>` on its line or on the comment line above the run:\n"
        + "\n".join(offenders)
    )


def test_the_command_line_starts_without_the_heavy_stacks():
    code = f"import sys, bmdlab.cli; print(' '.join(m for m in {HEAVY_AT_CLI_START!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    loaded = run.stdout.split()
    assert not loaded, (
        f"`import bmdlab.cli` loads {', '.join(loaded)}: keep it inside the command that needs it "
        '(find who imports it with `python -X importtime -c "import bmdlab.cli"`)'
    )


#: Modules a small raid (``bmdlab raid SCENARIO --trials 100``) never calls: exports, tables, statistics, figures,
#: the MILP solver, the compiled kernels (its plan is below their threshold).
HEAVY_FOR_A_RAID = (
    "xarray",
    "pandas",
    "duckdb",
    "scipy.stats",
    "scipy.special",
    "scipy.optimize",
    "numba",
    "matplotlib",
    "distributed",
)


def test_a_small_raid_loads_no_stack_it_does_not_call(tmp_path):
    # issue #23: a tiny command pays no import it does not need (the raid's own numbers are checked elsewhere)
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print('LOADED', *[m for m in {HEAVY_FOR_A_RAID!r} if m in sys.modules]))\n"
        "from bmdlab.cli import app\n"
        "sys.argv = ['bmdlab', 'raid', 'japan-2017-baseline', '--trials', '20']\n"
        "app()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    loaded = run.stdout.rsplit("LOADED", 1)[1].split()
    assert not loaded, f"`bmdlab raid` loads {', '.join(loaded)}; make the import lazy (bmdlab.lazy.lazy_module)"
