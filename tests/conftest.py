import contextlib
import shutil
import signal
from importlib import resources
from pathlib import Path

import pytest


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in catalog directory (to corrupt in bad-input tests)."""
    src = Path(str(resources.files("bmdlab.catalog") / "data"))
    dst = tmp_path / "catalog"
    shutil.copytree(src, dst)
    return dst


class Hung(BaseException):  # not an Exception: CliRunner and bmdlab let it through
    """Raised by :func:`time_limit` when a command runs too long."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`Hung` in this (main) thread after ``seconds``: a hang fails the test, it does not stall CI."""
    def alarm(signum, frame):
        raise Hung(f"still running after {seconds:g} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def foreign_duckdb(tmp_path: Path) -> tuple[Path, bytes]:
    """A DuckDB file bmdlab did not write, with a table named like a sweep's, and its bytes."""
    import duckdb

    foreign = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("create table runs (x INTEGER)")
    con.execute("insert into runs values (42)")
    con.close()
    return foreign, foreign.read_bytes()
