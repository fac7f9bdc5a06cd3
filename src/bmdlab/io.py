"""File output that never leaves half-written results and never deletes what bmdlab did not write
(CONTRIBUTING.md, "Errors and outputs")."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import math
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bmdlab.errors import BmdlabError

#: File bmdlab writes into every output directory it creates; only such a directory (or an empty or
#: missing one) may be replaced by a later run.
OUTPUT_MARKER = ".bmdlab-output"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _os_error(path: Path, exc: OSError, what: str = "cannot write") -> BmdlabError:
    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "free some space or choose another disk",
        errno.EROFS: "choose a writable location",
        errno.EACCES: "check its permissions or choose another path",
        errno.EPERM: "check its permissions or choose another path",
        errno.EISDIR: "give a file name, not a folder",
    }.get(exc.errno, "choose another path")
    return BmdlabError(f"{path}: {what} ({reason}); {hint}")


#: Largest input file bmdlab reads (a scenario, a catalog file, a WTA instance). [bytes]
MAX_INPUT_BYTES = 20 * 2**20


def read_input_text(path: str | Path, *, what: str = "file", max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read a user's input file as UTF-8 text, refusing in one line what cannot be one.

    Refused: a missing path, a folder, anything that is not a regular file (a FIFO would block, a
    device would never end), a file over ``max_bytes``, and text that is not UTF-8.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise BmdlabError(f"{path}: no such file; give the path of a {what}") from None
    except OSError as exc:
        raise _os_error(path, exc, "cannot read it") from None
    if stat.S_ISDIR(st.st_mode):
        raise BmdlabError(f"{path}: is a folder; give the path of a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise BmdlabError(f"{path}: is not a regular file (a pipe or a device); give the path of a {what}")
    if st.st_size > max_bytes:
        raise BmdlabError(f"{path}: {st.st_size:,} bytes is more than the {max_bytes:,} a {what} may have")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise _os_error(path, exc, "cannot read it") from None
    if len(data) > max_bytes:
        raise BmdlabError(f"{path}: more than the {max_bytes:,} bytes a {what} may have")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BmdlabError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def check_output_file(path: str | Path, option: str) -> Path:
    """Refuse, before any work, an output file that cannot be written: a folder, a missing or
    read-only parent folder. One-line :class:`BmdlabError` naming the option and the path."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise BmdlabError(f"{option}: '{path}' is a folder; give a file name")
    if not parent.is_dir():
        raise BmdlabError(f"{option}: folder '{parent}' does not exist; create it or choose another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BmdlabError(f"{option}: folder '{parent}' is not writable; choose another path")
    if path.exists() and not os.access(path, os.W_OK):
        raise BmdlabError(f"{option}: '{path}' is not writable; choose another path")
    return path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    Any OS error (a folder in the way, a read-only or full file system) is a one-line
    :class:`BmdlabError` naming the path; the temporary file is removed.
    """
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise BmdlabError(f"{path}: folder '{path.parent}' does not exist; create it or choose another path")
    if path.is_dir():
        raise BmdlabError(f"{path}: is a folder; give a file name")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise _os_error(path, exc) from None
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return path


def strict_json(obj: Any) -> tuple[Any, list[str]]:
    """``obj`` with every NaN or infinite float replaced by ``None``, and the paths of those replaced.

    JSON has no NaN or Infinity (RFC 8259); Python's json module writes them anyway, and other tools
    then cannot read the file. Arrays and NumPy scalars are turned into plain lists and numbers.
    """
    paths: list[str] = []

    def clean(o: Any, at: str) -> Any:
        if isinstance(o, dict):
            return {k: clean(v, f"{at}.{k}" if at else str(k)) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v, f"{at}[{i}]") for i, v in enumerate(o)]
        if hasattr(o, "tolist") and not isinstance(o, (str, bytes)):
            return clean(o.tolist(), at)
        if isinstance(o, float) and not math.isfinite(o):
            paths.append(at)
            return None
        return o

    return clean(obj, ""), paths


def json_text(obj: Any) -> str:
    """Strict, indented JSON text; non-finite numbers become null and are listed under
    ``non_finite_as_null`` (when ``obj`` is a mapping) so a reader knows why."""
    clean, paths = strict_json(obj)
    if paths and isinstance(clean, dict):
        clean["non_finite_as_null"] = paths
    return json.dumps(clean, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    """Write strict JSON atomically (UTF-8, indented; see :func:`json_text`)."""
    return atomic_write_bytes(path, json_text(obj).encode("utf-8"))


def check_output_directory(out: str | Path, option: str = "out") -> Path:
    """Refuse, before any work, an output directory bmdlab may not replace.

    Allowed: a path that does not exist yet (in an existing, writable folder), an empty folder, or a
    folder an earlier bmdlab run wrote (it holds :data:`OUTPUT_MARKER`). Refused with a one-line
    :class:`BmdlabError`: a file, a folder holding anything else (bmdlab never deletes what it did not
    write), the current folder or one that contains it.
    """
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        here = Path.cwd().resolve()
        target = out.resolve()
    except OSError as exc:
        raise _os_error(out, exc, "cannot resolve the path") from None
    if target == here or target in here.parents:
        raise BmdlabError(
            f"{option}: '{out}' is the current folder or contains it; give a new folder, e.g. {option} results"
        )
    if out.exists() and not out.is_dir():
        raise BmdlabError(f"{option}: '{out}' exists and is not a folder; choose another path")
    if not parent.is_dir():
        raise BmdlabError(f"{option}: parent folder '{parent}' does not exist; create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BmdlabError(f"{option}: parent folder '{parent}' is not writable; choose another path")
    if out.is_dir():
        try:
            entries = list(out.iterdir())
        except OSError as exc:
            raise _os_error(out, exc, "cannot read the folder") from None
        if entries and not (out / OUTPUT_MARKER).is_file():
            raise BmdlabError(
                f"{option}: '{out}' holds files bmdlab did not write; choose a new or empty folder "
                f"(bmdlab replaces only its own earlier output)"
            )
    return out


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Within the block, SIGTERM raises SystemExit (so clean-up runs) instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):  # noqa: ARG001
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_temporaries(parent: Path, name: str) -> None:
    """Remove ``.NAME.tmp-*`` folders that a killed bmdlab run (SIGKILL, power loss) left behind: only
    those holding bmdlab's marker with the id of a process that no longer runs."""
    for p in parent.glob(f".{name}.tmp-*"):
        try:
            marker = json.loads((p / OUTPUT_MARKER).read_text(encoding="utf-8"))
            pid = int(marker.get("pid", -1))
        except (OSError, ValueError, AttributeError):
            continue
        if marker.get("written_by") == "bmdlab" and pid > 0 and not _pid_alive(pid):
            shutil.rmtree(p, ignore_errors=True)


@contextlib.contextmanager
def atomic_directory(out: str | Path, *, kind: str = "output") -> Iterator[Path]:
    """Build an output directory in a temporary sibling; it replaces ``out`` only on success.

    ``out`` must pass :func:`check_output_directory` (new, empty, or bmdlab's own earlier output).
    A failure, Ctrl-C or SIGTERM removes the temporary directory and leaves ``out`` as it was, so a
    failed run never leaves a partial report; what a SIGKILL left behind is removed by the next run
    into the same place. The new directory holds :data:`OUTPUT_MARKER`.
    """
    out = check_output_directory(out)
    parent = out.parent if str(out.parent) else Path(".")
    _remove_stale_temporaries(parent, out.name)
    with _terminate_as_exit():
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
            os.chmod(tmp, 0o777 & ~_umask())
            (tmp / OUTPUT_MARKER).write_text(
                json.dumps({"written_by": "bmdlab", "kind": kind, "pid": os.getpid()}) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            raise _os_error(parent, exc, "cannot create the output folder") from None
        old = None
        try:
            yield tmp
            # a folder that appeared meanwhile with someone else's files is still not ours to replace
            check_output_directory(out)
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
                os.replace(out, old / "previous")
            os.replace(tmp, out)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise _os_error(out, exc, "cannot write the output folder") from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def quiet_native_stdout():
    """Silence what native solver code writes straight to file descriptor 1 (HiGHS debug lines).

    Python's own ``print`` is unaffected after the block; the CLI's ``--json`` output stays clean.
    """
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


#: Version of the layout of bmdlab's JSON outputs (``schema_version`` in every one; the CLI's ``--json``
#: and the study's results.json). Bump it when a key changes meaning.
JSON_SCHEMA_VERSION = 1


def check_suffix(path: str | Path | None, parameter: str, suffixes: tuple[str, ...]) -> None:
    """Refuse an output path whose suffix is not one of ``suffixes`` (before any work)."""
    if path is not None and Path(path).suffix.lower() not in suffixes:
        raise BmdlabError(f"{parameter}: '{path}' must end in {' or '.join(suffixes)}")
