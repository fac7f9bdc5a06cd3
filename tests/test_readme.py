"""Every `bmdlab ...` command and Python block in the README runs (STYLE.md, convention 14)."""

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmdlab.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)


def _commands():
    """(command, expected exit code): a comment starting 'refused' expects 2; 'long run' skips the line
    (a benchmark-sized run, such as 10^7 Monte Carlo trials, measured in the README instead)."""
    cmds = []
    for lang, body in BLOCKS:
        if lang != "bash":
            continue
        body = body.replace("\\\n", " ")
        for line in body.splitlines():
            line, _, comment = line.partition("#")
            line, comment = line.strip(), comment.strip()
            if line.startswith("bmdlab ") and " study " not in f" {line} " and not comment.startswith("long run"):
                cmds.append(pytest.param(line, 2 if comment.startswith("refused") else 0, id=line))
    return cmds


@pytest.fixture(scope="module")
def readme_dir(tmp_path_factory):
    """One working directory for the README's commands, run in order (a later one may read an earlier one's file)."""
    return tmp_path_factory.mktemp("readme")


@pytest.mark.parametrize("command,exit_code", _commands())
def test_readme_command_runs(command, exit_code, readme_dir, monkeypatch):
    monkeypatch.chdir(readme_dir)
    res = CliRunner().invoke(app, shlex.split(command)[1:])
    assert res.exit_code == exit_code, f"{command}\n{res.output}"
    if exit_code == 2:
        assert res.output.startswith("error:") and len(res.output.strip().splitlines()) == 1


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for lang, body in BLOCKS:
        if lang == "python":
            exec(compile(body, "README.md", "exec"), {})


def test_readme_has_the_two_setup_commands():
    assert "pip install -e . && bmdlab study japan-2017 --out japan-2017" in README
    assert "pip install -e '.[test]' && pytest" in README
