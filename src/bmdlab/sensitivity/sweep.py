"""Grid sweeps: independent runs on a local process pool or a Dask cluster, stored as they finish.

A sweep is the Cartesian product of parameter lists (:func:`grid`). Each run is
:func:`bmdlab.sensitivity.model.evaluate`, a pure function of its parameters and a seed derived
from them, so runs can finish in any order on any worker. Every finished run is written at once to
a DuckDB database file (one committed ``INSERT`` per run, DuckDB's write-ahead log makes it durable);
an interrupted sweep - Ctrl-C, a killed process, a lost worker - keeps every run that finished, and
``resume=True`` runs only the missing ones. A sweep records its definition (grid, trials, seed,
catalog hash) in the file and refuses to resume a different one.

DuckDB was chosen over Parquet because Parquet files cannot be appended to: a per-run Parquet part
file would work too, but a single transactional file is simpler to resume and to query
(``duckdb.sql("select * from 'sweep.duckdb'.runs")``).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from bmdlab.errors import BmdlabError
from bmdlab.sensitivity.model import METRICS, PARAMETERS, check_point, evaluate, run_seed

TABLE = "runs"


def grid(axes: dict[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, in a stable order (first axis slowest)."""
    if not axes:
        raise BmdlabError("sweep: give at least one parameter axis, e.g. --axis missiles=50,100,200")
    for k, vals in axes.items():
        if not len(vals):
            raise BmdlabError(f"sweep: axis '{k}' has no values")
    keys = list(axes)
    points = [dict(zip(keys, combo)) for combo in itertools.product(*(axes[k] for k in keys))]
    for p in points:
        check_point(p, where=f"sweep axis {', '.join(keys)}")
    return points


def parse_axis(text: str) -> tuple[str, list[Any]]:
    """``name=v1,v2,...`` -> (name, values); numbers become int or float, the rest stay text."""
    if "=" not in text:
        raise BmdlabError(f"--axis: '{text}' must look like NAME=V1,V2 (e.g. missiles=50,100,200)")
    name, _, rest = text.partition("=")
    name = name.strip()
    if name not in PARAMETERS:
        from bmdlab.errors import unknown_key

        raise BmdlabError("--axis: " + str(unknown_key("sensitivity parameter", name, PARAMETERS)))
    vals: list[Any] = []
    for tok in (t.strip() for t in rest.split(",")):
        if not tok:
            raise BmdlabError(f"--axis: '{text}' has an empty value; separate values with single commas")
        try:
            vals.append(int(tok))
        except ValueError:
            try:
                vals.append(float(tok))
            except ValueError:
                vals.append(tok)
    return name, vals


def run_key(point: dict[str, Any]) -> str:
    return json.dumps(point, sort_keys=True)


class SweepStore:
    """The sweep's DuckDB file: a ``meta`` row with the definition and a ``runs`` table."""

    def __init__(self, path: str | Path, axes: list[str], definition: dict[str, Any], resume: bool):
        import duckdb

        self.path = Path(path)
        self.axes = axes
        exists = self.path.exists()
        self.created = not exists
        if exists and not resume:
            raise BmdlabError(f"{self.path}: file exists; pass --resume to continue that sweep or choose a new --out file")
        if self.path.parent and not self.path.parent.is_dir():
            raise BmdlabError(f"--out: directory '{self.path.parent}' does not exist")
        if exists:
            _check_is_sweep_file(self.path)  # before anything is written to it
        try:
            self.con = duckdb.connect(str(self.path))
        except Exception as exc:  # duckdb raises its own IOException/InvalidInputException
            raise BmdlabError(f"{self.path}: cannot open as a DuckDB sweep file ({str(exc).splitlines()[0]})") from None
        defn = json.dumps(definition, sort_keys=True)
        tables = {r[0] for r in self.con.execute("select table_name from information_schema.tables").fetchall()}
        if "meta" in tables:
            old = self.con.execute("select definition from meta").fetchone()
            if old is None or old[0] != defn:
                self.con.close()
                raise BmdlabError(f"{self.path}: holds a different sweep (grid, trials, seed or catalog differ); "
                                  "resume it with the same options or write to a new --out file")
        else:
            cols = ", ".join([f'"{a}" VARCHAR' for a in axes] + [f'"{m}" DOUBLE' for m in METRICS])
            self.con.execute("create table meta (definition VARCHAR)")
            self.con.execute("insert into meta values (?)", [defn])
            self.con.execute(f"create table {TABLE} (run_key VARCHAR PRIMARY KEY, {cols}, seed UBIGINT, seconds DOUBLE, "
                             "finished_at TIMESTAMP DEFAULT current_timestamp)")

    def done(self) -> set[str]:
        return {r[0] for r in self.con.execute(f"select run_key from {TABLE}").fetchall()}

    def append(self, point: dict[str, Any], metrics: dict[str, float], seed: int, seconds: float) -> None:
        row = [run_key(point)] + [json.dumps(point[a]) for a in self.axes] + [metrics[m] for m in METRICS] + [seed, seconds]
        marks = ", ".join("?" * len(row))
        cols = ", ".join(["run_key"] + [f'"{a}"' for a in self.axes] + [f'"{m}"' for m in METRICS] + ["seed", "seconds"])
        self.con.execute(f"insert into {TABLE} ({cols}) values ({marks})", row)  # autocommit: durable per run

    def table(self) -> list[dict[str, Any]]:
        cur = self.con.execute(f"select * exclude (finished_at) from {TABLE} order by run_key")
        names = [d[0] for d in cur.description]
        rows = []
        for r in cur.fetchall():
            d = dict(zip(names, r))
            for a in self.axes:
                d[a] = json.loads(d[a])
            rows.append(d)
        return rows

    def close(self) -> None:
        self.con.close()

    def discard(self) -> None:
        """Close and delete the file (and its write-ahead log): only for a file this store created."""
        self.con.close()
        if self.created:
            for f in (self.path, self.path.with_name(self.path.name + ".wal")):
                f.unlink(missing_ok=True)


def _check_is_sweep_file(path: Path) -> None:
    """Refuse, without writing to it, a file that is not a bmdlab sweep (another DuckDB database, or no database)."""
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except Exception as exc:  # duckdb's IOException / InvalidInputException
        raise BmdlabError(f"{path}: not a DuckDB sweep file ({str(exc).splitlines()[0]}); choose a new --out file") from None
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        ok = {"meta", TABLE} <= tables
        if ok:
            row = con.execute("select definition from meta").fetchone()
            try:
                ok = row is not None and {"axes", "points", "trials", "seed"} <= set(json.loads(row[0]))
            except (TypeError, ValueError):
                ok = False
    except Exception:
        ok = False
    finally:
        con.close()
    if not ok:
        raise BmdlabError(f"{path}: is not a bmdlab sweep file (no sweep definition in it); bmdlab leaves it untouched, "
                          "choose a new --out file")


def die_with_parent(parent_pid: int | None = None) -> None:
    """Process-pool initializer: on Linux, ask the kernel to SIGTERM this worker when its parent dies
    (prctl PR_SET_PDEATHSIG), so a killed sweep does not leave its workers running. A parent that died
    while the worker was starting (before the request) is caught by comparing the parent's id."""
    import ctypes
    import os
    import signal
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except OSError:
            pass
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def _timed(point: dict[str, Any], trials: int, seed: int, catalog_dir: str | None) -> tuple[dict[str, Any], dict[str, float], float]:
    t0 = time.perf_counter()
    m = evaluate(point, trials=trials, seed=seed, catalog_dir=catalog_dir)
    return point, m, time.perf_counter() - t0


def run_sweep(points: Sequence[dict[str, Any]], out: str | Path, *, trials: int = 2000, seed: int = 2017,
              workers: int | None = None, scheduler: str | None = None, resume: bool = False,
              catalog_dir: str | None = None, catalog_hash: str = "",
              progress: Callable[[int, int], None] | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Run every point not yet in ``out`` and append each result as it finishes; return the table.

    Parameters
    ----------
    points : list of dict
        Runs (from :func:`grid`); all share the same parameter names.
    out : path
        DuckDB file. It must not exist unless ``resume`` is true.
    workers : int, optional
        Local processes (default: the machine's cores; 1 runs in this process).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``); runs go to its workers instead.
    on_result : callable, optional
        Called with each stored row (after it is committed); used by tests to interrupt a sweep.
    """
    if trials < 1:
        raise BmdlabError(f"--trials: {trials} must be at least 1")
    if not points:
        raise BmdlabError("sweep: no runs to do")
    axes = list(points[0])
    if any(list(p) != axes for p in points):
        raise BmdlabError("sweep: every run must have the same parameters")
    definition = {"axes": axes, "points": [run_key(p) for p in points], "trials": trials, "seed": seed, "catalog": catalog_hash}
    store = SweepStore(out, axes, definition, resume)
    stored = 0
    try:
        done = store.done()
        todo = [p for p in points if run_key(p) not in done]
        total, finished = len(points), len(points) - len(todo)
        if progress:
            progress(finished, total)

        def store_one(point, metrics, seconds):
            nonlocal finished, stored
            full = check_point(point)
            store.append(point, metrics, run_seed(seed, full), seconds)
            finished += 1
            stored += 1
            if progress:
                progress(finished, total)
            if on_result:
                on_result({"point": point, **metrics})

        if scheduler:
            _run_dask(todo, scheduler, trials, seed, catalog_dir, store_one)
        elif (workers or 0) == 1 or len(todo) <= 1:
            for p in todo:
                store_one(*_timed(p, trials, seed, catalog_dir))
        else:
            import multiprocessing
            import os

            n = min(workers or os.cpu_count() or 1, os.cpu_count() or 1, len(todo))  # never more than the cores
            with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                     initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
                futs = [pool.submit(_timed, p, trials, seed, catalog_dir) for p in todo]
                try:
                    for f in as_completed(futs):
                        store_one(*f.result())
                except BaseException:
                    for f in futs:
                        f.cancel()
                    raise
        return store.table()
    except BaseException:
        if stored == 0 and store.created:
            store.discard()  # a sweep that ran nothing leaves no file to block the same sweep again
            store = None
        raise
    finally:
        if store is not None:
            store.close()


def _run_dask(todo: Iterable[dict[str, Any]], address: str, trials: int, seed: int, catalog_dir: str | None, store_one) -> None:
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise BmdlabError("--scheduler needs Dask: pip install 'bmdlab[dask]'") from None
    try:
        client = Client(address, timeout="5s")
    except Exception as exc:  # OSError / TimeoutError from distributed
        raise BmdlabError(f"--scheduler: cannot reach a Dask scheduler at '{address}' ({type(exc).__name__})") from None
    try:
        futs = [client.submit(_timed, p, trials, seed, catalog_dir, pure=False) for p in todo]
        for f in dask_completed(futs):
            store_one(*f.result())
    finally:
        client.close()


def load_table(path: str | Path) -> list[dict[str, Any]]:
    """Read a sweep file's runs (sorted by run key)."""
    import duckdb

    path = Path(path)
    if not path.is_file():
        raise BmdlabError(f"{path}: no such sweep file")
    con = duckdb.connect(str(path), read_only=True)
    try:
        axes = json.loads(con.execute("select definition from meta").fetchone()[0])["axes"]
        cur = con.execute(f"select * exclude (finished_at) from {TABLE} order by run_key")
        names = [d[0] for d in cur.description]
        return [{k: (json.loads(v) if k in axes else v) for k, v in zip(names, r)} for r in cur.fetchall()]
    finally:
        con.close()


__all__ = ["SweepStore", "grid", "load_table", "parse_axis", "run_key", "run_sweep"]
