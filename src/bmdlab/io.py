"""File output that never leaves half-written results (STYLE.md, convention 11)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bmdlab.errors import BmdlabError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise BmdlabError(f"{path}: folder '{path.parent}' does not exist; create it or choose another path")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    """Write JSON atomically (UTF-8, indented)."""
    return atomic_write_bytes(path, (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


@contextlib.contextmanager
def atomic_directory(out: str | Path) -> Iterator[Path]:
    """Build an output directory in a temporary sibling; it replaces ``out`` only on success.

    A failure (or Ctrl-C) removes the temporary directory and leaves ``out`` as it was, so a
    failed run never leaves a partial report.
    """
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    if out.exists() and not out.is_dir():
        raise BmdlabError(f"--out: '{out}' exists and is not a directory; choose another path")
    if not parent.exists():
        raise BmdlabError(f"--out: parent folder '{parent}' does not exist; create it first")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
        os.replace(out, old / "previous")
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def quiet_native_stdout():
    """Silence what native solver code writes straight to file descriptor 1 (HiGHS debug lines).

    Python's own ``print`` is unaffected after the block; the CLI's ``--json`` output stays clean.
    """
    import ctypes
    import sys

    try:
        sys.stdout.flush()
        ctypes.CDLL(None).fflush(None)  # nothing written before the block is lost
    except (AttributeError, OSError, ValueError):
        pass
    fd = 1  # the descriptor native code writes to, even when Python's sys.stdout is captured
    try:
        saved = os.dup(fd)
    except OSError:  # no descriptor 1 at all: nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
        yield
    finally:
        try:  # flush C stdio buffers while they still point at /dev/null
            ctypes.CDLL(None).fflush(None)
        except (OSError, AttributeError):
            pass
        os.dup2(saved, fd)
        os.close(saved)
