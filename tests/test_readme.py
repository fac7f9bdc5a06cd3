"""Every `bmdlab ...` command and Python block in the README and in the documentation's pages
(``docs/**/*.md``) runs (CONTRIBUTING.md), and the commands marked ``# stored: NAME`` print what
``tests/readme_outputs/NAME.json`` holds. A command moved from the README into a guide page keeps its test.

Regenerate the stored outputs after a deliberate change of numbers with
``BMDLAB_UPDATE_README_OUTPUTS=1 pytest tests/test_readme.py`` and review the diff.
"""

import doctest
import json
import math
import os
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bmdlab.cli import app

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: The pages whose commands run: the README, then the documentation's Markdown pages (a page's commands in
#: order, so a later one may read an earlier one's file).
PAGES = [
    ROOT / "README.md",
    *sorted(p for p in (ROOT / "docs").rglob("*.md") if not {"_build", "auto_examples"} & set(p.parts)),
]


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block, fences read line by line (```` ```bash ````, ```` ``` ````;
    a MyST directive such as ```` ```{toctree} ```` is a block of language ``{toctree}``)."""
    blocks, lang, body = [], None, []
    for line in text.splitlines():
        if line.startswith("```"):
            if lang is None:
                lang, body = line[3:].strip(), []
            else:
                blocks.append((lang, "\n".join(body) + "\n"))
                lang = None
        elif lang is not None:
            body.append(line)
    return blocks


BLOCKS = [(p, lang, body) for p in PAGES for lang, body in fenced_blocks(p.read_text(encoding="utf-8"))]


STORED = Path(__file__).parent / "readme_outputs"
#: README commands that take more than a few seconds (skipped by the quick run, `pytest -m "not slow"`).
SLOW_WORDS = (" tornado ", " sweep ", " tradeoff ", " --map ", " uncertainty ")
#: Keys that differ between runs of the same command (timings) or between releases (the version).
VOLATILE = {"seconds", "bmdlab_version"}


def _commands():
    """(command, expected exit code, stored output): a comment starting 'refused' expects 2; 'long run'
    skips the line (a benchmark-sized run, such as 10^7 Monte Carlo trials, measured in the README
    instead); 'stored: NAME' compares the JSON printed with tests/readme_outputs/NAME.json. A command piped
    into another program (``bmdlab scenario list | cut -f1``) runs without the pipe."""
    cmds, seen = [], set()
    for page, lang, body in BLOCKS:
        if lang != "bash":
            continue
        body = body.replace("\\\n", " ")
        for line in body.splitlines():
            line, _, comment = line.partition("#")
            line, comment = line.strip(), comment.strip()
            line = line.split(" | ")[0].strip()  # piped into another program: the bmdlab command itself is run
            if line.startswith("bmdlab ") and " study " not in f" {line} " and not comment.startswith("long run"):
                stored = comment.removeprefix("stored:").strip() if comment.startswith("stored:") else None
                if (line, stored) in seen:  # the same command on two pages (README and guide) runs once
                    continue
                seen.add((line, stored))
                slow = any(w in f" {line} " for w in SLOW_WORDS)
                cmds.append(
                    pytest.param(
                        line,
                        2 if comment.startswith("refused") else 0,
                        stored,
                        id=f"{page.relative_to(ROOT)}: {line}",
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


PYTHON = [
    pytest.param(body, id=f"{page.relative_to(ROOT)}: python block {i}")
    for i, (page, lang, body) in enumerate(BLOCKS)
    if lang == "python" and body not in [b for _, lang_, b in BLOCKS[:i] if lang_ == "python"]  # once each
]


@pytest.mark.parametrize("body", PYTHON)
def test_readme_python_blocks_run(body, readme_dir, monkeypatch):
    """After the commands, in their folder (a block may read a file a command wrote)."""
    monkeypatch.chdir(readme_dir)
    exec(compile(body, "README.md", "exec"), {})


PYCON = [
    pytest.param(page, body, id=f"{page.relative_to(ROOT)}: pycon block {i}")
    for i, (page, lang, body) in enumerate(BLOCKS)
    if lang == "pycon"
]


@pytest.mark.parametrize("page,body", PYCON)
def test_readme_pycon_blocks_print_what_they_show(page, body, readme_dir, monkeypatch):
    """A ```pycon block (``>>>`` prompts and the output shown) is a doctest: the output must match."""
    monkeypatch.chdir(readme_dir)
    test = doctest.DocTestParser().get_doctest(body, {}, str(page.relative_to(ROOT)), str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    out: list[str] = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)


def test_fenced_blocks_are_read_line_by_line():
    # a MyST directive's fence must not pair with the next block's fence (independent: the text is written here)
    text = "```{toctree}\nguide\n```\n\n```bash\nbmdlab scenario list\n```\n"
    assert fenced_blocks(text) == [("{toctree}", "guide\n"), ("bash", "bmdlab scenario list\n")]


#: Option names kept only as deprecated aliases (issue #26): the documented commands use the new ones.
DEPRECATED = (" --geojson ", " --netcdf ", " --cells ", " --leakers ", " --lines ", " tornado --scenario ")


def test_documented_commands_use_the_current_option_names():
    old = [p.values[0] for p in _commands() if any(d in f" {p.values[0]} " for d in DEPRECATED)]
    assert not old, old


def test_the_guide_pages_carry_commands():
    # moving a command from the README into the docs keeps it under test: the guide pages hold commands
    pages = {page.relative_to(ROOT).as_posix() for page, lang, body in BLOCKS if lang == "bash" and "bmdlab " in body}
    assert {"docs/guide/raids.md", "docs/guide/coverage.md", "docs/guide/exports.md"} <= pages


def test_readme_has_the_two_setup_commands():
    assert "pip install -e . && bmdlab study japan-2017 --out japan-2017" in README
    assert "pip install -e '.[test]' && pytest" in README
    # and how to build the documentation site, the command tests/test_docs.py runs (sphinx-build -W)
    assert "pip install -e '.[docs]' && sphinx-build -W docs docs/_build/html" in README
