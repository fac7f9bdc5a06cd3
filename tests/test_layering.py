"""Layering (issue #12): the import contracts in .importlinter hold, and plotting leaves the backend alone."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> str | None:
    beside = Path(sys.executable).with_name("lint-imports")  # the same environment as the tests
    return str(beside) if beside.exists() else shutil.which("lint-imports")


def test_import_contracts_are_kept():
    exe = _lint_imports()
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    run = subprocess.run(
        [exe, "--config", ".importlinter", "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"lint-imports failed (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"


def test_plotting_keeps_the_backend_and_writes_pngs_headless(tmp_path):
    # A fresh interpreter with a non-Agg backend chosen by the user (as a notebook chooses inline):
    # importing every figure module must not switch it, nor load pyplot (whose import picks a
    # backend), and a figure must still be written as a PNG.
    code = textwrap.dedent(f"""
        import sys
        import matplotlib
        before = matplotlib.get_backend()
        import bmdlab.plotting, bmdlab.plotting.costs, bmdlab.plotting.maps, bmdlab.plotting.profile
        import bmdlab.plotting.raids, bmdlab.study.figures
        from bmdlab.plotting.raids import plot_leakers
        runs = {{"a": {{"10": {{"leakers_median": 2, "leakers_p05": 1, "leakers_p95": 4, "interceptors_expended_total": 12}},
                        "20": {{"leakers_median": 7, "leakers_p05": 5, "leakers_p95": 9, "interceptors_expended_total": 20}}}}}}
        fig = plot_leakers(runs, None, "test")
        written = plot_leakers(runs, {str(tmp_path / "leakers.png")!r}, "test")
        print(before, matplotlib.get_backend(), "matplotlib.pyplot" in sys.modules, type(fig).__name__, written)
    """)
    env = {**os.environ, "MPLBACKEND": "svg"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    before, after, pyplot_loaded, returned, written = run.stdout.split()
    assert (before, after) == ("svg", "svg")
    assert pyplot_loaded == "False"
    assert returned == "Figure"
    assert Path(written).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_modules_hold_no_physics_and_no_validation():
    """The CLI parses, calls bmdlab.api and renders: no NumPy, no stage model, no raised input error of its own."""
    import ast

    folder = Path(__file__).resolve().parents[1] / "src" / "bmdlab" / "cli"
    models = (
        "bmdlab.trajectory.ballistic",
        "bmdlab.defense.flyout",
        "bmdlab.defense.envelope",
        "bmdlab.coverage.national",
        "bmdlab.engagement.raid.simulate_raid",
    )
    for f in sorted(folder.glob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n == "numpy" or n.startswith(models) for n in names), f"{f.name}: imports {names}"
            if isinstance(node, ast.Raise) and node.exc is not None:
                src = ast.unparse(node.exc)
                assert "BmdlabError" not in src, f"{f.name}:{node.lineno}: validation belongs in the library ({src})"


def test_the_command_line_starts_without_loading_the_models():
    """`bmdlab --help` or `--version` must not pay for SciPy, pandas or the API: commands import them when run."""
    code = "import sys, bmdlab.cli; print(' '.join(m for m in ('scipy', 'pandas', 'xarray', 'bmdlab.api', 'bmdlab.coverage') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "", f"imported at CLI start: {out.stdout.strip()}"
