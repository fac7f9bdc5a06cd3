"""Outputs (#22): every output option of every command refuses, before any work, in one line naming the option
and with exit code 2, a file bmdlab must not write (a link, a device, a pipe, a socket, one of the command's
inputs, the file of another option), and leaves it as it was; a write that fails (a full or failing disk)
is one line naming the option and leaves nothing partial.

The refusals run with the commands' work replaced by a failure (:func:`no_work`): they must come first, so
the matrix costs milliseconds a case; a few cheap commands write for real to test the faults."""

from __future__ import annotations

import errno
import os
import socket
import stat
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bmdlab.io as bio
from bmdlab.cli import app

runner = CliRunner()

#: Stands for the command's scenario file in its arguments (an input an output must not replace).
SCENARIO = "{scenario}"

#: command -> (its arguments, with SCENARIO where it reads a scenario file; its outputs: option -> suffix).
COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    "trajectory": (["trajectory", "--missile", "nodong", "--from", "sunan", "--to", "tokyo"], {"--plot": ".png"}),
    "footprint": (
        ["footprint", "thaad-battery", "--at", "36.0,137.0", "--missile", "nodong", "--launch", "sunan"],
        {"--map": ".png", "--layer": ".nc"},
    ),
    "check-footprints": (["check-footprints"], {"--markdown": ".md"}),
    "coverage": (
        ["coverage", SCENARIO, "--resolution-km", "40"],
        {"--map": ".png", "--layer": ".geojson", "--table": ".csv", "--points": ".geojson"},
    ),
    "site": (
        ["site", "thaad-battery", "--count", "1", "--threat", SCENARIO, "--resolution-km", "40"],
        {"--map": ".png", "--points": ".geojson"},
    ),
    "raid": (["raid", SCENARIO, "--trials", "100"], {"--table": ".csv"}),
    "wta": (["wta", SCENARIO], {"--save": ".json"}),
    "cost": (["cost", SCENARIO], {"--table": ".parquet"}),
    "tradeoff": (["tradeoff", "--trials", "100", "--resolution-km", "40"], {"--plot": ".png", "--table": ".csv"}),
    "tornado": (["tornado", SCENARIO, "--trials", "100"], {"--plot": ".png", "--table": ".parquet"}),
    "sweep": (
        ["sweep", "--axis", "scenario=" + SCENARIO, "--axis", "missiles=5"],
        {"--out": ".duckdb", "--table": ".csv"},
    ),
}
CASES = [(cmd, option) for cmd, (_, outputs) in COMMANDS.items() for option in outputs]
#: Hazards of one output: a special file in its place, or one of the command's inputs.
SPECIAL = ["symlink", "dangling symlink", "fifo", "socket", "/dev/null"]
INPUTS = ["the scenario", "a hard link of the scenario", "a file of --catalog", "a hard link of a --catalog file"]


def refused(res, *fragments: str) -> str:
    """Exit 2, one non-empty output line starting ``error:`` and holding every fragment; the line."""
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in res.output, res.output
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def no_work(monkeypatch):
    """Every command's work fails the test: the outputs must be refused before it starts."""
    import bmdlab.api
    from bmdlab.cli import costs, coverage, engagement, flight, sensitivity, study

    def work(*a, **k):
        raise AssertionError("the command started its work before refusing its output")

    for module in (costs, coverage, engagement, flight, sensitivity, study):
        monkeypatch.setattr(module, "analysis", work)
    monkeypatch.setattr(bmdlab.api, "wta", work)


#: An output a command needs (its name, in the scenario's folder) when a test gives only the other ones.
REQUIRED = {"sweep": ("--out", "runs.duckdb")}


def invoke(cmd: str, scenario: Path, outputs: list[tuple[str, Path]], catalog: Path | None = None):
    args, _ = COMMANDS[cmd]
    if cmd in REQUIRED and REQUIRED[cmd][0] not in {option for option, _ in outputs}:
        outputs = [*outputs, (REQUIRED[cmd][0], scenario.parent / REQUIRED[cmd][1])]
    args = [a.replace(SCENARIO, str(scenario)) for a in args]
    pre = ["--catalog", str(catalog)] if catalog is not None else []
    return runner.invoke(app, [*pre, *args, *(x for option, path in outputs for x in (option, str(path)))])


def inputs(tmp_path: Path, suffix: str) -> tuple[Path, Path]:
    """A scenario file and a catalog folder holding a file, both with the output's suffix (so that the suffix
    check passes and the input check is the one that refuses). Their content does not matter: the refusal
    comes before either is read."""
    scenario = tmp_path / f"scenario{suffix}"
    scenario.write_bytes(b"the user's scenario\n")
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / f"missiles{suffix}").write_bytes(b"the user's catalog\n")
    return scenario, catalog


def identity(path: Path) -> tuple:
    """What must not change about a file: its type, inode, link target and content."""
    st = os.lstat(path)
    target = os.readlink(path) if stat.S_ISLNK(st.st_mode) else None
    content = path.read_bytes() if stat.S_ISREG(st.st_mode) else None
    return stat.S_IFMT(st.st_mode), st.st_ino, st.st_rdev, target, content


def special(kind: str, where: Path, suffix: str, keep: list[socket.socket]) -> Path:
    if kind == "/dev/null":
        return Path(os.devnull)
    path = where / f"out{suffix}"
    if kind == "symlink":
        (where / f"real{suffix}").write_bytes(b"the user's file\n")
        path.symlink_to(f"real{suffix}")
    elif kind == "dangling symlink":
        path.symlink_to(f"nowhere{suffix}")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        keep.append(s)
    return path


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("cmd,option", CASES)
def test_a_special_file_is_refused_and_left_alone(tmp_path, monkeypatch, no_work, cmd, option, kind):
    suffix = COMMANDS[cmd][1][option]
    scenario, _ = inputs(tmp_path, ".yaml")
    monkeypatch.chdir(tmp_path)  # short paths: a socket's path has at most 107 bytes
    keep: list[socket.socket] = []
    try:
        target = special(kind, Path("."), suffix, keep)
        before = identity(target)
        real = sorted(p.name for p in tmp_path.iterdir())
        refused(invoke(cmd, scenario, [(option, target)]), f"{option}: ", str(target))
        assert identity(target) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == real  # nothing written next to it either
    finally:
        for s in keep:
            s.close()


@pytest.mark.parametrize(
    "cmd,option,hazard",
    [
        (cmd, option, hazard)
        for cmd, option in CASES
        for hazard in INPUTS
        if "scenario" not in hazard or any(SCENARIO in a for a in COMMANDS[cmd][0])  # the command reads one
    ],
)
def test_an_input_is_refused_as_an_output(tmp_path, no_work, cmd, option, hazard):
    suffix = COMMANDS[cmd][1][option]
    scenario, catalog = inputs(tmp_path, suffix)
    target = scenario if "scenario" in hazard else catalog / f"missiles{suffix}"
    if "hard link" in hazard:
        link = tmp_path / f"link{suffix}"
        os.link(target, link)
        target = link
    before = {p: identity(p) for p in (scenario, catalog / f"missiles{suffix}", target)}
    line = refused(
        invoke(cmd, scenario, [(option, target)], catalog=catalog), f"{option}: ", "an input of this command"
    )
    assert ("--catalog" in line) == ("catalog" in hazard)
    assert {p: identity(p) for p in before} == before


#: Pairs of options of one command that may name the same file (their suffixes agree).
SAME_FILE = [
    ("coverage", "--layer", "--points"),
    ("site", "--map", "--points"),
    ("sweep", "--table", "--out"),
]


@pytest.mark.parametrize("cmd,first,second", SAME_FILE)
def test_two_options_naming_one_file_are_refused(tmp_path, no_work, cmd, first, second):
    scenario, _ = inputs(tmp_path, ".yaml")
    x = tmp_path / f"x{COMMANDS[cmd][1][first]}"
    line = refused(invoke(cmd, scenario, [(first, x), (second, x)]), "is also the file of")
    assert {f"{first}: ", f"{second}: "} & {line[7 : 7 + len(o) + 2] for o in (first, second)}, line
    assert first in line and second in line
    assert not x.exists()


@pytest.mark.parametrize("cmd", ["tradeoff", "tornado"])
def test_two_options_naming_one_file_through_a_hard_link_are_refused(tmp_path, no_work, cmd):
    """--plot x.png and --table x.csv, where x.csv is a hard link of x.png: the second would replace the first."""
    scenario, _ = inputs(tmp_path, ".yaml")
    (plot, table) = (tmp_path / "x.png", tmp_path / f"x{COMMANDS[cmd][1]['--table']}")
    plot.write_bytes(b"the user's figure\n")
    os.link(plot, table)
    refused(invoke(cmd, scenario, [("--plot", plot), ("--table", table)]), "--table: ", "is also the file of --plot")
    assert plot.read_bytes() == b"the user's figure\n" and os.path.samefile(plot, table)


def test_wta_save_without_random_is_refused(tmp_path):
    """``--save`` writes the ``--random`` instance: with a file instead it once wrote nothing, silently."""
    (tmp_path / "i.json").write_text('{"values": [1], "kill_probability": [[0.5]]}')
    res = runner.invoke(app, ["wta", str(tmp_path / "i.json"), "--save", str(tmp_path / "o.json")])
    refused(res, "--save: ", "--random")
    assert [p.name for p in tmp_path.iterdir()] == ["i.json"]


@pytest.mark.parametrize("kind", [*SPECIAL, "the --catalog folder", "a folder holding the --catalog folder"])
def test_study_out_refuses_special_files_and_inputs(tmp_path, monkeypatch, no_work, kind):
    monkeypatch.chdir(tmp_path)
    keep: list[socket.socket] = []
    _, catalog = inputs(tmp_path, ".yaml")
    try:
        if kind.startswith("the --catalog"):
            out = Path("catalog")
        elif kind.startswith("a folder holding"):
            out = Path("outer")
            (out / "catalog").mkdir(parents=True)
            catalog = out / "catalog"
        elif kind == "symlink":  # to a folder of the user's
            Path("real").mkdir()
            (out := Path("out")).symlink_to("real")
        else:
            out = special(kind, Path("."), "", keep)
        before = identity(out) if out.is_symlink() or not out.is_dir() else sorted(os.listdir(out))
        res = runner.invoke(app, ["--catalog", str(catalog), "study", "japan-2017", "--out", str(out)])
        refused(res, "--out: ")
        assert (identity(out) if out.is_symlink() or not out.is_dir() else sorted(os.listdir(out))) == before
    finally:
        for s in keep:
            s.close()


def test_special_files_are_refused_by_the_library_too(tmp_path):
    """The Python API's writers (``to_json``, ``write_geojson``, figures) pass the same check."""
    from bmdlab.export import write_geojson

    link = tmp_path / "l.json"
    link.symlink_to("nowhere.json")
    with pytest.raises(bio.OutputError, match="is a symbolic link"):
        bio.atomic_write_json(link, {"a": 1})
    with pytest.raises(bio.OutputError, match="is a device"):
        write_geojson({"type": "FeatureCollection", "features": []}, os.devnull)
    assert link.is_symlink() and not (tmp_path / "nowhere.json").exists()


# ------------------------------------------------------------------------------------ faults while writing
@pytest.fixture
def disk_fault(tmp_path, monkeypatch):
    """``disk_fault(code)``: from now on, writing or syncing any file under ``tmp_path`` fails with ``code``
    (ENOSPC: a full disk, which may show only at fsync; EIO: a failing one). Other files are untouched."""
    if not sys.platform.startswith("linux"):
        pytest.skip("finds a descriptor's file through /proc")
    real_write, real_fsync = os.write, os.fsync
    root = str(tmp_path.resolve())

    def ours(fd: int) -> bool:
        try:
            return os.readlink(f"/proc/self/fd/{fd}").startswith(root)
        except OSError:
            return False

    def arm(code: int) -> None:
        def write(fd, data):
            if ours(fd):
                raise OSError(code, os.strerror(code))
            return real_write(fd, data)

        def fsync(fd):
            if ours(fd):
                raise OSError(code, os.strerror(code))
            return real_fsync(fd)

        monkeypatch.setattr(os, "write", write)
        monkeypatch.setattr(os, "fsync", fsync)

    return arm


#: Cheap commands that write for real: (arguments, the output option, its file's name).
WRITERS = {
    "figure": (["trajectory", "--missile", "nodong", "--from", "sunan", "--to", "tokyo"], "--plot", "p.png"),
    "json": (["wta", "--random", "3x3", "--seed", "1"], "--save", "i.json"),
    "csv": (["cost", "japan-2017-thaad"], "--table", "l.csv"),
    "parquet": (["cost", "japan-2017-thaad"], "--table", "l.parquet"),
}
FAULTS = {errno.ENOSPC: "the disk is full", errno.EIO: "the disk failed"}


@pytest.mark.parametrize("code", list(FAULTS), ids=["ENOSPC", "EIO"])
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_failed_write_is_one_line_and_leaves_the_old_file(tmp_path, disk_fault, writer, code):
    args, option, name = WRITERS[writer]
    out = tmp_path / name
    out.write_bytes(b"the previous output\n")
    disk_fault(code)
    refused(runner.invoke(app, [*args, option, str(out)]), f"{option}: ", FAULTS[code], os.strerror(code))
    assert out.read_bytes() == b"the previous output\n"
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


def test_the_same_writers_succeed_without_a_fault(tmp_path):
    for args, option, name in WRITERS.values():
        res = runner.invoke(app, [*args, option, str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for _, _, n in WRITERS.values())
    assert all(p.stat().st_size > 0 and p.stat().st_mode & 0o777 == 0o666 & ~bio._umask() for p in tmp_path.iterdir())


def test_a_sweep_file_on_a_full_disk_names_out(tmp_path, monkeypatch):
    """DuckDB's own failure to write the sweep file (its IOException) is --out's one line, not a traceback."""
    import duckdb

    from bmdlab.sensitivity.sweep import SweepStore

    def full(*a, **k):
        raise duckdb.IOException('IO Error: Could not write file "s.duckdb": No space left on device')

    monkeypatch.setattr(SweepStore, "_create", full)  # DuckDB writing the new file's schema
    res = runner.invoke(app, ["sweep", "--axis", "missiles=5", "--out", str(tmp_path / "s.duckdb")])
    refused(res, "--out: ", "the disk is full")
    assert not list(tmp_path.iterdir()), "the sweep file is removed: it holds no run"


@pytest.mark.parametrize("code", list(FAULTS), ids=["ENOSPC", "EIO"])
def test_a_failed_write_inside_an_output_folder_names_the_folder(tmp_path, disk_fault, code):
    """``study --out``: a file of the folder that cannot be written fails the folder, which stays as it was."""
    out = tmp_path / "run"
    with bio.atomic_directory(out, parameter="out") as work:
        (work / "a.txt").write_text("old")
    disk_fault(code)
    with pytest.raises(bio.OutputError, match=f"^out: {FAULTS[code]}") as exc:
        with bio.atomic_directory(out, parameter="out") as work:
            bio.atomic_write_bytes(work / "a.txt", b"new")
    assert exc.value.errno == code and f"'{out}'" in str(exc.value)
    assert (out / "a.txt").read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["run"]
