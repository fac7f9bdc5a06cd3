"""The code's habits, enforced by the test suite and so by CI (CONTRIBUTING.md, "Readable units of code"):
ruff's lint and format, and mypy on the public API, the assembly layer and the bounds (configured in
pyproject.toml). The import contracts are tests/test_layering.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)  # the same environment as the tests
    exe = str(beside) if beside.exists() else shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return exe


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_check():
    run = _run(_tool("ruff"), "check", "src", "tests", "benchmarks", "tools", "--output-format", "concise")
    assert run.returncode == 0, run.stdout + run.stderr


def test_ruff_format():
    run = _run(_tool("ruff"), "format", "--check", "src", "tests", "benchmarks", "tools")
    assert run.returncode == 0, "run `ruff format src tests benchmarks tools`:\n" + run.stdout + run.stderr


def test_mypy_on_the_api_and_the_assembly_layer():
    run = _run(_tool("mypy"), "--no-error-summary")  # files and options: [tool.mypy] in pyproject.toml
    assert run.returncode == 0, run.stdout + run.stderr
