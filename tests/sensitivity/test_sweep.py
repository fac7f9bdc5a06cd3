"""Sweeps: appended per run, resumable after an interruption, same table on Dask as locally, typed
columns that DuckDB itself and pandas read."""

import json
import shutil
import subprocess
import sys

import pytest

from bmdlab.errors import BmdlabError
from bmdlab.sensitivity.model import METRICS
from bmdlab.sensitivity.sweep import SweepRun, axis_type, grid, load_table, parse_axis, read_sweep, run_sweep

AXES = {"scenario": ["japan-2017-baseline"], "missiles": [10, 20, 30], "sspk_quantile": [0.2, 0.8]}
KW = {"trials": 200, "seed": 5, "workers": 1}


def _sweep(points, out, *, on_result=None, **run):
    """run_sweep with its run settings as keywords."""
    return run_sweep(points, out, SweepRun(**run), on_result=on_result)


def _strip(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


class Stop(Exception):
    pass


def test_interrupted_then_resumed_equals_uninterrupted(tmp_path):
    pts = grid(AXES)
    full = _sweep(pts, tmp_path / "full.duckdb", **KW)
    assert len(full) == 6
    seen = []

    def crash(row):
        seen.append(row)
        if len(seen) == 2:
            raise Stop

    with pytest.raises(Stop):
        _sweep(pts, tmp_path / "cut.duckdb", on_result=crash, **KW)
    assert len(load_table(tmp_path / "cut.duckdb")) == 2  # what finished was kept
    resumed = _sweep(pts, tmp_path / "cut.duckdb", resume=True, **KW)
    assert _strip(resumed) == _strip(full)


def test_existing_file_needs_resume_and_the_same_sweep(tmp_path):
    pts = grid({"scenario": ["japan-2017-baseline"], "missiles": [10]})
    _sweep(pts, tmp_path / "a.duckdb", **KW)
    with pytest.raises(BmdlabError, match="file exists; pass `resume`"):
        _sweep(pts, tmp_path / "a.duckdb", **KW)
    with pytest.raises(BmdlabError, match="holds a different sweep"):
        _sweep(grid({"scenario": ["japan-2017-baseline"], "missiles": [20]}), tmp_path / "a.duckdb", resume=True, **KW)


def test_axis_parsing_and_errors():
    assert parse_axis("missiles=50,100") == ("missiles", [50, 100])
    assert parse_axis("scenario=thaad") == ("scenario", ["thaad"])
    with pytest.raises(BmdlabError, match="must look like NAME=V1,V2"):
        parse_axis("missiles")
    with pytest.raises(BmdlabError, match="did you mean 'missiles'"):
        parse_axis("missile=5")
    with pytest.raises(BmdlabError, match="sweep axis: missiles: 'many' is not a number; give a whole number"):
        grid({"missiles": ["many"]})


def test_dask_local_cluster_on_loopback_gives_the_same_table(tmp_path):
    distributed = pytest.importorskip("distributed")
    pts = grid({"missiles": [10, 20], "sspk_quantile": [0.5]})
    local = _sweep(pts, tmp_path / "local.duckdb", **KW)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, host="127.0.0.1", protocol="tcp", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1")
        remote = _sweep(
            pts,
            tmp_path / "dask.duckdb",
            scheduler=cluster.scheduler_address,
            **{k: v for k, v in KW.items() if k != "workers"},
        )
    assert _strip(remote) == _strip(local)


def test_unreachable_scheduler_is_one_line(tmp_path):
    pytest.importorskip("distributed")
    with pytest.raises(BmdlabError, match="cannot reach a Dask scheduler"):
        _sweep(grid({"missiles": [10]}), tmp_path / "x.duckdb", scheduler="tcp://127.0.0.1:9", trials=10)


@pytest.mark.slow
def test_sweep_process_killed_midway_resumes_to_the_same_table(tmp_path):
    """SIGKILL (no clean-up at all) part-way through, then --resume: nothing lost, same table."""
    import signal
    import subprocess
    import sys
    import time

    args = [
        sys.executable,
        "-m",
        "bmdlab",
        "sweep",
        "--axis",
        "missiles=5,10,15,20,25,30,35,40",
        "--axis",
        "sspk_quantile=0.3,0.7",
        "--trials",
        "1500",
        "--workers",
        "1",
    ]
    # the uninterrupted sweep first: its duration sets when to kill the other one (machine-independent)
    t0 = time.perf_counter()
    subprocess.run(args + ["--out", str(tmp_path / "full.duckdb")], check=True, stdout=subprocess.DEVNULL)
    full_s = time.perf_counter() - t0
    cut = tmp_path / "cut.duckdb"
    # kill part-way. The runs come after a start-up (catalog, fly-out fans) and a clean-up, so a kill at
    # a given fraction of the full time may land after the last run: retry earlier until one is cut
    for fraction in (0.7, 0.55, 0.4, 0.3, 0.2, 0.1):
        for stale in (cut, cut.with_name(cut.name + ".wal")):
            stale.unlink(missing_ok=True)
        proc = subprocess.Popen(args + ["--out", str(cut)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(fraction * full_s)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kept = len(load_table(cut)) if cut.exists() else 0
        if not finished and kept < 16:
            break
    else:
        pytest.fail("the sweep always finished before it could be killed")
    assert kept < 16  # it was interrupted
    subprocess.run(args + ["--out", str(cut), "--resume"], check=True, stdout=subprocess.DEVNULL)
    assert _strip(load_table(cut)) == _strip(load_table(tmp_path / "full.duckdb"))


def test_resume_refuses_a_database_bmdlab_did_not_create(tmp_path, foreign_duckdb):
    """--resume on someone else's DuckDB file is refused before anything is written to it."""
    import duckdb

    foreign, before = foreign_duckdb
    with pytest.raises(BmdlabError, match="is not a bmdlab sweep file"):
        _sweep(grid({"missiles": [10]}), foreign, resume=True, **KW)
    assert foreign.read_bytes() == before
    con = duckdb.connect(str(foreign), read_only=True)
    assert {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()} == {"runs"}
    con.close()
    text = tmp_path / "notes.duckdb"
    text.write_text("my notes")
    with pytest.raises(BmdlabError, match="not a DuckDB sweep file .*not a valid DuckDB database file"):
        _sweep(grid({"missiles": [10]}), text, resume=True, **KW)
    assert text.read_text() == "my notes"


def test_a_sweep_that_ran_nothing_leaves_no_file(tmp_path, monkeypatch):
    """A sweep that fails before its first run stored leaves no file, so the same sweep can simply be rerun."""
    from bmdlab.sensitivity import sweep as sw

    def boom(*a, **k):
        raise RuntimeError("failed before any run")

    monkeypatch.setattr(sw, "_timed", boom)
    out = tmp_path / "s.duckdb"
    with pytest.raises(RuntimeError):
        _sweep(grid({"missiles": [10, 20]}), out, **KW)
    assert not out.exists() and not (tmp_path / "s.duckdb.wal").exists()


def test_killed_sweep_takes_its_workers_with_it(tmp_path):
    """SIGKILL of the sweep process: its pool workers are told to stop by the kernel (PR_SET_PDEATHSIG)."""
    import signal
    import subprocess
    import sys
    import time

    psutil = pytest.importorskip("psutil")
    args = [
        sys.executable,
        "-m",
        "bmdlab",
        "sweep",
        "--axis",
        "missiles=5,10,15,20,25,30",
        "--trials",
        "3000",
        "--workers",
        "2",
        "--out",
        str(tmp_path / "k.duckdb"),
    ]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.time() + 120
    kids = []
    while time.time() < deadline and proc.poll() is None:
        kids = [k for k in parent.children(recursive=True) if "spawn_main" in " ".join(k.cmdline())]
        if len(kids) >= 2:
            break
        time.sleep(0.2)
    time.sleep(2.0)  # let the workers start (a worker killed mid-start-up notices its parent is gone itself)
    if proc.poll() is not None or len(kids) < 2:
        pytest.skip("the sweep finished before its workers could be seen")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(kids, timeout=30)
    assert not alive, f"workers still running after their parent was killed: {[p.pid for p in alive]}"


# ------------------------------------------------------------------------------ the file's schema
TYPED_AXES = {"scenario": ["japan-2017-baseline"], "missiles": [10, 20], "sspk_quantile": [0.2, 0.8]}


@pytest.fixture(scope="module")
def typed_sweep(tmp_path_factory):
    """A small finished sweep over a name, a count and a number."""
    out = tmp_path_factory.mktemp("typed") / "sweep.duckdb"
    rows = _sweep(grid(TYPED_AXES), out, trials=50, seed=11, workers=1)
    return out, rows


def test_an_independent_reader_sees_typed_columns(typed_sweep):
    """DuckDB's own DESCRIBE, not bmdlab's reader: each column has its SQL type."""
    import duckdb

    from bmdlab import __version__
    from bmdlab.catalog import builtin_catalog

    out, _ = typed_sweep
    con = duckdb.connect(str(out), read_only=True)
    try:
        types = {r[0]: r[1] for r in con.execute("DESCRIBE runs").fetchall()}
        meta = con.execute("select schema_version, bmdlab_version, catalog_hash, trials, seed from meta").fetchall()
        # typed values: SQL arithmetic and comparisons work on them (JSON text would not sum)
        total, n_high = con.execute(
            "select sum(missiles), count(*) filter (where sspk_quantile > 0.5) from runs"
        ).fetchone()
    finally:
        con.close()
    assert types["missiles"] == "BIGINT"
    assert types["scenario"] == "VARCHAR"
    assert types["sspk_quantile"] == "DOUBLE"
    assert {m: types[m] for m in METRICS} == {m: "BIGINT" if m == "cost_total_jpy" else "DOUBLE" for m in METRICS}
    assert (types["price_year"], types["seed"], types["seconds"], types["run_key"]) == (
        "INTEGER",
        "BIGINT",
        "DOUBLE",
        "VARCHAR",
    )
    assert meta == [(2, __version__, builtin_catalog().hash, 50, 11)]
    assert (total, n_high) == (2 * (10 + 20), 2)


def test_the_recommended_duckdb_one_liner_runs(typed_sweep, tmp_path):
    """The command the README gives, in a fresh interpreter, in the folder of ``sweep.duckdb``."""
    out, _ = typed_sweep
    shutil.copy(out, tmp_path / "sweep.duckdb")
    cmd = "import duckdb; print(duckdb.connect('sweep.duckdb', read_only=True).sql('select * from runs'))"
    res = subprocess.run([sys.executable, "-c", cmd], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "missiles" in res.stdout and "japan-2017-baseline" in res.stdout and "4 rows" in res.stdout


def test_read_sweep_gives_a_typed_frame_with_provenance(typed_sweep):
    import pandas as pd

    out, rows = typed_sweep
    df = read_sweep(out)
    assert len(df) == 4
    assert df["missiles"].dtype == "int64"
    assert pd.api.types.is_string_dtype(df["scenario"])
    assert df["sspk_quantile"].dtype == "float64"
    assert all(df[m].dtype == ("int64" if m == "cost_total_jpy" else "float64") for m in METRICS)
    assert df["seed"].dtype == "int64" and (df["seed"] == 11).all()
    assert sorted(zip(df["missiles"], df["sspk_quantile"])) == [(10, 0.2), (10, 0.8), (20, 0.2), (20, 0.8)]
    assert df.attrs["sweep"]["trials"] == 50 and df.attrs["sweep"]["schema_version"] == 2
    # the frame and the rows run_sweep returned are the same table
    assert df.drop(columns="finished_at").to_dict("records") == rows


def test_on_off_axes_are_booleans_and_costs_whole_yen(tmp_path, monkeypatch):
    """Storage only (the model is replaced by a stub): on/off -> BOOLEAN, the cost rounded to whole yen."""
    import duckdb

    from bmdlab.sensitivity import sweep as sw

    def stub(point, *, trials, seed, catalog_dir, memo):
        return {**{m: 0.5 for m in METRICS}, "cost_total_jpy": 1234.6, "price_year": 2017}

    monkeypatch.setattr(sw, "evaluate", stub)
    out = tmp_path / "b.duckdb"
    rows = _sweep(grid({"limit_crossing": ["on", "off"], "flyout": ["physical"]}), out, **KW)
    assert sorted((r["limit_crossing"], r["cost_total_jpy"], r["price_year"]) for r in rows) == [
        (False, 1235, 2017),
        (True, 1235, 2017),
    ]
    con = duckdb.connect(str(out), read_only=True)
    types = {r[0]: r[1] for r in con.execute("DESCRIBE runs").fetchall()}
    con.close()
    assert (types["limit_crossing"], types["flyout"]) == ("BOOLEAN", "VARCHAR")
    assert read_sweep(out)["limit_crossing"].dtype == "bool"


def test_axis_types_follow_the_parameter_not_how_its_values_were_typed():
    assert parse_axis("sspk_quantile=0,1")[1] == [0, 1]  # parsed as ints ...
    assert axis_type("sspk_quantile") == "DOUBLE"  # ... but a quantile is a real number
    assert axis_type("missiles") == "BIGINT"
    assert axis_type("limit_crossing") == "BOOLEAN"
    assert axis_type("flyout") == "VARCHAR"
    assert axis_type("scenario") == "VARCHAR"


def _old_format_file(path):
    """A sweep file as bmdlab wrote it before typed columns: axis values as JSON text, no schema_version."""
    import duckdb

    points = [{"missiles": 10}]
    definition = {
        "axes": ["missiles"],
        "points": [json.dumps(p, sort_keys=True) for p in points],
        "trials": 200,
        "seed": 5,
        "catalog": "",
    }
    con = duckdb.connect(str(path))
    con.execute("create table meta (definition VARCHAR)")
    con.execute("insert into meta values (?)", [json.dumps(definition, sort_keys=True)])
    metrics = ", ".join(f'"{m}" DOUBLE' for m in METRICS)
    con.execute(
        f'create table runs (run_key VARCHAR PRIMARY KEY, "missiles" VARCHAR, {metrics}, seed UBIGINT, '
        "seconds DOUBLE, finished_at TIMESTAMP DEFAULT current_timestamp)"
    )
    con.execute(
        f"insert into runs values (?, ?, {', '.join('?' * len(METRICS))}, 5, 0.1, default)",
        [json.dumps(points[0], sort_keys=True), json.dumps(10)] + [0.0] * len(METRICS),
    )
    con.close()
    return path


def test_an_old_json_text_sweep_file_is_refused_in_one_line(tmp_path):
    old = _old_format_file(tmp_path / "old.duckdb")
    before = old.read_bytes()
    for call in (
        lambda: _sweep(grid({"missiles": [10]}), old, resume=True, **KW),
        lambda: read_sweep(old),
        lambda: load_table(old),
    ):
        with pytest.raises(BmdlabError) as err:
            call()
        msg = str(err.value)
        assert "\n" not in msg
        assert msg.startswith(f"out: '{old}' is a sweep file from an older bmdlab")
        assert "start a new sweep in a new out file" in msg
    assert old.read_bytes() == before  # refused without writing to it
