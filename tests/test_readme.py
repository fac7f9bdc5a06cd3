"""Every `bmdlab ...` command and Python block in the README runs (CONTRIBUTING.md), and the commands
marked ``# stored: NAME`` print what ``tests/readme_outputs/NAME.json`` holds.

Regenerate the stored outputs after a deliberate change of numbers with
``BMDLAB_UPDATE_README_OUTPUTS=1 pytest tests/test_readme.py`` and review the diff.
"""

import json
import math
import os
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmdlab.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)


STORED = Path(__file__).parent / "readme_outputs"
#: README commands that take more than a few seconds (skipped by the quick run, `pytest -m "not slow"`).
SLOW_WORDS = (" tornado ", " sweep ", " tradeoff ", " --map ", " uncertainty ")
#: Keys that differ between runs of the same command (timings) or between releases (the version).
VOLATILE = {"seconds", "bmdlab_version"}


def _commands():
    """(command, expected exit code, stored output): a comment starting 'refused' expects 2; 'long run'
    skips the line (a benchmark-sized run, such as 10^7 Monte Carlo trials, measured in the README
    instead); 'stored: NAME' compares the JSON printed with tests/readme_outputs/NAME.json."""
    cmds = []
    for lang, body in BLOCKS:
        if lang != "bash":
            continue
        body = body.replace("\\\n", " ")
        for line in body.splitlines():
            line, _, comment = line.partition("#")
            line, comment = line.strip(), comment.strip()
            if line.startswith("bmdlab ") and " study " not in f" {line} " and not comment.startswith("long run"):
                stored = comment.removeprefix("stored:").strip() if comment.startswith("stored:") else None
                slow = any(w in f" {line} " for w in SLOW_WORDS)
                cmds.append(
                    pytest.param(
                        line,
                        2 if comment.startswith("refused") else 0,
                        stored,
                        id=line,
                        marks=[pytest.mark.slow] if slow else [],
                    )
                )
    return cmds


def _strip(obj):
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def _same(a, b, where="") -> list[str]:
    """Differences between two JSON values (floats to 1e-9 relative: the same seed gives the same numbers)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: missing" for k in a.keys() ^ b.keys()]
        return out + [d for k in a.keys() & b.keys() for d in _same(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items, stored {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _same(x, y, f"{where}[{i}]")]
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else [f"{where}: {a!r}, stored {b!r}"]
    return [] if a == b else [f"{where}: {a!r}, stored {b!r}"]


@pytest.fixture(scope="module")
def readme_dir(tmp_path_factory):
    """One working directory for the README's commands, run in order (a later one may read an earlier one's file)."""
    return tmp_path_factory.mktemp("readme")


@pytest.mark.parametrize("command,exit_code,stored", _commands())
def test_readme_command_runs(command, exit_code, stored, readme_dir, monkeypatch):
    monkeypatch.chdir(readme_dir)
    args = shlex.split(command)[1:]
    target = None
    if ">" in args:  # a shell redirection in the README: the test writes stdout to the file
        i = args.index(">")
        args, target = args[:i], args[i + 1]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == exit_code, f"{command}\n{res.output}"
    if exit_code == 2:
        assert res.output.startswith("error:") and len(res.output.strip().splitlines()) == 1
    if target is not None and target != "/dev/null":
        Path(target).write_text(res.stdout, encoding="utf-8")
    if stored is not None:
        got = _strip(json.loads(res.stdout))
        path = STORED / f"{stored}.json"
        if os.environ.get("BMDLAB_UPDATE_README_OUTPUTS"):
            STORED.mkdir(exist_ok=True)
            path.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        diffs = _same(got, json.loads(path.read_text(encoding="utf-8")))
        assert not diffs, f"{command}: output differs from {path.name}: " + "; ".join(diffs[:10])


def test_readme_python_blocks_run(readme_dir, monkeypatch):
    """After the commands, in their folder (a block may read a file a command wrote)."""
    monkeypatch.chdir(readme_dir)
    for lang, body in BLOCKS:
        if lang == "python":
            exec(compile(body, "README.md", "exec"), {})


def test_readme_has_the_two_setup_commands():
    assert "pip install -e . && bmdlab study japan-2017 --out japan-2017" in README
    assert "pip install -e '.[test]' && pytest" in README
