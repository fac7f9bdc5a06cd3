"""Output safety (bmdlab.io): bmdlab never deletes or overwrites what it did not write, and every OS
error on output is one line naming the path."""

import errno
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from bmdlab import io as bio
from bmdlab.cli import app
from bmdlab.errors import BmdlabError

runner = CliRunner()


def test_study_refuses_a_folder_holding_the_users_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.txt").write_text("years of work")
    res = runner.invoke(app, ["study", "japan-2017", "--out", "mine"])
    assert res.exit_code == 2 and "holds files bmdlab did not write" in res.output and "Traceback" not in res.output
    assert (tmp_path / "mine" / "thesis.txt").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no hidden leftovers


@pytest.mark.parametrize("out", [".", ".."])
def test_study_refuses_the_current_folder_and_its_parents(tmp_path, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["study", "japan-2017", "--out", out])
    assert res.exit_code == 2 and "is the current folder or contains it" in res.output
    assert list(tmp_path.iterdir()) == []


def test_atomic_directory_replaces_only_its_own_output(tmp_path):
    out = tmp_path / "run"
    with bio.atomic_directory(out) as work:
        (work / "a.txt").write_text("1")
    assert (out / bio.OUTPUT_MARKER).is_file() and (out / "a.txt").read_text() == "1"
    with bio.atomic_directory(out) as work:  # its own earlier output: replaced
        (work / "b.txt").write_text("2")
    assert not (out / "a.txt").exists() and (out / "b.txt").read_text() == "2"
    empty = tmp_path / "empty"
    empty.mkdir()
    with bio.atomic_directory(empty) as work:  # an empty folder: used
        (work / "c.txt").write_text("3")
    assert (empty / "c.txt").exists()
    (out / bio.OUTPUT_MARKER).unlink()  # no longer recognisably bmdlab's: refused
    with pytest.raises(BmdlabError, match="holds files bmdlab did not write"):
        with bio.atomic_directory(out):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "run"]


def test_failure_inside_leaves_the_old_output_and_no_temporary_folder(tmp_path):
    out = tmp_path / "run"
    with bio.atomic_directory(out) as work:
        (work / "a.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with bio.atomic_directory(out) as work:
            (work / "a.txt").write_text("new")
            raise RuntimeError("boom")
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_os_errors_on_output_are_one_line(tmp_path, monkeypatch):
    (tmp_path / "d").mkdir()
    with pytest.raises(BmdlabError, match="is a folder; give a file name"):
        bio.atomic_write_bytes(tmp_path / "d", b"x")

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bio.os, "replace", full)
    with pytest.raises(
        BmdlabError, match=r"^path: the disk is full writing '.*x.json' \(No space left on device\); free"
    ):
        bio.atomic_write_json(tmp_path / "x.json", {"a": 1})
    assert [p.name for p in tmp_path.iterdir()] == ["d"]  # the temporary file is gone


def test_output_files_are_checked_before_any_work(tmp_path):
    res = runner.invoke(app, ["coverage", "japan-2017-baseline", "--map", str(tmp_path)])
    assert res.exit_code == 2 and "--map: " in res.output and "is a folder; give a file name" in res.output
    res = runner.invoke(
        app,
        [
            "footprint",
            "pac-3-fire-unit",
            "--at",
            "pac3-ichigaya",
            "--missile",
            "nodong",
            "--launch",
            "wonsan",
            "--map",
            str(tmp_path / "no" / "x.png"),
        ],
    )
    assert res.exit_code == 2 and "--map: folder" in res.output and "does not exist" in res.output
    res = runner.invoke(app, ["sweep", "--axis", "missiles=5", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--out: " in res.output and "is a folder" in res.output


def test_sigterm_removes_the_temporary_folder(tmp_path):
    """A study killed with SIGTERM (the default signal of kill, systemd, CI runners) cleans up after itself."""
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bmdlab", "study", "japan-2017", "--out", "run", "--resolution-km", "40"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not any(p.name.startswith(".run.tmp-") for p in tmp_path.iterdir()):
        time.sleep(0.2)  # wait until the study has started writing
    assert proc.poll() is None, "the study ended before it could be stopped"
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []


def test_next_run_removes_what_a_killed_run_left(tmp_path):
    """SIGKILL cannot be caught: the next run into the same place removes the dead run's temporary folder
    (marked as bmdlab's, with a process id that no longer runs), and nothing else."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # a process id that is certainly dead now
    stale = tmp_path / ".run.tmp-dead"
    stale.mkdir()
    (stale / bio.OUTPUT_MARKER).write_text(f'{{"written_by": "bmdlab", "kind": "study", "pid": {proc.pid}}}')
    foreign = tmp_path / ".run.tmp-foreign"
    foreign.mkdir()
    (foreign / "x").write_text("not ours")
    with bio.atomic_directory(tmp_path / "run") as work:
        (work / "a").write_text("1")
    assert not stale.exists() and foreign.exists() and (tmp_path / "run" / "a").exists()
