"""Bad input files (#10): each case is refused with one line and exit 2, never a traceback or a silent answer."""

import json
import os
import re
import time
from importlib import resources

import pytest
import yaml
from typer.testing import CliRunner

from bmdlab.cli import app
from conftest import changed_catalog
from conftest import time_limit as deadline

runner = CliRunner()
BASELINE = resources.files("bmdlab") / "scenarios" / "japan-2017-baseline.yaml"


def refused(res, *fragments):
    """Exit 2 with exactly one non-empty output line, starting ``error:`` and holding every fragment; the line."""
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in res.output, res.output
    for f in fragments:
        assert f in res.output, res.output
    return lines[0]


def test_duplicate_keys_in_a_scenario(tmp_path):
    text = BASELINE.read_text(encoding="utf-8")
    arch = text[text.index("architecture:") : text.index("threat:")]
    p = tmp_path / "dup.yaml"
    p.write_text(text + "\n" + arch)  # a second architecture: would silently replace the first
    refused(runner.invoke(app, ["coverage", str(p)]), "duplicate key 'architecture'")


def test_duplicate_entry_in_the_catalog(catalog_copy):
    cdir = catalog_copy
    text = (cdir / "missiles.yaml").read_text(encoding="utf-8")
    nodong = text[text.index("  nodong:") : text.index("  musudan:")]
    (cdir / "missiles.yaml").write_text(text + "\n" + nodong, encoding="utf-8")
    refused(runner.invoke(app, ["--catalog", str(cdir), "catalog", "show", "nodong"]), "duplicate key 'nodong'")


def test_non_finite_catalog_value(catalog_with):
    cdir = catalog_with("interceptors.yaml", "interceptors", "thaad", "burnout_speed", value=float("nan"))
    refused(runner.invoke(app, ["--catalog", str(cdir), "catalog", "show", "thaad"]), "must be a finite number")


@pytest.mark.parametrize("field,value", [("launch_spread_s", float("inf")), ("launch_spread_s", float("nan"))])
def test_non_finite_scenario_numbers(tmp_path, field, value):
    d = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    d["raid"]["salvos"][0][field] = value
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d))
    refused(runner.invoke(app, ["raid", str(p), "--trials", "10"]), f"raid.salvos.0.{field}", "finite")


def test_latitude_out_of_range_names_the_field(tmp_path):
    d = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    d["architecture"]["units"][0]["at"] = {"lat": 91, "lon": 135}
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d))
    refused(
        runner.invoke(app, ["coverage", str(p)]),
        f"architecture.units[0] ({d['architecture']['units'][0]['name']}).at.lat: 91 ",  # the unit by its name
        "90",
    )


def test_non_utf8_and_deep_yaml(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes("name: Tōkyō\n".encode("latin-1", errors="replace") + b"\xff\n")
    refused(runner.invoke(app, ["coverage", str(p)]), "not UTF-8")
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n")
    refused(runner.invoke(app, ["coverage", str(p)]), "nested deeper than")


def test_wta_inputs_that_are_not_instances(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refused(runner.invoke(app, ["wta", str(fifo)]), "not a regular file")  # would block forever if opened
    refused(runner.invoke(app, ["wta", "/dev/zero"]), "not a regular file")  # would eat memory if read
    refused(runner.invoke(app, ["wta", str(tmp_path)]), "is a folder")
    p = tmp_path / "deep.json"
    p.write_text("[" * 5000 + "]" * 5000)
    refused(runner.invoke(app, ["wta", str(p)]), "nested too deeply")
    p = tmp_path / "big.json"
    p.write_text('{"values": [1' + "0" * 400 + '], "kill_probability": [[0.5]]}')
    refused(runner.invoke(app, ["wta", str(p)]), "values must be finite numbers")
    p = tmp_path / "k3.json"
    p.write_text('{"values": [1, 2], "kill_probability": [[[0.5], [0.2]]]}')
    refused(runner.invoke(app, ["wta", str(p)]), "kill_probability must be a 2-D list")


def _raid_scenario(tmp_path, **raid):
    d = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    d["raid"].update(raid)
    p = tmp_path / "r.yaml"
    p.write_text(yaml.safe_dump(d))
    return str(p)


def test_raid_assets_and_sizes(tmp_path):
    a = {"name": "Base", "lat": 35.0, "lon": 139.0, "value": 1.0}
    refused(
        runner.invoke(app, ["raid", _raid_scenario(tmp_path, assets=[a, dict(a, lat=34.0)]), "--trials", "10"]),
        "asset name 'Base' is used twice",
    )
    refused(runner.invoke(app, ["raid", _raid_scenario(tmp_path, assets=[]), "--trials", "10"]), "assets is empty")
    big = [
        {"count": 3000, "missile": "nodong", "launch_area": "sunan"},
        {"count": 3000, "missile": "nodong", "launch_area": "wonsan"},
    ]
    refused(runner.invoke(app, ["raid", _raid_scenario(tmp_path, salvos=big), "--trials", "10"]), "at most 5,000")


def test_sweep_counts_must_be_whole_numbers(tmp_path):
    refused(
        runner.invoke(app, ["sweep", "--axis", "missiles=10.7", "--out", str(tmp_path / "s.duckdb")]),
        "--axis: missiles: 10.7 must be a whole number from 0 to 5000",
    )
    assert not (tmp_path / "s.duckdb").exists()


def test_json_output_is_strict():
    """NaN and infinity are not JSON (RFC 8259): they become null, listed under non_finite_as_null."""
    import json

    from bmdlab.io import json_text

    text = json_text({"x": float("nan"), "y": [1.0, float("-inf")]})
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"x": None, "y": [1.0, None], "non_finite_as_null": ["x", "y[1]"]}


# ------------------------------------------------------------------------------------------------
# The remaining concrete cases of #10 (the study's --out rules and an output path that is a folder for
# --map and a sweep's --out are in tests/test_io.py; --resume at the API level in tests/sensitivity).


def _catalog_with(tmp_path, fname, kind, key, field, **change):
    """A copy of the built-in catalog with one value's fields changed (tests/conftest.py)."""
    return changed_catalog(tmp_path, fname, kind, key, field, **change)


PLACEHOLDER = 987654321  # written in place of a value, then replaced by the YAML literal under test


def _catalog_literal(tmp_path, fname, kind, key, field, literal):
    """A copy of the built-in catalog with one value written as a YAML literal (``.inf``, 400 digits ...)."""
    cdir = _catalog_with(tmp_path, fname, kind, key, field, value=PLACEHOLDER)
    text = (cdir / fname).read_text(encoding="utf-8")
    assert text.count(str(PLACEHOLDER)) == 1
    (cdir / fname).write_text(text.replace(str(PLACEHOLDER), literal), encoding="utf-8")
    return cdir


def _scenario(tmp_path, change):
    d = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    change(d)
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return str(p)


@pytest.mark.parametrize(
    "fname,kind,key,field,change",
    [
        ("missiles.yaml", "missiles", "nodong", "burn_time", {"unit": "km"}),  # a time given as a length
        ("interceptors.yaml", "interceptors", "thaad", "burnout_speed", {"unit": "km"}),  # a speed given as a length
        ("interceptors.yaml", "interceptors", "thaad", "burn_time", {"unit": "m/s"}),
        ("missiles.yaml", "missiles", "nodong", "range", {"unit": "s"}),
    ],
    ids=["burn-time-in-km", "burnout-speed-in-km", "burn-time-in-m/s", "range-in-s"],
)
def test_catalog_value_of_the_wrong_dimension(tmp_path, fname, kind, key, field, change):
    cdir = _catalog_with(tmp_path, fname, kind, key, field, **change)
    refused(runner.invoke(app, ["--catalog", str(cdir), "catalog", "show", key]), key, field)


def test_catalog_speed_in_m_per_s_is_fine(tmp_path):
    cdir = _catalog_with(
        tmp_path, "interceptors.yaml", "interceptors", "thaad", "burnout_speed", value=2800, unit="m/s"
    )
    res = runner.invoke(app, ["--catalog", str(cdir), "catalog", "show", "thaad", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["burnout_speed"]["value"] == 2800


@pytest.mark.parametrize("value", [-8, 7.5, 0.5])
def test_catalog_magazine_must_be_a_whole_non_negative_count(tmp_path, value):
    cdir = _catalog_with(tmp_path, "units.yaml", "units", "kongo-class", "magazine", value=value)
    refused(runner.invoke(app, ["--catalog", str(cdir), "catalog", "show", "kongo-class"]), "kongo-class", "magazine")


@pytest.mark.parametrize(
    "literal", [".inf", "-.inf", ".NaN", "1" + "0" * 400], ids=["inf", "-inf", "nan", "400-digits"]
)
def test_catalog_literal_non_finite_or_huge_number(tmp_path, literal):
    cdir = _catalog_literal(tmp_path, "units.yaml", "units", "kongo-class", "magazine", literal)
    refused(runner.invoke(app, ["--catalog", str(cdir), "catalog", "show", "kongo-class"]), "kongo-class", "magazine")


def test_asset_value_infinite(tmp_path):
    p = _scenario(
        tmp_path, lambda d: d["raid"].update(assets=[{"name": "A", "lat": 35.7, "lon": 139.7, "value": float("inf")}])
    )
    refused(runner.invoke(app, ["raid", p, "--trials", "10"]), "raid.assets.0.value")


def test_asset_values_whose_sum_overflows(tmp_path):
    """Two assets of value 1e308: their sum is infinite. Refused, or answered with finite numbers (weights normalised)."""
    a = [
        {"name": "A", "lat": 35.7, "lon": 139.7, "value": 1e308},
        {"name": "B", "lat": 34.7, "lon": 135.5, "value": 1e308},
    ]
    p = _scenario(tmp_path, lambda d: d["raid"].update(assets=a))
    res = runner.invoke(app, ["raid", p, "--trials", "10", "--missiles", "10", "--json"])
    if res.exit_code == 2:
        refused(res, "value")
        return
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert "non_finite_as_null" not in out, out["non_finite_as_null"]
    assert 0.0 <= out["expected_surviving_value_fraction"] <= 1.0


@pytest.mark.parametrize(
    "command",
    [["coverage", "--resolution-km", "100"], ["raid", "--trials", "10"], ["cost"]],
    ids=["coverage", "raid", "cost"],
)
@pytest.mark.parametrize("shape", ["lofted", "depressed"])
def test_scenario_trajectory_shape_impossible(tmp_path, command, shape):
    """Apogee 1e9 km: `bmdlab trajectory` refuses it, so must a scenario (at load, whatever the command)."""
    traj = runner.invoke(
        app,
        [
            "trajectory",
            "--missile",
            "nodong",
            "--from",
            "sunan",
            "--range-km",
            "1000",
            "--azimuth-deg",
            "90",
            "--shape",
            shape,
            "--apogee-km",
            "1e9",
        ],
    )
    refused(traj, "apogee")
    threat = {"missiles": ["nodong"], "launch_areas": ["sunan"], "shapes": [{"shape": shape, "apogee_km": 1e9}]}
    p = _scenario(tmp_path, lambda d: d.update(threat=threat))
    refused(runner.invoke(app, [command[0], p, *command[1:]]), "threat.shapes.0", "apogee")


@pytest.mark.parametrize("count", [100_000, 1_000_000, int("1" + "0" * 400)], ids=["1e5", "1e6", "400-digits"])
def test_salvo_count_too_large(tmp_path, count):
    p = _scenario(tmp_path, lambda d: d["raid"]["salvos"][0].update(count=count))
    with deadline(30):
        refused(runner.invoke(app, ["raid", p, "--trials", "10"]), "raid.salvos.0.count")


@pytest.mark.parametrize("field", ["launch_spread_s", "count"])
def test_scenario_400_digit_number(tmp_path, field):
    p = _scenario(tmp_path, lambda d: d["raid"]["salvos"][0].update({field: PLACEHOLDER}))
    text = open(p, encoding="utf-8").read()
    assert text.count(str(PLACEHOLDER)) == 1
    open(p, "w", encoding="utf-8").write(text.replace(str(PLACEHOLDER), "1" + "0" * 400))
    refused(runner.invoke(app, ["raid", p, "--trials", "10"]), f"raid.salvos.0.{field}")


@pytest.mark.parametrize("where", ["unit_cost", "interceptor_cost"])
def test_infinite_price_in_a_scenario(tmp_path, where):
    key = "aegis-ashore" if where == "unit_cost" else "sm-3-iia"
    price = {"value": float("inf"), "currency": "JPY", "price_year": 2017}
    p = _scenario(tmp_path, lambda d: d.update(cost={where: {key: price}}))
    refused(runner.invoke(app, ["cost", p]), f"cost.{where}.{key}.value")


@pytest.mark.parametrize("budget", ["inf", "-inf", "nan", "1e400"])
def test_infinite_budget(budget):
    with deadline(30):
        refused(
            runner.invoke(app, ["tradeoff", "--budget-jpy", budget, "--trials", "2", "--resolution-km", "200"]),
            "--budget-jpy",
        )


def test_infinite_price_in_the_catalog(tmp_path):
    cdir = _catalog_literal(tmp_path, "units.yaml", "units", "aegis-ashore", "unit_cost", ".inf")
    refused(
        runner.invoke(app, ["--catalog", str(cdir), "cost", "japan-2017-aegis-ashore"]), "aegis-ashore", "unit_cost"
    )


@pytest.mark.parametrize(
    "make_args",
    [
        lambda d: ["trajectory", "--from", "sunan", "--to", "wonsan", "--plot", str(d)],
        lambda d: ["wta", "--random", "3x3", "--save", str(d)],
        lambda d: ["check-footprints", "--markdown", str(d)],
        lambda d: ["site", "thaad-battery", "--count", "1", "--map", str(d)],
        lambda d: ["tradeoff", "--plot", str(d)],
        lambda d: ["tornado", "--plot", str(d)],
    ],
    ids=["trajectory-plot", "wta-save", "check-footprints-markdown", "site-map", "tradeoff-plot", "tornado-plot"],
)
def test_output_path_that_is_a_folder(tmp_path, make_args):
    folder = tmp_path / "out.png"  # a folder with a file's name (and the .png the plots ask for)
    folder.mkdir()
    t0 = time.perf_counter()
    with deadline(60):
        refused(runner.invoke(app, make_args(folder)), "is a folder")
    assert time.perf_counter() - t0 < 20, "refused only after the work"
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
@pytest.mark.parametrize(
    "make_args",
    [
        lambda d: ["trajectory", "--from", "sunan", "--to", "wonsan", "--plot", str(d / "p.png")],
        lambda d: ["wta", "--random", "3x3", "--save", str(d / "i.json")],
        lambda d: ["sweep", "--axis", "missiles=5", "--out", str(d / "s.duckdb")],
        lambda d: ["coverage", "japan-2017-baseline", "--map", str(d / "m.png")],
    ],
    ids=["trajectory-plot", "wta-save", "sweep-out", "coverage-map"],
)
def test_output_path_in_a_read_only_folder(tmp_path, make_args):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with deadline(60):
            refused(runner.invoke(app, make_args(ro)), "not writable")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def _raid_memory_option():
    res = runner.invoke(app, ["raid", "--help"], terminal_width=200)
    m = re.search(r"--memory-budget[\w-]*", res.output)
    return m.group(0) if m else None


def test_raid_too_large_for_the_memory_budget_is_refused_up_front():
    option = _raid_memory_option()
    if option is None:
        pytest.skip("bmdlab raid has no --memory-budget option yet")
    value = {"--memory-budget-gib": "0.01", "--memory-budget-mib": "10"}.get(option, "0.01")
    t0 = time.perf_counter()
    with deadline(60):
        res = runner.invoke(
            app, ["raid", "japan-2017-baseline", "--missiles", "5000", "--trials", "10000000", option, value]
        )
    refused(res, "memory")
    assert time.perf_counter() - t0 < 30, "refused only after the work"


def test_sweep_resume_on_a_foreign_duckdb_file(tmp_path, foreign_duckdb):
    """The CLI path of tests/sensitivity/test_sweep.py::test_resume_refuses_a_database_bmdlab_did_not_create."""
    foreign, before = foreign_duckdb
    res = runner.invoke(
        app, ["sweep", "--axis", "missiles=5", "--trials", "10", "--workers", "1", "--out", str(foreign), "--resume"]
    )
    refused(res, "is not a bmdlab sweep file")
    assert foreign.read_bytes() == before


def test_sweep_workers_are_capped_at_the_cores(tmp_path, monkeypatch):
    """--workers 256 starts at most os.cpu_count() processes (here: records the pool size, runs in threads)."""
    from concurrent.futures import ThreadPoolExecutor

    from bmdlab.sensitivity import sweep as sw

    sizes = []

    class RecordingPool(ThreadPoolExecutor):
        def __init__(self, max_workers=None, mp_context=None, initializer=None, initargs=()):
            sizes.append(max_workers)
            super().__init__(max_workers=1)

    monkeypatch.setattr(sw, "ProcessPoolExecutor", RecordingPool)
    res = runner.invoke(
        app,
        [
            "sweep",
            "--axis",
            "missiles=5,10",
            "--trials",
            "10",
            "--workers",
            "256",
            "--out",
            str(tmp_path / "s.duckdb"),
            "--json",
        ],
    )
    if res.exit_code == 2:  # refusing 256 outright is as good as capping it
        refused(res, "--workers")
        return
    assert res.exit_code == 0, res.output
    assert sizes and all(n <= (os.cpu_count() or 1) for n in sizes), sizes


def test_wta_fifo_and_device_answer_without_blocking(tmp_path):
    """As test_wta_inputs_that_are_not_instances, under a deadline: a FIFO opened for reading blocks for ever."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    t0 = time.perf_counter()
    with deadline(20):
        refused(runner.invoke(app, ["wta", str(fifo)]), "not a regular file")
        refused(runner.invoke(app, ["wta", "/dev/zero"]), "not a regular file")
    assert time.perf_counter() - t0 < 10


# ------------------------------------------------------------- options that would silently replace each other (#22)
@pytest.mark.parametrize(
    "args,fragments",
    [
        (["analytic", "--missiles", "10", "--missiles", "20"], ["--missiles: given twice (10 and 20)"]),
        (["analytic", "--missiles", "10", "--json", "--json"], ["--json: given twice"]),
        (["--catalog", "a", "--catalog", "b", "catalog", "list"], ["--catalog: given twice"]),
        (["catalog", "list", "--kind", "missiles", "--kind", "sensors"], ["--kind: given twice"]),
        (["check-footprints", "--case", "x", "--case", "x"], ["--case: 'x' is given twice"]),
        (["raid", "japan-2017-thaad", "--set", "sspk=0.8", "--set", "sspk=0.9"], ["--set: 'sspk' is given twice"]),
        (
            ["sweep", "--axis", "missiles=5", "--axis", "missiles=10", "--out", "x"],
            ["--axis: 'missiles' is given twice"],
        ),
        (
            ["campaign", "japan-2017-baseline", "--reserve", "sm-3-ia=5", "--reserve", "sm-3-ia=7"],
            ["--reserve: ", "'sm-3-ia' is given twice"],
        ),
    ],
)
def test_an_option_given_twice_is_refused(args, fragments):
    refused(runner.invoke(app, args), *fragments)


@pytest.mark.parametrize("limits", [",", "", "crossing,", "crossing,,track-rcs"])
def test_limits_with_an_empty_item_are_refused(limits):
    """``--limits ,`` once ran with no limits at all: an empty item is refused, not dropped."""
    args = ["footprint", "thaad-battery", "--at", "36.0,137.0", "--missile", "nodong", "--launch", "sunan"]
    refused(runner.invoke(app, [*args, "--limits", limits]), "--limits: ", "empty item")
    refused(
        runner.invoke(app, ["raid", "japan-2017-thaad", "--set", f"limits={limits}"]), "--limits: ", "empty item"
    )  # named as every --set parameter is, by its option (`--set common_mode=2` -> `--common-mode: ...`)


# ------------------------------------------------------------------------------------- sweep axes and size (#22)
@pytest.mark.parametrize(
    "axis,fragments",
    [
        ("missiles=1e2", ["--axis", "missiles", "without a decimal point or exponent"]),
        ("missiles=100.0", ["--axis", "missiles", "without a decimal point or exponent"]),
        ("missiles=10,10", ["--axis missiles: 10 is given twice"]),
        ("missiles=10,,20", ["--axis: ", "empty value"]),
    ],
)
def test_sweep_axis_values_are_strict(tmp_path, axis, fragments):
    out = tmp_path / "s.duckdb"
    refused(runner.invoke(app, ["sweep", "--axis", axis, "--out", str(out)]), *fragments)
    assert list(tmp_path.iterdir()) == []


#: 51 x 20 = 1,020 runs: more than a sweep may have without --yes.
LARGE = ["--axis", "missiles=" + ",".join(map(str, range(1, 52))), "--axis", "decoys=" + ",".join(map(str, range(20)))]


def test_a_large_sweep_needs_yes(tmp_path, monkeypatch):
    out = tmp_path / "s.duckdb"
    line = refused(runner.invoke(app, ["sweep", *LARGE, "--out", str(out)]), "1,020 runs", "--yes")
    assert "allow_large" not in line and list(tmp_path.iterdir()) == []

    # with --yes, the estimate comes first (stderr), before the first run; the runs are stubbed here
    import bmdlab.api.analysis as analysis
    from bmdlab.errors import BmdlabError

    def runs(points, out, run, *, progress=None):
        assert run.allow_large and len(points) == 1020
        progress(0, len(points))
        raise BmdlabError("sweep: stopped by the test before its first run")

    monkeypatch.setattr(analysis, "run_sweep", runs)
    res = runner.invoke(app, ["sweep", *LARGE, "--out", str(out), "--yes"])
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert res.exit_code == 2 and lines[0].startswith("sweep: 1,020 runs (1 coverage) on "), res.output
    assert lines[-1] == "error: sweep: stopped by the test before its first run", res.output


def test_sweep_resume_of_a_missing_file_is_refused(tmp_path):
    out = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["sweep", "--axis", "missiles=5", "--out", str(out), "--resume"])
    refused(res, "--out: ", "does not exist", "--resume")
    assert not out.exists()
