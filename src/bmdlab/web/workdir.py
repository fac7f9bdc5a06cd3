"""The folder where one ``bmdlab serve`` writes its study runs, and the clean-up of those a killed server left.

Each server keeps its study folders in one folder of its own under the system's temporary folder,
``bmdlab-serve-XXXXXXXX/``, made when its first study starts. The folder is marked as bmdlab's by a file
:data:`MARK` inside it, which the server keeps locked (``flock``) while it runs; the kernel drops the lock
when the server ends, however it ends (even SIGKILL). At start-up a server removes every such folder
whose mark it can lock: one that a server no longer running left behind. A folder without the mark,
not owned by this user, a symbolic link, or locked by a running server is left alone, so only folders
this program made, and only those of servers that are gone, are removed. (Without ``fcntl``, as on
Windows, leftovers are not looked for.)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Name of a server's folder under the temporary folder (then random characters).
PREFIX = "bmdlab-serve-"
#: The file that marks a folder as a bmdlab server's, locked while that server runs.
MARK = ".bmdlab-serve.lock"


class WorkDir:
    """One server's folder for study runs (under ``parent``, default the system's temporary folder)."""

    def __init__(self, parent: str | Path | None = None):
        self.parent = Path(parent if parent is not None else tempfile.gettempdir())
        self.path: Path | None = None
        self._fd: int | None = None
        self._lock = threading.Lock()

    def folder(self, prefix: str) -> Path:
        """A new empty folder for one run (the server's own folder is made, marked and locked on first use)."""
        with self._lock:
            if self.path is None:
                self.path, self._fd = _make_marked(self.parent)
            return Path(tempfile.mkdtemp(prefix=prefix, dir=self.path))

    def close(self) -> None:
        """Remove the folder and everything in it, then let go of its lock."""
        with self._lock:
            if self.path is not None:
                shutil.rmtree(self.path, ignore_errors=True)
            if self._fd is not None:
                os.close(self._fd)
            self.path, self._fd = None, None


def _make_marked(parent: Path) -> tuple[Path, int]:
    """A new folder under ``parent`` with its mark, locked (the mark appears already locked: a server starting
    at the same moment never sees it unlocked)."""
    path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    pending = path / (MARK + ".new")
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, f"bmdlab serve (pid {os.getpid()}): its study runs; removed when it stops\n".encode())
        os.replace(pending, path / MARK)
    except BaseException:
        os.close(fd)
        shutil.rmtree(path, ignore_errors=True)
        raise
    return path, fd


def remove_abandoned(parent: str | Path | None = None) -> list[Path]:
    """Remove the folders under ``parent`` (default: the temporary folder) that bmdlab servers no longer
    running left behind; the folders removed."""
    if fcntl is None:  # pragma: no cover - Windows
        return []
    removed = []
    for path in sorted(Path(parent if parent is not None else tempfile.gettempdir()).glob(PREFIX + "*")):
        if _abandoned(path):
            removed.append(path)
    return removed


def _abandoned(path: Path) -> bool:
    """Remove ``path`` if it is a folder of this user's with a mark no running server holds; whether it was."""
    try:
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
        fd = os.open(path / MARK, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a running server holds it
            return False
        shutil.rmtree(path, ignore_errors=True)  # while holding the lock; rmtree does not follow links
        return True
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


__all__ = ["MARK", "PREFIX", "WorkDir", "remove_abandoned"]
