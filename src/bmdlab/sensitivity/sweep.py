"""Grid sweeps: independent runs on a local process pool or a Dask cluster, stored as they finish.

A sweep is the Cartesian product of parameter lists (:func:`grid`), or any explicit list of points
(:func:`run_points`: a sampler's, such as the uncertainty analysis's). Each run is
:func:`bmdlab.sensitivity.model.evaluate`, a pure function of its parameters and a seed derived
from them, so runs can finish in any order on any worker. Every finished run is written at once to
a DuckDB database file (one committed ``INSERT`` per run, DuckDB's write-ahead log makes it durable);
an interrupted sweep - Ctrl-C, a killed process, a lost worker - keeps every run that finished, and
``resume=True`` runs only the missing ones. A sweep records its definition (grid, trials, seed,
catalog hash) in the file and refuses to resume a different one.

DuckDB was chosen over Parquet because Parquet files cannot be appended to: a per-run Parquet part
file would work too, but a single transactional file is simpler to resume and to query.

The file (schema :data:`SCHEMA_VERSION`) holds two tables. ``meta`` has one row: the schema version,
the sweep's definition (JSON: axes, run keys, trials, seed, catalog hash) and its provenance
(bmdlab version, catalog hash, trials, seed, creation time, UTC). ``runs`` has one row per finished
run, every column typed: each axis by what its parameter is (:func:`axis_type`: counts ``BIGINT``,
other numbers ``DOUBLE``, the on/off engagement limits ``BOOLEAN``, names ``VARCHAR``), the metrics
``DOUBLE`` except the cost, which is whole yen (``BIGINT``) of the year in ``price_year``, then the
run's ``seed``, ``seconds``, ``bmdlab_version`` and ``finished_at`` (UTC). Read it with
:func:`read_sweep` (a pandas DataFrame), or with DuckDB itself::

    python -c "import duckdb; print(duckdb.connect('sweep.duckdb', read_only=True).sql('select * from runs'))"

Files written before typed columns (axis values as JSON text, no ``schema_version``) are refused
with a one-line error; start a new file.
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bmdlab import __version__, bounds
from bmdlab.assembly.overrides import LIMIT_SWITCHES, parse_value
from bmdlab.catalog import builtin_catalog, load_catalog
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.io import check_output_file, die_with_parent, errno_of, write_error
from bmdlab.lazy import lazy_module
from bmdlab.sensitivity.model import (
    ACCEPTED,
    METRICS,
    CoverageMemo,
    check_point,
    evaluate,
    parameter_kind,
    point_overrides,
    point_setup,
    run_seed,
)

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy_module("duckdb")  # imported by the first sweep that opens its store

if TYPE_CHECKING:
    import pandas as pd

TABLE = "runs"
#: Version of the sweep file's layout. 1 (never written down in the file): axis values as JSON text;
#: 2: typed columns, a ``schema_version`` and provenance in ``meta``.
SCHEMA_VERSION = 2
#: Metrics that are amounts of money, stored as whole yen (of the run's ``price_year``).
MONEY_METRICS = ("cost_total_jpy",)


def grid(axes: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, in a stable order (first axis slowest)."""
    if not axes:
        raise BmdlabError("sweep: give at least one parameter axis, e.g. --axis missiles=50,100,200")
    for k, vals in axes.items():
        if not len(vals):
            raise BmdlabError(f"sweep: axis '{k}' has no values")
        seen = [run_key({k: v}) for v in vals]
        twice = next((v for v, key in zip(vals, seen) if seen.count(key) > 1), None)
        if twice is not None:
            raise BmdlabError(f"sweep axis {k}: {twice!r} is given twice; give each value once")
    size = math.prod(len(v) for v in axes.values())
    if not bounds.SWEEP_RUNS.contains(size):
        raise BmdlabError(
            f"sweep: the axes make {size:,} runs (the product of their lengths), more than "
            f"{bounds.SWEEP_RUNS.high:,.0f}; narrow the axes or split the sweep"
        )
    keys = list(axes)
    points = [dict(zip(keys, combo)) for combo in itertools.product(*(axes[k] for k in keys))]
    for p in points:
        check_point(p, where="sweep axis")
    return points


def parse_axis(text: str) -> tuple[str, list[Any]]:
    """``name=v1,v2,...`` -> (name, values); numbers become int or float, the rest stay text
    (:func:`bmdlab.assembly.overrides.parse_value`, as the command line's ``--set``).

    ``on``/``off`` stay text here (:func:`check_point` checks them); the sweep file stores an
    engagement-limit axis as ``BOOLEAN`` (:func:`axis_type`).
    """
    if "=" not in text:
        raise BmdlabError(f"axis: '{text}' must look like NAME=V1,V2 (e.g. missiles=50,100,200)")
    name, _, rest = text.partition("=")
    name = name.strip()
    if name not in ACCEPTED:
        raise BmdlabError("axis: " + str(unknown_key("sensitivity parameter", name, ACCEPTED)))
    vals: list[Any] = []
    for tok in (t.strip() for t in rest.split(",")):
        if not tok:
            raise BmdlabError(f"axis: '{text}' has an empty value; separate values with single commas")
        vals.append(parse_value(tok))
    return name, vals


def run_key(point: dict[str, Any]) -> str:
    """The run's identity in the sweep file (its parameters as sorted JSON); resume skips stored keys."""
    return json.dumps(point, sort_keys=True)


#: The DuckDB column type of each kind of parameter (:func:`bmdlab.sensitivity.model.parameter_kind`).
COLUMN_TYPES = {"int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN", "str": "VARCHAR"}


def axis_type(name: str) -> str:
    """The DuckDB type of an axis column, from what the parameter is, so that one parameter has one type in
    every sweep file: a count (``missiles``, ``decoys``, ``years``) is ``BIGINT``, another number
    ``DOUBLE``, an engagement limit or a switch (``on``/``off``) ``BOOLEAN``, a name (``scenario``,
    ``flyout``, ``doctrine``) ``VARCHAR``."""
    return COLUMN_TYPES[parameter_kind(name)]


def _sql_value(name: str, v: Any) -> Any:
    """An axis value as its column stores it: the value :class:`~bmdlab.assembly.overrides.Overrides` reads
    (``on``/``off`` -> True/False; a set of limits as comma-separated names)."""
    if v is None:
        return None
    if name == "scenario":
        return str(v)
    value = getattr(point_overrides({name: v}), name)
    if isinstance(value, frozenset):
        return ",".join(sorted(value)) or "none"
    return value


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class SweepStore:
    """The sweep's DuckDB file: a ``meta`` row (schema version, definition, provenance) and a typed ``runs`` table."""

    def __init__(self, path: str | Path, axis_types: dict[str, str], definition: dict[str, Any], resume: bool):
        self.path = Path(path)
        self.axis_types = dict(axis_types)
        self.axes = list(axis_types)
        check_output_file(self.path, "out")  # a regular file in a writable folder: never a link, device or pipe
        if resume and not self.path.exists():
            raise BmdlabError(
                f"out: '{self.path}' does not exist, so there is no sweep to resume; run without `resume` to start it"
            )
        if self.path.exists() and _holds_no_run(self.path):
            _remove_sweep_file(self.path)  # nothing to lose: an empty file, or a sweep stopped before its first run
        exists = self.path.exists()
        self.created = not exists
        if exists and not resume:
            raise BmdlabError(
                f"{self.path}: file exists; pass `resume` to continue that sweep or choose a new out file"
            )
        if exists:
            check_sweep_file(self.path)  # before anything is written to it
        self.con = self._connect()
        defn = json.dumps(definition, sort_keys=True)
        if exists:
            old = self.con.execute("select definition from meta").fetchone()
            if old is None or old[0] != defn:
                self.con.close()
                raise BmdlabError(
                    f"{self.path}: holds a different sweep (grid, trials, seed or catalog differ); "
                    "resume it with the same options or write to a new --out file"
                )
            return
        try:
            self._create(defn, definition)
        except duckdb.Error as exc:  # a full or failing disk: nothing of the sweep is kept
            self.discard()
            raise write_error("out", self.path, exc) from None

    def _connect(self) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(self.path))
        except duckdb.Error as exc:  # DuckDB's IOException (a full disk) or InvalidInputException (not DuckDB)
            if errno_of(exc) is not None:
                raise write_error("out", self.path, exc) from None
            raise BmdlabError(f"{self.path}: cannot open as a DuckDB sweep file ({str(exc).splitlines()[0]})") from None

    def _create(self, defn: str, definition: dict[str, Any]) -> None:
        """The ``meta`` row and the empty ``runs`` table, in one transaction."""
        cols = ", ".join(
            [f"{_ident(a)} {t}" for a, t in self.axis_types.items()]
            + [f"{_ident(m)} {'BIGINT' if m in MONEY_METRICS else 'DOUBLE'} NOT NULL" for m in METRICS]
        )
        self.con.begin()  # the schema appears whole or not at all
        self.con.execute(
            "create table meta (schema_version INTEGER NOT NULL, definition VARCHAR NOT NULL, "
            "bmdlab_version VARCHAR NOT NULL, catalog_hash VARCHAR NOT NULL, trials BIGINT NOT NULL, "
            "seed BIGINT NOT NULL, created_at TIMESTAMP NOT NULL)"
        )
        self.con.execute(
            "insert into meta values (?, ?, ?, ?, ?, ?, ?)",
            [
                SCHEMA_VERSION,
                defn,
                __version__,
                definition["catalog"],
                definition["trials"],
                definition["seed"],
                _now_utc(),
            ],
        )
        self.con.execute(
            f"create table {TABLE} (run_key VARCHAR PRIMARY KEY, {cols}, price_year INTEGER NOT NULL, "
            "seed BIGINT NOT NULL, seconds DOUBLE NOT NULL, bmdlab_version VARCHAR NOT NULL, "
            "finished_at TIMESTAMP NOT NULL)"
        )
        self.con.commit()

    def done(self) -> set[str]:
        return {r[0] for r in self.con.execute(f"select run_key from {TABLE}").fetchall()}

    def append(self, point: dict[str, Any], metrics: dict[str, float], seed: int, seconds: float) -> None:
        row = (
            [run_key(point)]
            + [_sql_value(a, point[a]) for a in self.axis_types]
            + [round(metrics[m]) if m in MONEY_METRICS else metrics[m] for m in METRICS]
            + [int(metrics["price_year"]), seed, seconds, __version__, _now_utc()]
        )
        cols = ", ".join(
            ["run_key"]
            + [_ident(a) for a in self.axes]
            + [_ident(m) for m in METRICS]
            + ["price_year", "seed", "seconds", "bmdlab_version", "finished_at"]
        )
        marks = ", ".join("?" * len(row))
        try:
            self.con.execute(f"insert into {TABLE} ({cols}) values ({marks})", row)  # autocommit: durable per run
        except duckdb.Error as exc:  # a full or failing disk: the runs before this one are kept
            raise write_error("out", self.path, exc) from None

    def table(self) -> list[dict[str, Any]]:
        return _rows(self.con)

    def close(self) -> None:
        self.con.close()

    def discard(self) -> None:
        """Close and delete the file (and its write-ahead log): only for a file this store created."""
        self.con.close()
        if self.created:
            _remove_sweep_file(self.path)


def _holds_no_run(path: Path) -> bool:
    """An empty file (a sweep that failed before DuckDB wrote anything, e.g. on a full disk), or a bmdlab sweep
    file that holds no finished run. Any other file (someone else's, or a sweep with runs) is False."""
    if path.is_file() and path.stat().st_size == 0:
        return True
    try:
        check_sweep_file(path)
    except BmdlabError:
        return False
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select count(*) from {TABLE}").fetchone()[0] == 0
    finally:
        con.close()


def _remove_sweep_file(path: Path) -> None:
    for f in (path, path.with_name(path.name + ".wal")):
        f.unlink(missing_ok=True)


def _rows(con) -> list[dict[str, Any]]:
    """The runs as plain Python values, sorted by run key (``finished_at`` left out)."""
    cur = con.execute(f"select * exclude (finished_at) from {TABLE} order by run_key")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def check_sweep_file(path: str | Path) -> None:
    """Refuse, without writing to it, a file that is not a sweep this bmdlab can resume or read.

    Raises
    ------
    BmdlabError
        One line naming ``out``: not a DuckDB database (or in use by another process), another
        DuckDB database, a sweep file from an older bmdlab (axis values as JSON text) or a newer one.
    """
    path = Path(path)
    try:
        con = duckdb.connect(str(path), read_only=True)
    except Exception as exc:  # duckdb's IOException / InvalidInputException / ConnectionException
        first = str(exc).splitlines()[0]
        if "lock" in first.lower() or "same database file" in first:
            raise BmdlabError(
                f"out: '{path}' is open in another process or connection (a running sweep?); "
                "wait for it to finish or choose a new out file"
            ) from None
        raise BmdlabError(f"{path}: not a DuckDB sweep file ({first}); choose a new --out file") from None
    version = None
    try:
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        ok = {"meta", TABLE} <= tables
        if ok:
            row = con.execute("select definition from meta").fetchone()
            try:
                ok = row is not None and {"axes", "points", "trials", "seed"} <= set(json.loads(row[0]))
            except (TypeError, ValueError):
                ok = False
        if ok:
            cols = {
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_name = 'meta'"
                ).fetchall()
            }
            version = con.execute("select schema_version from meta").fetchone()[0] if "schema_version" in cols else 1
    except Exception:
        ok = False
    finally:
        con.close()
    if not ok:
        raise BmdlabError(
            f"{path}: is not a bmdlab sweep file (no sweep definition in it); bmdlab leaves it untouched, "
            "choose a new --out file"
        )
    if version < SCHEMA_VERSION:
        raise BmdlabError(
            f"out: '{path}' is a sweep file from an older bmdlab (schema {version}: axis values stored as "
            "JSON text) and cannot be resumed or read; bmdlab leaves it untouched, start a new sweep in a new out file"
        )
    if version > SCHEMA_VERSION:
        raise BmdlabError(
            f"out: '{path}' was written by a newer bmdlab (sweep schema {version}, this one reads "
            f"{SCHEMA_VERSION}); upgrade bmdlab or start a new sweep in a new out file"
        )


#: This process's memo of coverage fractions: a sweep worker computes each architecture's coverage once
#: over the runs it is given (a memo of a pure function; each process has its own).
_WORKER_MEMO = CoverageMemo()


def _timed(
    point: dict[str, Any], trials: int, seed: int, catalog_dir: str | None, memo: CoverageMemo | None = None
) -> tuple[dict[str, Any], dict[str, float], float]:
    t0 = time.perf_counter()
    m = evaluate(point, trials=trials, seed=seed, catalog_dir=catalog_dir, memo=memo or _WORKER_MEMO)
    return point, m, time.perf_counter() - t0


@dataclass(frozen=True)
class SweepRun:
    """How to run a sweep: ``trials`` per run on ``seed``, on ``workers`` local processes (default: the
    machine's cores; 1 runs in this process) or a Dask ``scheduler`` (``tcp://host:8786``), continuing an
    interrupted sweep with ``resume``; the catalog the runs use (``catalog_dir``, default: the built-in
    one) and its hash, recorded in the file (computed when not given)."""

    trials: int = 2000
    seed: int = DEFAULT_SEED
    workers: int | None = None
    scheduler: str | None = None
    resume: bool = False
    catalog_dir: str | None = None
    catalog_hash: str | None = None
    allow_large: bool = False  #: start a sweep of more than :data:`bmdlab.bounds.SWEEP_RUNS_UNASKED` runs
    #: send the runs that share a coverage and a raid plan to a worker as one task (:func:`_tasks`): each plan is
    #: computed once, not once per worker; the file and the progress advance a task at a time (idle 2-core
    #: machine, two processes: japan-2017-aegis-ashore's Sobol' analysis, N = 64, 38.0 s grouped, 44.4 s not)
    grouped: bool = False


#: Coverage-metric inputs: a sweep computes one coverage per distinct combination of these (per worker).
COVERAGE_AXES = ("scenario", "flyout", "limits", *LIMIT_SWITCHES, "rcs_scale", "track_delay_s")


@dataclass(frozen=True)
class SweepEstimate:
    """How big a sweep is before it starts: its runs, the coverages its runs need, the processes it would
    use and a rough time (a model fitted to the benchmark's sweep on two cores; a guide, not a promise)."""

    runs: int
    coverages: int  #: distinct architectures and engagement models (each coverage once per process)
    processes: int
    seconds: float

    def text(self) -> str:
        t = self.seconds
        when = f"{t:.0f} s" if t < 120 else (f"{t / 60:.0f} min" if t < 7200 else f"{t / 3600:.1f} h")
        return (
            f"{self.runs:,} runs ({self.coverages} coverage{'s' if self.coverages != 1 else ''}) on "
            f"{self.processes} process{'es' if self.processes != 1 else ''}: about {when}"
        )


def sweep_estimate(points: Sequence[dict[str, Any]], run: SweepRun) -> SweepEstimate:
    """The size and rough duration of a sweep. Per process: start-up 3 s and 6 s per coverage (20 km grid);
    per run 0.2 s plus 50 us per trial (benchmarks/run.py: 9 runs of 2,000 trials, 3 architectures, 2
    processes in 19 s; this model gives 22 s)."""
    coverages = len({tuple(str(p.get(k)) for k in COVERAGE_AXES) for p in points})
    processes = (
        1 if run.scheduler else min(run.workers or os.cpu_count() or 1, os.cpu_count() or 1, max(len(points), 1))
    )
    per_run = 0.2 + 5e-5 * run.trials
    seconds = 3.0 + 6.0 * coverages + len(points) * per_run / processes
    return SweepEstimate(len(points), coverages, processes, seconds)


def run_sweep(
    points: Sequence[dict[str, Any]],
    out: str | Path,
    run: SweepRun = SweepRun(),
    *,
    progress: Callable[[int, int], None] | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    memo: CoverageMemo | None = None,
) -> list[dict[str, Any]]:
    """Run every point not yet in ``out`` (a DuckDB file that must not exist unless ``run.resume``) and append
    each result as it finishes; return the file's runs, sorted by run key, as plain Python values
    (:func:`load_table`; :func:`read_sweep` gives a DataFrame). ``points`` (from :func:`grid`) all share the
    same parameter names; ``on_result`` is called with each stored row after it is committed (tests
    interrupt a sweep with it). ``memo``: coverages and plans already computed, for the runs made in this
    process (a study's; default: the process's own).
    """
    trials, seed, catalog_dir = run.trials, run.seed, run.catalog_dir
    trials = bounds.RUN_TRIALS.check("trials", trials)
    seed = bounds.SEED.check("seed", seed)
    if not points:
        raise BmdlabError("sweep: no runs to do")
    axes = list(points[0])
    if any(list(p) != axes for p in points):
        raise BmdlabError("sweep: every run must have the same parameters")
    for p in points:  # before the file exists: a bad point leaves none
        check_point(p)
    if len(points) > bounds.SWEEP_RUNS_UNASKED and not run.allow_large:
        raise BmdlabError(
            f"sweep: {sweep_estimate(points, run).text()}, more than {bounds.SWEEP_RUNS_UNASKED:,} runs; "
            "pass `allow_large` to run them all, or narrow the axes"
        )
    types = {a: axis_type(a) for a in axes}
    catalog_hash = run.catalog_hash
    if catalog_hash is None:
        catalog_hash = (builtin_catalog() if catalog_dir is None else load_catalog(catalog_dir)).hash
    definition = {
        "axes": axes,
        "points": [run_key(p) for p in points],
        "trials": trials,
        "seed": seed,
        "catalog": catalog_hash,
    }
    store = SweepStore(out, types, definition, run.resume)
    stored, client = 0, None
    try:
        client = _dask_client(run.scheduler) if run.scheduler else None  # before the first tick: one error line
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

        n = min(run.workers or os.cpu_count() or 1, os.cpu_count() or 1, max(len(todo), 1))  # at most the cores

        if client is None and (n == 1 or len(todo) <= 1):
            for p in todo:
                store_one(*_timed(p, trials, seed, catalog_dir, memo or _WORKER_MEMO))
        else:
            # Dask workers compute their own coverages (grouped: each once); a local pool gets them from here
            fractions = {} if client is not None else _coverages(todo, catalog_dir, memo, n)
            job = _Job(trials, seed, catalog_dir, fractions)
            if client is not None:
                _run_dask(client, _tasks(todo, run.grouped), job, store_one)
            else:
                _run_pool(_tasks(todo, run.grouped), n, job, store_one)
        return store.table()
    except BaseException:
        if stored == 0 and store.created:
            store.discard()  # a sweep that ran nothing leaves no file to block the same sweep again
            store = None
        raise
    finally:
        if client is not None:
            client.close()
        if store is not None:
            store.close()


def run_points(
    points: Sequence[dict[str, Any]],
    out: str | Path | None,
    run: SweepRun = SweepRun(),
    *,
    progress: Callable[[int, int], None] | None = None,
    memo: CoverageMemo | None = None,
) -> list[dict[str, Any]]:
    """Run an explicit list of points (a sampler's, not a grid) as a sweep: each distinct point once, on the
    same pool or Dask scheduler, stored in ``out`` as it finishes and resumed with ``run.resume``
    (:func:`run_sweep`); return one stored row per given point, in the given order (a point given twice gets
    its one row twice). ``out=None`` keeps the runs in a temporary file, deleted when they are done. Every point
    has the same parameter names. ``progress(done, total)`` counts distinct points.
    """
    if not points:
        raise BmdlabError("sweep: no runs to do")
    unique = list({run_key(p): p for p in points}.values())
    if out is None:
        with tempfile.TemporaryDirectory(prefix="bmdlab-runs-") as folder:
            rows = run_sweep(unique, Path(folder) / "runs.duckdb", run, progress=progress, memo=memo)
    else:
        rows = run_sweep(unique, out, run, progress=progress, memo=memo)
    by_key = {r["run_key"]: r for r in rows}
    return [by_key[run_key(p)] for p in points]


def _tasks(todo: Sequence[dict[str, Any]], grouped: bool) -> list[list[dict[str, Any]]]:
    """The runs as tasks for a pool or Dask: one run each, or (``grouped``) the runs that share a coverage and
    a raid plan (the same :data:`COVERAGE_AXES` values) together, the largest group first, so that each plan is
    computed by one worker only and the last tasks to finish are short ones."""
    if not grouped:
        return [[p] for p in todo]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for p in todo:
        groups.setdefault(tuple(str(p.get(k)) for k in COVERAGE_AXES), []).append(p)
    return sorted(groups.values(), key=len, reverse=True)


@dataclass(frozen=True)
class _Job:
    """What every task of a pool or Dask shares: the runs' settings and the coverage fractions computed
    beforehand for a local pool (:func:`_coverages`), which the worker adds to its memo."""

    trials: int
    seed: int
    catalog_dir: str | None
    fractions: dict[tuple[str, ...], tuple[float, float]]


def _coverages(
    todo: Sequence[dict[str, Any]], catalog_dir: str | None, memo: CoverageMemo | None, workers: int
) -> dict[tuple[str, ...], tuple[float, float]]:
    """The coverage fractions every run of ``todo`` needs, computed here in one pass over the threats for all the
    architectures and engagement models (:meth:`CoverageMemo.fill`, on ``workers`` processes) and handed to
    the workers, which would otherwise each compute every one they meet, one pass each. Measured on an idle 2-core
    machine, the 16 engagement models of japan-2017-aegis-ashore's uncertainty analysis: 1.39 s each alone, 11.6 s
    for all in one pass on one process, 5.3 s on two; its Morris analysis (10 trajectories, 500 trials, two
    processes) in 13.4-14.2 s with this and 17.6 s without."""
    catalog = builtin_catalog() if catalog_dir is None else load_catalog(catalog_dir)
    memo = memo or CoverageMemo()
    firsts = {tuple(str(p.get(k)) for k in COVERAGE_AXES): p for p in todo}
    memo.fill([point_setup(check_point(p), catalog) for p in firsts.values()], workers=workers)
    return dict(memo.fractions)


def _timed_all(points: Sequence[dict[str, Any]], job: _Job) -> list[tuple[dict[str, Any], dict[str, float], float]]:
    """One task of a pool or Dask: its runs in turn, on the worker's memo."""
    _WORKER_MEMO.fractions.update(job.fractions)
    return [_timed(p, job.trials, job.seed, job.catalog_dir) for p in points]


def _run_pool(tasks: Sequence[Sequence[dict[str, Any]]], n: int, job: _Job, store_one) -> None:
    """The tasks on ``n`` fresh local processes (spawned, each told to stop with its parent), each run stored as
    its task finishes."""
    with ProcessPoolExecutor(
        max_workers=n,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futs = [pool.submit(_timed_all, t, job) for t in tasks]
        try:
            for f in as_completed(futs):
                for result in f.result():
                    store_one(*result)
        except BaseException:
            for f in futs:
                f.cancel()
            raise


def _dask_client(address: str) -> Any:
    """A client of the Dask scheduler at ``address``, or a one-line error."""
    try:
        # lazy: Dask is an optional dependency (bmdlab[dask]), loaded only for a remote scheduler
        from distributed import Client
    except ImportError:
        raise BmdlabError("scheduler needs Dask: pip install 'bmdlab[dask]'") from None
    try:
        return Client(address, timeout="5s")
    except Exception as exc:  # OSError / TimeoutError / ValueError (not an address) from distributed
        raise BmdlabError(f"scheduler: cannot reach a Dask scheduler at '{address}' ({type(exc).__name__})") from None


def _run_dask(client: Any, tasks: Iterable[Sequence[dict[str, Any]]], job: _Job, store_one) -> None:
    """The tasks on a Dask scheduler's workers, each run stored as its task finishes."""
    # lazy: Dask is an optional dependency (bmdlab[dask]), loaded only for a remote scheduler
    from distributed import as_completed as dask_completed

    futs = [client.submit(_timed_all, t, job, pure=False) for t in tasks]
    for f in dask_completed(futs):
        for result in f.result():
            store_one(*result)


@dataclass(frozen=True)
class SweepRow:
    """One stored run of a sweep: its parameters (the axes) and its metrics."""

    point: dict[str, Any]  #: axis name -> the value stored
    expected_leakers: float
    p_zero_leakers: float
    expected_surviving_value_fraction: float
    interceptors_expended: float
    cost_total_jpy: int
    jpy_per_surviving_value_point: float
    defended_land_fraction: float
    defended_population_fraction: float
    price_year: int
    seed: int

    @classmethod
    def of(cls, row: dict[str, Any]) -> SweepRow:
        """A row of :func:`load_table` (the file's columns)."""
        fixed = {f for f in cls.__dataclass_fields__ if f != "point"}
        extra = {"run_key", "seconds", "bmdlab_version", "finished_at"}
        return cls(point={k: v for k, v in row.items() if k not in fixed | extra}, **{k: row[k] for k in fixed})

    def axis_values(self, axes: tuple[str, ...] | list[str]) -> list[Any]:
        return [self.point[a] for a in axes]


def load_table(path: str | Path) -> list[dict[str, Any]]:
    """A sweep file's runs as plain Python values, sorted by run key (``finished_at`` left out)."""
    con = _open_sweep(path)
    try:
        return _rows(con)
    finally:
        con.close()


def read_sweep(path: str | Path) -> pd.DataFrame:
    """A sweep file's runs as a DataFrame, one typed column per axis, metric and provenance field.

    Columns and dtypes follow the file (:func:`axis_type`): ``BIGINT`` -> ``int64``, ``DOUBLE`` ->
    ``float64``, ``BOOLEAN`` -> ``bool``, ``VARCHAR`` -> a string dtype, ``TIMESTAMP`` ->
    ``datetime64``; an axis column holding a missing value (a ``None`` in the grid) gets pandas'
    nullable dtype instead (``Int64``, ``boolean``). Rows are sorted by run key. The file's ``meta``
    row (schema version, bmdlab version, catalog hash, trials, seed, creation time as ISO text, UTC)
    is in ``frame.attrs["sweep"]``.

    Raises
    ------
    BmdlabError
        One line when ``path`` is missing or not a sweep file this bmdlab reads (:func:`check_sweep_file`).
    """
    con = _open_sweep(path)
    try:
        frame = con.sql(f"select * from {TABLE} order by run_key").df()
        cur = con.execute("select * exclude (definition) from meta")
        meta = dict(zip([d[0] for d in cur.description], cur.fetchone()))
    finally:
        con.close()
    meta["created_at"] = meta["created_at"].isoformat()  # attrs stay JSON (pandas writes them into Parquet)
    frame.attrs["sweep"] = meta
    return frame


def _open_sweep(path: str | Path):
    path = Path(path)
    if not path.is_file():
        raise BmdlabError(f"{path}: no such sweep file")
    check_sweep_file(path)
    return duckdb.connect(str(path), read_only=True)


__all__ = [
    "SCHEMA_VERSION",
    "SweepStore",
    "axis_type",
    "check_sweep_file",
    "grid",
    "load_table",
    "parse_axis",
    "read_sweep",
    "run_key",
    "run_points",
    "SweepRow",
    "SweepRun",
    "run_sweep",
]
