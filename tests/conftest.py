import contextlib
import os
import shutil
import signal
from importlib import resources
from pathlib import Path

import pytest

#: Most test workers `-n auto` starts (pytest-xdist): a worker peaks near 2 GB, and the tests that run pools
#: use two processes themselves.
MAX_TEST_WORKERS = 4


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker per core, at most :data:`MAX_TEST_WORKERS` (`-n 1` or `-p no:xdist` runs in one)."""
    return max(1, min(os.cpu_count() or 1, MAX_TEST_WORKERS))


def pytest_configure(config):
    # `python -m pytest -m "not slow"` is the quick run (under 3 minutes on 2 cores); plain `pytest` runs all.
    config.addinivalue_line("markers", 'slow: a test taking several seconds or more; deselect with -m "not slow"')


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the built-in catalog directory (to corrupt in bad-input tests)."""
    src = Path(str(resources.files("bmdlab.catalog") / "data"))
    dst = tmp_path / "catalog"
    shutil.copytree(src, dst)
    return dst


def changed_catalog(where: Path, fname: str, kind: str, key: str, field: str, **change) -> Path:
    """A copy of the built-in catalog in a new folder under ``where``, with one value's fields changed
    (e.g. ``unit="km"`` or ``value=-4``). A changed value or unit drops the value's plausible range unless the
    change gives one (the old range was for the old value)."""
    import yaml

    n = sum(1 for _ in where.glob("changed-catalog-*"))
    cdir = where / f"changed-catalog-{n}"
    shutil.copytree(Path(str(resources.files("bmdlab.catalog") / "data")), cdir)
    data = yaml.safe_load((cdir / fname).read_text(encoding="utf-8"))
    entry = data[kind][key][field]
    if ("value" in change or "unit" in change) and "plausible" not in change:
        entry.pop("plausible", None)
        entry.pop("plausible_basis", None)
    entry.update(change)
    (cdir / fname).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return cdir


@pytest.fixture
def catalog_with(tmp_path: Path):
    """:func:`changed_catalog` under the test's temporary folder: ``catalog_with(fname, kind, key, field, **change)``."""
    return lambda *args, **change: changed_catalog(tmp_path, *args, **change)


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
