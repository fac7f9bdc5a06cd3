"""`bmdlab serve` as a user runs it: it binds to localhost, refuses a taken port in one line, and
stops cleanly on Ctrl-C even with a job running."""

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from typer.testing import CliRunner

from bmdlab.cli import app

runner = CliRunner()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_taken_port_and_bad_options_are_one_line_errors():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = runner.invoke(app, ["serve", "--port", str(port), "--no-browser"])
    assert res.exit_code == 2 and f"--port: {port} on 127.0.0.1 is not free" in res.output
    for args, word in (
        (["--port", "70000"], "--port"),
        (["--host", "192.0.2.7"], "--host"),
        (["--workers", "0"], "--workers"),
        (["--cache-gib", "0"], "--cache-gib"),
        (["--max-jobs", "0"], "--max-jobs"),
    ):
        res = runner.invoke(app, ["serve", "--no-browser", *args])
        assert res.exit_code == 2 and word in res.output and len(res.output.strip().splitlines()) == 1, res.output


@pytest.mark.slow
def test_serve_answers_on_localhost_and_stops_on_ctrl_c_with_a_job_running():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bmdlab", "serve", "--port", str(port), "--no-browser", "--no-warm"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                health = json.load(urllib.request.urlopen(base + "/api/health", timeout=1))
                break
            except OSError:
                time.sleep(0.1)
        assert health["status"] == "ok"
        token = json.load(urllib.request.urlopen(base + "/api/token", timeout=5))["token"]  # as a script gets it
        req = urllib.request.Request(
            base + "/api/jobs/raid",
            method="POST",
            headers={"content-type": "application/json", "x-bmdlab-token": token},
            data=json.dumps({"scenario": "japan-2017-thaad", "trials": 200_000}).encode(),
        )
        job = json.load(urllib.request.urlopen(req))
        assert job["state"] in ("queued", "running")
        time.sleep(1.0)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert time.monotonic() - t0 < 30
        assert f"bmdlab serving at {base}/" in out and "bmdlab serve stopped" in out
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
