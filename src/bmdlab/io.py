"""File output that never leaves half-written results and never deletes what bmdlab did not write
(CONTRIBUTING.md, "Errors and outputs")."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import math
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
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


#: An input of a command (a scenario file, a WTA instance, the ``--catalog`` folder): the name of the argument
#: that gave it and its path. A folder stands for the files directly in it.
Input = tuple[str, str | Path | None]


class OutputError(BmdlabError):
    """An output bmdlab may not or could not write: ``parameter`` names the argument that gave ``path``.

    The command line names its option instead (it finds the option whose value is ``path``); ``errno`` is
    the operating system's error number when writing failed (``ENOSPC``, ``EIO``), else None.
    """

    def __init__(self, parameter: str, path: str | Path, detail: str, errno_: int | None = None) -> None:
        self.parameter, self.path, self.detail, self.errno = parameter, Path(path), detail, errno_
        super().__init__(f"{parameter}: {detail}")

    def named(self, parameter: str) -> OutputError:
        """The same error naming another argument (an option of the command line)."""
        return OutputError(parameter, self.path, self.detail, self.errno)


#: Why writing failed and what to do, by error number (the rest: "cannot write").
_WRITE_FAILURES = {
    errno.ENOSPC: ("the disk is full writing", "free some space or choose another disk"),
    errno.EDQUOT: ("the disk quota is used up writing", "free some space or choose another disk"),
    errno.EFBIG: ("the file is too large for its disk writing", "choose another disk"),
    errno.EIO: ("the disk failed (an input/output error) writing", "check the disk or choose another one"),
    errno.EROFS: ("cannot write", "choose a writable location"),
    errno.EACCES: ("cannot write", "check its permissions or choose another path"),
    errno.EPERM: ("cannot write", "check its permissions or choose another path"),
    errno.EISDIR: ("cannot write", "give a file name, not a folder"),
    errno.ENAMETOOLONG: ("cannot write", "choose a shorter name"),
}


def errno_of(exc: BaseException) -> int | None:
    """The error number of an OSError, or the one a library names in its message (DuckDB writes
    ``"errno":"28"`` or the system's text, "No space left on device")."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno
    text = str(exc)
    m = re.search(r'"errno"\s*:\s*"?(\d+)', text)
    if m:
        return int(m.group(1))
    return next((code for code in _WRITE_FAILURES if os.strerror(code) in text), None)


def write_error(parameter: str, path: str | Path, exc: BaseException) -> OutputError:
    """The one-line error of a failed write of ``path`` (an OSError, or a writer's own error that names an
    error number): ``out: the disk is full writing 'runs.duckdb' (No space left on device); free some space
    or choose another disk``. Every writer of bmdlab reports a failure through it."""
    code = errno_of(exc)
    if code is not None:
        reason = os.strerror(code)
    else:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    what, hint = _WRITE_FAILURES.get(code or 0, ("cannot write", "choose another path"))
    return OutputError(parameter, path, f"{what} '{path}' ({reason}); {hint}", code)


def _not_regular(st: os.stat_result) -> str | None:
    """What a file that bmdlab must not write over is (a symbolic link, a device, a pipe, a socket), or None."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return None


def _lstat(path: Path, option: str) -> os.stat_result | None:
    """The path's own status (a link is not followed), or None when nothing is there."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise OutputError(option, path, f"cannot use '{path}' ({exc.strerror or exc}); choose another path") from None


def _refuse_special(path: Path, option: str, st: os.stat_result | None) -> None:
    """Refuse a path that is not a regular file bmdlab may replace: a link (dangling too), a device, a pipe, a
    socket. Replacing one would break it (a link would become a file; a pipe's reader would never see it)."""
    if st is None:
        return
    kind = _not_regular(st)
    if kind == "a symbolic link":
        try:
            to = os.readlink(path)
        except OSError:
            to = "?"
        gone = "" if path.exists() else ", which does not exist"
        raise OutputError(
            option,
            path,
            f"'{path}' is a symbolic link (to '{to}'{gone}); bmdlab writes only regular files: give the file's "
            "own path or a new name",
        )
    if kind is not None:
        raise OutputError(
            option, path, f"'{path}' is {kind}, not a regular file; bmdlab writes only regular files: give a file name"
        )


def _real(path: str | Path) -> str:
    return os.path.realpath(os.path.abspath(path))


def _input_files(path: Path) -> list[Path]:
    """An input's files: itself, or the regular files directly in it if it is a folder (a catalog)."""
    if path.is_dir():
        try:
            return [p for p in sorted(path.iterdir())[:10_000] if p.is_file()]
        except OSError:
            return []
    return [path]


def _same_file(a: Path, a_st: os.stat_result | None, b: Path) -> bool:
    """``a`` and ``b`` are one file: the same resolved path, or (both existing) the same device and inode
    (a hard link, or one path through a linked folder)."""
    if _real(a) == _real(b):
        return True
    if a_st is None:
        return False
    try:
        return os.path.samestat(os.stat(a), os.stat(b))
    except OSError:
        return False


def _refuse_inputs(path: Path, option: str, st: os.stat_result | None, inputs: Iterable[Input]) -> None:
    for name, given in inputs:
        if given is None:
            continue
        folder = Path(given).is_dir()
        for f in _input_files(Path(given)):
            if _same_file(path, st, f):
                if folder:
                    whose = f"a file of {name} '{given}'"
                else:  # another name of the same file (a hard link, a relative path) is shown with it
                    whose = f"also {name}" if str(given) == str(path) else f"also {name} '{given}' (the same file)"
                raise OutputError(
                    option,
                    path,
                    f"'{path}' is {whose}, an input of this command; write the output to another file",
                )


def check_output_file(path: str | Path, option: str, *, inputs: Iterable[Input] = ()) -> Path:
    """Refuse, before any work, an output file bmdlab must not write (one-line :class:`OutputError` naming
    ``option`` and the path): a folder; a symbolic link (dangling too), a device (``/dev/null``,
    ``/dev/full``), a named pipe or a socket, which bmdlab would replace or block on; a missing or read-only
    parent folder; and one of the command's ``inputs`` (by resolved path, or by device and inode for a file
    that exists: a hard link). bmdlab writes only regular files, through :func:`atomic_write_bytes` or
    :func:`atomic_file`."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    st = _lstat(path, option)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(option, path, f"'{path}' is a folder; give a file name")
    _refuse_special(path, option, st)
    if not parent.is_dir():
        raise OutputError(option, path, f"folder '{parent}' does not exist; create it or choose another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(option, path, f"folder '{parent}' is not writable; choose another path")
    if st is not None and not os.access(path, os.W_OK):
        raise OutputError(option, path, f"'{path}' is not writable; choose another path")
    _refuse_inputs(path, option, st, inputs)
    return path


def check_output_files(outputs: Mapping[str, str | Path | None], inputs: Iterable[Input] = ()) -> dict[str, Path]:
    """Every output of one command at once (argument name -> path; None: not asked for): each passes
    :func:`check_output_file` against the command's ``inputs``, and no two name the same file (which
    would be written twice, the second over the first). Returns the outputs asked for."""
    inputs = list(inputs)
    checked: dict[str, Path] = {}
    for name, given in outputs.items():
        if given is None:
            continue
        path = check_output_file(given, name, inputs=inputs)
        st = _lstat(path, name)
        for other, earlier in checked.items():
            if _same_file(path, st, earlier):
                raise OutputError(name, path, f"'{path}' is also the file of {other}; give each output its own file")
        checked[name] = path
    return checked


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _commit(tmp: str | Path, path: Path, parameter: str) -> None:
    """Make the finished temporary file ``tmp`` the output ``path``: its data on disk (fsync, where a full
    disk may show only now), the usual permissions, then a rename (atomic: a reader sees the old file or
    the new one, never part of it)."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
    _refuse_special(path, parameter, _lstat(path, parameter))  # nothing special appeared meanwhile
    os.replace(tmp, path)


def _discard(tmp: str | Path | None) -> None:
    if tmp is not None:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def atomic_write_bytes(path: str | Path, data: bytes, *, parameter: str = "path") -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    ``path`` must pass :func:`check_output_file`. Any OS error (a full or failing disk, a read-only file
    system) is a one-line :class:`OutputError` naming ``parameter`` and the path (:func:`write_error`);
    the temporary file is removed, so nothing partial is left.
    """
    with atomic_file(path, parameter=parameter) as tmp:
        fd = os.open(tmp, os.O_WRONLY)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    return Path(path)


@contextlib.contextmanager
def atomic_file(path: str | Path, *, parameter: str = "path", suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file name next to ``path`` for a writer that needs one (DuckDB's ``COPY``); it becomes
    ``path`` (as in :func:`atomic_write_bytes`) when the block ends without error, and is removed otherwise.
    An OSError in the block or after it is a one-line :class:`OutputError`; a writer's own errors are turned
    into one with :func:`write_error`."""
    path = check_output_file(path, parameter)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
        os.close(fd)
        yield Path(tmp)
        _commit(tmp, path, parameter)
    except OSError as exc:
        _discard(tmp)
        raise write_error(parameter, path, exc) from None
    except BaseException:
        _discard(tmp)
        raise


class DuplicateKey(ValueError):
    """A JSON object gives ``key`` twice (:func:`json_loads_unique`)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise DuplicateKey(k)
        out[k] = v
    return out


def json_loads_unique(text: str | bytes) -> Any:
    """Parse JSON whose objects give each key once, as YAML files are read (Python's parser lets the last
    of a repeated key silently win): :class:`DuplicateKey` names a repeated one; otherwise as ``json.loads``
    (``json.JSONDecodeError``, ``RecursionError`` for deep nesting)."""
    return json.loads(text, object_pairs_hook=_unique_keys)


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


def atomic_write_json(path: str | Path, obj: Any, *, parameter: str = "path") -> Path:
    """Write strict JSON atomically (UTF-8, indented; see :func:`json_text`); errors name ``parameter``."""
    return atomic_write_bytes(path, json_text(obj).encode("utf-8"), parameter=parameter)


def check_output_directory(out: str | Path, option: str = "out", *, inputs: Iterable[Input] = ()) -> Path:
    """Refuse, before any work, an output directory bmdlab may not replace.

    Allowed: a path that does not exist yet (in an existing, writable folder), an empty folder, or a
    folder an earlier bmdlab run wrote (it holds :data:`OUTPUT_MARKER`). Refused with a one-line
    :class:`OutputError`: a file, a symbolic link (dangling too), a device, pipe or socket, a folder holding
    anything else (bmdlab never deletes what it did not write), the current folder or one that contains
    it, and a folder that is or holds one of the command's ``inputs`` (replacing it would delete them).
    """
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        here = Path.cwd().resolve()
        target = out.resolve()
    except OSError as exc:
        raise OutputError(option, out, f"cannot resolve '{out}' ({exc.strerror or exc}); choose another path") from None
    if target == here or target in here.parents:
        raise OutputError(
            option,
            out,
            f"'{out}' is the current folder or contains it; give a new folder, e.g. {option} results",
        )
    st = _lstat(out, option)
    _refuse_special(out, option, st)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputError(option, out, f"'{out}' exists and is not a folder; choose another path")
    if not parent.is_dir():
        raise OutputError(option, out, f"parent folder '{parent}' does not exist; create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(option, out, f"parent folder '{parent}' is not writable; choose another path")
    for name, given in inputs:
        if given is not None and (_real(given) == str(target) or target in Path(_real(given)).parents):
            how = "is" if _real(given) == str(target) else "holds"
            raise OutputError(
                option, out, f"'{out}' {how} {name} '{given}', an input of this command; choose another folder"
            )
    if st is not None:
        try:
            entries = list(out.iterdir())
        except OSError as exc:
            raise OutputError(option, out, f"cannot read the folder '{out}' ({exc.strerror or exc})") from None
        if entries and not (out / OUTPUT_MARKER).is_file():
            raise OutputError(
                option,
                out,
                f"'{out}' holds files bmdlab did not write; choose a new or empty folder "
                f"(bmdlab replaces only its own earlier output)",
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
def atomic_directory(out: str | Path, *, kind: str = "output", parameter: str = "out") -> Iterator[Path]:
    """Build an output directory in a temporary sibling; it replaces ``out`` only on success.

    ``out`` must pass :func:`check_output_directory` (new, empty, or bmdlab's own earlier output).
    A failure, Ctrl-C or SIGTERM removes the temporary directory and leaves ``out`` as it was, so a
    failed run never leaves a partial report; what a SIGKILL left behind is removed by the next run
    into the same place. The new directory holds :data:`OUTPUT_MARKER`. A write that fails inside it
    (a full disk) is reported as a failure to write ``out``, naming ``parameter``.
    """
    out = check_output_directory(out, parameter)
    parent = out.parent if str(out.parent) else Path(".")
    _remove_stale_temporaries(parent, out.name)
    with _terminate_as_exit():
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
        except OSError as exc:
            raise write_error(parameter, out, exc) from None
        try:
            os.chmod(tmp, 0o777 & ~_umask())
            (tmp / OUTPUT_MARKER).write_text(
                json.dumps({"written_by": "bmdlab", "kind": kind, "pid": os.getpid()}) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise write_error(parameter, out, exc) from None
        old = None
        try:
            yield tmp
            # a folder that appeared meanwhile with someone else's files is still not ours to replace
            check_output_directory(out, parameter)
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=parent))
                os.replace(out, old / "previous")
            os.replace(tmp, out)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise write_error(parameter, out, exc) from None
        except OutputError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if exc.errno is not None and tmp in exc.path.parents:  # a file of the folder: the folder failed
                raise write_error(parameter, out, OSError(exc.errno, os.strerror(exc.errno))) from None
            raise
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


def die_with_parent(parent_pid: int | None = None) -> None:
    """A child process's initializer (a process pool's workers, a subprocess's ``preexec_fn``): on Linux, ask
    the kernel to SIGTERM this process when its parent dies (prctl PR_SET_PDEATHSIG), so a killed sweep or
    server does not leave its children running. A parent that died
    while the worker was starting (before the request) is caught by comparing the parent's id."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except OSError:
            pass
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
