"""The study's keeper: ``python -m bmdlab.web.child SERVER_PID COMMAND...`` runs COMMAND (the study) and
stops it, with everything it started, when the server that started the keeper ends, however it ends.

``bmdlab serve`` starts the keeper as the leader of a process group (and session) of its own; the study
and its workers run in that group. On Linux the kernel sends the keeper SIGTERM when the server dies,
even by SIGKILL (``PR_SET_PDEATHSIG``, :func:`bmdlab.io.die_with_parent`); elsewhere the keeper notices
within :data:`POLL_S` that its parent has changed. Either way, and on the server's cancel (SIGTERM to the
group), the keeper terminates the whole group, waits up to :data:`GRACE_S` for the study, then kills
what is left, itself included. The study's output, standard output (its progress events) and standard
error are the keeper's, which are the server's pipes.

The keeper is a program of its own rather than a ``preexec_fn`` of the server's ``Popen`` so that no
Python code runs between ``fork`` and ``exec`` in the server's many-threaded process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from bmdlab.io import die_with_parent

#: How often the keeper checks that its server is still there (for systems without PR_SET_PDEATHSIG). [s]
POLL_S = 0.5
#: How long the study has to stop after SIGTERM before the group is killed. [s]
GRACE_S = 10.0


class _Stop(Exception):
    """Raised in the keeper by SIGTERM (the server died, or cancelled the job)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Stop()


def keeper_command(command: list[str]) -> list[str]:
    """The command line that runs ``command`` under a keeper tied to this process (POSIX only)."""
    return [sys.executable, "-m", "bmdlab.web.child", str(os.getpid()), *command]


def stop_group(study: subprocess.Popen | None) -> None:
    """Terminate this process group, give the study :data:`GRACE_S` to end, then kill the group (this
    process too)."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.killpg(0, signal.SIGTERM)
    end = time.monotonic() + GRACE_S
    while study is not None and study.poll() is None and time.monotonic() < end:
        time.sleep(0.05)
    os.killpg(0, signal.SIGKILL)


def main(argv: list[str]) -> int:
    """Run the study; its exit code (128 + N for a study ended by signal N)."""
    if len(argv) < 2 or not argv[0].isdigit():
        print("usage: python -m bmdlab.web.child SERVER_PID COMMAND...", file=sys.stderr)
        return 2
    server, study = int(argv[0]), None
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        die_with_parent(server)  # exits at once if the server is already gone
        study = subprocess.Popen(argv[1:])
        while True:
            try:
                code = study.wait(POLL_S)
            except subprocess.TimeoutExpired:
                if os.getppid() != server:
                    raise _Stop() from None
                continue
            return code if code >= 0 else 128 - code
    except _Stop:
        stop_group(study)
        return 128 + signal.SIGTERM  # not reached: stop_group kills this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
