"""A killed server leaves nothing behind (issue #22): real processes, real signals.

``bmdlab serve`` (here: its app under uvicorn in a process of its own, with the quick stand-in study
tests/web/fake_study.py) is killed with SIGKILL while a study job runs: the study, and the child the
study started, end within seconds (the keeper, bmdlab.web.child, gets PR_SET_PDEATHSIG and stops its
process group), and the next server's start removes the folder the killed one left (bmdlab.web.workdir).
The same server also answers a real chunked 20 MB upload with 413.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bmdlab.api import catalog_of
from bmdlab.web.server import Server
from bmdlab.web.workdir import MARK, PREFIX, WorkDir, remove_abandoned

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG and /proc: Linux")

FAKE_STUDY = str(Path(__file__).with_name("fake_study.py"))
TOKEN = "test-token-0123456789abcdef"
#: The server's process: the app of `bmdlab serve` with the stand-in study (30 s per half stage, and a child).
SERVE = """
import sys, uvicorn
from bmdlab.web.app import create_app
study = [sys.executable, {fake!r}, "--stage-seconds", "30", "--helper"]
app = create_app(workers=1, study_command=study, token={token!r})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"content-type": "application/json", "x-bmdlab-token": TOKEN} if method != "GET" else {}
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        conn.close()


@contextlib.contextmanager
def _server(tmp: Path):
    """(process, port) of a server whose temporary folder is ``tmp``; killed at the end if still running."""
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    code = SERVE.format(fake=FAKE_STUDY, token=TOKEN)
    proc = subprocess.Popen([sys.executable, "-c", code, str(port)], env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if _request(port, "GET", "/api/health")[0] == 200:
                    break
            assert proc.poll() is None, "the server ended before it answered"
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.05)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _processes_with(marker: str) -> list[int]:
    """Live processes whose command line has ``marker`` (the study and its child name the job's folder)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            alive = (proc / "stat").read_text().rpartition(")")[2].split()[0] not in ("Z", "X")
            if alive and marker.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except (OSError, IndexError):
            continue
    return found


def _wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return value


def test_sigkill_of_the_server_stops_its_study_and_the_next_start_removes_its_folder(tmp_path, monkeypatch):
    with _server(tmp_path) as (proc, port):
        status, job = _request(port, "POST", "/api/jobs/study", {"resolution_km": 50})
        assert status == 202, job
        marker = f"bmdlab-study-{job['id']}-"
        # the keeper, the study and the study's own child (the stand-in for its coverage workers)
        _wait_for(lambda: len(_processes_with(marker)) >= 3, 20, "the study and its child did not start")
        (left,) = tmp_path.glob(PREFIX + "*")
        assert (left / MARK).is_file() and any(p.name.startswith(marker) for p in left.iterdir())
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _wait_for(lambda: not _processes_with(marker), 10, f"orphans after SIGKILL: {_processes_with(marker)}")
    # the killed server could not clean up: its folder is there, unlocked; the next server's start removes it
    assert left.is_dir()
    keep = tmp_path / "not-bmdlabs"
    keep.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    server = Server(catalog_of(None), 1, 1, 2**20)
    try:
        assert not left.exists()
        assert keep.is_dir()  # only the folders bmdlab servers left
    finally:
        server.close()


def test_a_real_chunked_upload_over_the_limit_gets_413(tmp_path):
    """20 MB streamed with Transfer-Encoding: chunked over a real socket: 413 and one line, not 400 or a reset."""
    with _server(tmp_path) as (proc, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        headers = {"content-type": "application/json", "x-bmdlab-token": TOKEN, "transfer-encoding": "chunked"}
        conn.putrequest("POST", "/api/jobs/raid")
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        chunk = b" " * 65536
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the server may answer before the end
            for _ in range(20 * 16):
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
        r = conn.getresponse()
        assert r.status == 413
        detail = json.loads(r.read())["detail"]
        assert "larger than 256 KiB" in detail and "\n" not in detail
        conn.close()
        assert _request(port, "GET", "/api/health")[0] == 200  # and the server goes on


def test_a_running_servers_folder_is_kept_and_only_marked_folders_are_removed(tmp_path):
    running = WorkDir(tmp_path)
    run = running.folder("bmdlab-study-x-")
    (run / "results.json").write_text("{}")
    unmarked = tmp_path / (PREFIX + "unmarked")
    unmarked.mkdir()
    fake_mark = tmp_path / (PREFIX + "link")
    fake_mark.mkdir()
    (fake_mark / MARK).symlink_to(running.path / MARK)  # a link to a mark is not a mark
    link = tmp_path / (PREFIX + "symlink")
    link.symlink_to(running.path)
    gone = WorkDir(tmp_path)
    gone.folder("bmdlab-study-y-")
    assert gone.path is not None and gone._fd is not None
    os.close(gone._fd)  # as if its server had died: the lock is dropped, the folder left
    assert remove_abandoned(tmp_path) == [gone.path]
    assert run.is_dir() and unmarked.is_dir() and fake_mark.is_dir() and link.is_symlink()
    running.close()
    assert not run.exists() and running.path is None
