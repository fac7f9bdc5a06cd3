"""The command line fits the terminal and scripts (issue #26, item 5): `--json` on every command that prints a
result, one option name per export kind, the scenario always the first argument, grouped help, old option
spellings kept as hidden aliases, tables that never cut a name."""

from __future__ import annotations

import io
import json
import re

import pytest
import typer.main
from rich.console import Console
from typer.testing import CliRunner

from bmdlab.api import scenario_rows
from bmdlab.catalog import builtin_catalog
from bmdlab.cli import _app, app

runner = CliRunner()

#: Commands without --json: `serve` runs a web server until Ctrl-C and prints only its address (no result).
NO_RESULT = {"serve"}

#: A cheap run of every command with --json (a new command without one fails the inventory below).
JSON_RUNS = {
    "trajectory": ["--from", "sunan", "--to", "osaka"],
    "footprint": ["pac-3-fire-unit", "--at", "35.69,139.75", "--missile", "nodong", "--launch", "sunan"],
    "check-footprints": ["--case", "pac-3-radius", "--resolution-km", "80"],
    "windows": ["--missile", "nodong", "--interceptor", "pac-3-mse"],
    "coverage": ["japan-2017-thaad", "--resolution-km", "80"],
    "site": ["thaad-battery", "--count", "1", "--resolution-km", "80", "--candidate-spacing-km", "200"],
    "rotation": ["japan-2017-baseline", "--resolution-km", "80", "--days", "2", "--step-h", "12"],
    "raid": ["japan-2017-thaad", "--trials", "200"],
    "analytic": ["--missiles", "5", "--sspk", "0.5", "--shots-per-missile", "2"],
    "wta": ["--random", "4x4"],
    "compare": ["japan-2017-baseline", "japan-2017-thaad", "--trials", "200"],
    "campaign": ["japan-2017-baseline", "--waves", "2", "--every-h", "6", "--missiles", "10", "--trials", "100"],
    "cost": ["japan-2017-thaad"],
    "tradeoff": ["--raid", "20", "--trials", "100", "--resolution-km", "80"],
    "tornado": ["japan-2017-thaad", "--missiles", "20", "--trials", "100"],
    "sweep": ["--axis", "missiles=10,20", "--trials", "100", "--workers", "1", "--out", "{tmp}/runs.duckdb"],
    "uncertainty": ["japan-2017-thaad", "--samples", "2", "--trials", "50", "--missiles", "20", "--workers", "1"],
    "study": None,  # minutes of work: its --json is checked below with the study replaced by a stand-in
    "catalog list": ["--kind", "missiles"],
    "catalog show": ["sm-3-iia"],
    "catalog check": [],
    "scenario list": [],
    "scenario show": ["japan-2017-thaad"],
    "scenario validate": ["japan-2017-thaad"],
    "scenario schema": [],
    "scenario overrides": [],
}
#: Runs of more than a few seconds.
SLOW = {"coverage", "site", "rotation", "tradeoff", "tornado", "sweep", "uncertainty", "check-footprints"}

#: Spellings no command may show: each export kind has one name (--layer, --table, --points).
RETIRED = {"--geojson", "--netcdf", "--cells", "--leakers", "--lines", "--csv", "--parquet", "--kml", "--czml"}


def _commands():
    """(command path, Click command) of every command of the app, groups walked."""
    out = []

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            out.append((" ".join(path), cmd))

    walk(typer.main.get_command(app), [])
    return out


COMMANDS = _commands()


def _visible_options(cmd):
    return [p for p in cmd.params if p.param_type_name == "option" and not p.hidden]


def test_every_command_that_prints_a_result_has_json_and_a_json_run_here():
    names = {name for name, _ in COMMANDS}
    assert names - NO_RESULT == set(JSON_RUNS), "give each new command --json and a run in JSON_RUNS"
    for name, cmd in COMMANDS:
        has = any("--json" in p.opts for p in _visible_options(cmd))
        assert has == (name not in NO_RESULT), name


@pytest.mark.parametrize("name", sorted(JSON_RUNS))
def test_every_commands_help_lists_json(name):
    res = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    assert "--json" in res.stdout


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in sorted(n for n in JSON_RUNS if JSON_RUNS[n])],
)
def test_every_commands_json_output_parses(name, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in JSON_RUNS[name]]
    res = runner.invoke(app, [*name.split(), *args, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)  # stdout is one JSON document and nothing else
    assert isinstance(out, dict) and out


def test_study_json_is_its_result(tmp_path, monkeypatch):
    """`study --json` prints the StudyResult's to_dict() (the study itself replaced by a stand-in that writes
    the same files: the real study takes minutes and has its own tests)."""
    from bmdlab.api import Analysis
    from bmdlab.api.results import StudyResult, make_provenance

    def fake_study(self, out, **kw):
        out.mkdir()
        (out / "report.html").write_text("<html></html>")
        (out / "results.json").write_text("{}")
        prov = make_provenance(self.catalog, None, 2017, study="japan-2017")
        return StudyResult(
            provenance=prov, out=str(out), report=str(out / "report.html"), results=str(out / "results.json")
        )

    monkeypatch.setattr(Analysis, "study", fake_study)
    res = runner.invoke(app, ["study", "japan-2017", "--out", str(tmp_path / "s"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["kind"] == "study" and out["report"] == str(tmp_path / "s" / "report.html")
    res = runner.invoke(app, ["study", "japan-2017", "--out", str(tmp_path / "t"), "--json", "--progress-events"])
    assert res.exit_code == 2 and res.stderr.startswith("error: --json: give --json or --progress-events")
    assert not (tmp_path / "t").exists()


def _kind(option) -> str | None:
    """The export kind an option writes, read from its help (independently of its name)."""
    text = (option.help or "").lower()
    if "map layer" in text or "geojson (polygons" in text or "netcdf" in text:
        return "layer"
    if "geojson points" in text:
        return "points"
    if ".csv" in text or ".parquet" in text:
        return "table"
    return None


def test_one_option_name_per_export_kind():
    names: dict[str, set[str]] = {}
    for cmd_name, cmd in COMMANDS:
        for p in _visible_options(cmd):
            assert not set(p.opts) & RETIRED, f"{cmd_name} {p.opts}: a retired spelling"
            kind = _kind(p)
            if kind is not None:
                names.setdefault(kind, set()).update(p.opts)
    assert names == {"layer": {"--layer"}, "table": {"--table"}, "points": {"--points"}}


def test_every_scenario_is_the_first_argument():
    """A command that takes one scenario takes it as its first argument, never as --scenario."""
    for name, cmd in COMMANDS:
        opts = {o for p in _visible_options(cmd) for o in p.opts}
        assert "--scenario" not in opts, name
        scenario = [p for p in cmd.params if p.name == "scenario"]
        if scenario:
            assert scenario[0].param_type_name == "argument" and cmd.params.index(scenario[0]) == 0, name


@pytest.mark.parametrize(
    "args, note",
    [
        (["cost", "japan-2017-thaad", "--lines", "{tmp}/c.csv"], "note: --lines is now --table"),
        (["raid", "japan-2017-thaad", "--trials", "100", "--leakers", "{tmp}/c.csv"], "note: --leakers is now --table"),
        (
            ["footprint", "pac-3-fire-unit", "--at", "35.69,139.75", "--missile", "nodong", "--launch", "sunan"]
            + ["--geojson", "{tmp}/c.geojson", "--netcdf={tmp}/c.nc"],
            "note: --geojson is now --layer\nnote: --netcdf is now --layer",
        ),
    ],
    ids=["cost --lines", "raid --leakers", "footprint --geojson --netcdf"],
)
def test_old_spellings_still_work_with_one_note_each(args, note, tmp_path):
    res = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args] + ["--json"])
    assert res.exit_code == 0, res.output
    assert res.stderr == note + "\n"
    out = json.loads(res.stdout)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(re.findall(r"c\.\w+", " ".join(args)))
    recorded = {v for v in out.values() if isinstance(v, str)}
    assert {str(tmp_path / w) for w in written} <= recorded


def test_old_scenario_option_of_tornado_becomes_its_argument():
    """`tornado --scenario X` is `tornado X` (checked before any work: an unknown name is refused)."""
    res = runner.invoke(app, ["tornado", "--missiles", "20", "--scenario", "no-such-scenario"])
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert lines[0] == "note: --scenario is now the first argument (bmdlab tornado SCENARIO)"
    assert lines[1].startswith("error: SCENARIO: 'no-such-scenario' is neither a built-in scenario")
    assert len(lines) == 2


def test_old_spellings_are_hidden_from_help():
    for name in ("coverage", "footprint", "raid", "cost", "site", "tornado"):
        res = runner.invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        for old in (*RETIRED, "--scenario"):
            assert old not in res.stdout, (name, old)


def test_a_layer_of_an_unknown_format_is_refused_before_any_work(tmp_path):
    res = runner.invoke(app, ["coverage", "japan-2017-thaad", "--layer", str(tmp_path / "c.shp")])
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1
    assert res.stderr.startswith(f"error: --layer: '{tmp_path / 'c.shp'}' must end in .geojson")
    assert list(tmp_path.iterdir()) == []


def test_root_help_groups_commands_in_panels():
    res = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert res.exit_code == 0
    panels = re.findall(r"╭─ (.+?) ─", res.stdout)
    assert panels[0] == "Options"
    assert {"Inputs: catalog and scenarios", "Coverage and siting", "Raids and engagements", "Web"} <= set(panels)
    # each command is in the panel of its work
    body = res.stdout.split("╭─ Raids and engagements")[1].split("╰")[0]
    assert all(f"│ {c} " in body for c in ("raid", "compare", "campaign"))


def test_command_help_groups_options_and_keeps_help_texts_whole():
    """Options in Scenario, Model options and Output panels; Markdown help keeps '[km]' and snake_case names."""
    res = runner.invoke(app, ["coverage", "--help"], env={"COLUMNS": "200"})
    panels = re.findall(r"╭─ (.+?) ─", res.stdout)
    assert {"Scenario", "Model options", "Output"} <= set(panels)
    output = res.stdout.split("╭─ Output")[1].split("╰")[0]
    assert all(o in output for o in ("--json", "--map", "--layer", "--table", "--points"))
    text = " ".join(res.stdout.replace("│", " ").split())
    assert "Land grid cell size. [km]" in text and "fire_channels_scale=2" in text


def test_piped_tables_are_tab_separated_with_whole_names():
    res = runner.invoke(app, ["catalog", "list", "--kind", "units"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "# units (7)" and lines[1].split("\t") == ["key", "name", "summary"]
    rows = [line.split("\t") for line in lines[2:-1]]
    cat = builtin_catalog()
    assert [r[:2] for r in rows] == [[k, u.name] for k, u in cat.units.items()]
    assert not any("…" in line for line in lines)


def test_terminal_tables_wrap_and_never_cut_a_name(monkeypatch):
    """On a terminal 60 columns wide the scenario table wraps its descriptions and keeps every name whole."""
    buf = io.StringIO()
    monkeypatch.setattr(_app, "console", Console(file=buf, force_terminal=True, width=60, color_system=None))
    res = runner.invoke(app, ["scenario", "list"])
    assert res.exit_code == 0, res.output
    out = buf.getvalue()
    assert "…" not in out
    for r in scenario_rows(builtin_catalog()):
        assert r.name in out, r.name


@pytest.mark.parametrize("name", sorted({n for n, _ in COMMANDS}))
def test_markdown_help_shows_every_option_help_text_whole(name):
    """Help is rendered as Markdown (for the panels): every option's text must survive it character for character
    ('[km]', 'fire_channels_scale', 'mu*', quotes and braces)."""
    cmd = dict(COMMANDS)[name]
    res = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    shown = " ".join(res.stdout.replace("│", " ").split())
    for p in cmd.params:
        if not getattr(p, "hidden", False) and p.help:
            assert " ".join(p.help.split()) in shown, (name, p.name)


def test_cost_table_shows_yen_bn_and_dollars_m_with_the_price_year():
    """The piped cost table against the command's own JSON, formatted here independently: whole billions of
    yen from ¥100 bn up, millions of dollars, the price year in the title and after the total."""
    out = json.loads(runner.invoke(app, ["cost", "japan-2017-thaad", "--json"]).stdout)
    res = runner.invoke(app, ["cost", "japan-2017-thaad"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    year = out["total"]["price_year"]
    assert lines[1] == f"# life-cycle cost, {year} prices"
    total_row = next(line.split("\t") for line in lines if line.startswith("total\t"))
    jpy, usd = out["total"]["jpy"], out["total"]["usd"]
    assert jpy >= 100e9  # whole billions
    assert total_row[-1] == f"¥{round(jpy / 1e9):,} bn (${round(usd / 1e6):,} M)"
    assert f"total ¥{round(jpy / 1e9):,} bn (${round(usd / 1e6):,} M, {year} prices)" in res.stdout


@pytest.mark.parametrize("suffix", [".geojson", ".kml"])
def test_a_layer_on_a_full_disk_is_one_line_naming_layer_and_keeps_the_old_file(tmp_path, monkeypatch, suffix):
    """A full disk (which may show only at fsync) while writing a --layer file: one line naming --layer (the
    repeatable option's file is found in its list, not the library's `path`) and the file as it was."""
    import errno
    import os
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("finds a descriptor's file through /proc")

    old = tmp_path / f"t{suffix}"
    old.write_bytes(b"the previous layer\n")
    real_fsync, root = os.fsync, str(tmp_path.resolve())

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").startswith(root):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    res = runner.invoke(app, ["trajectory", "--from", "sunan", "--to", "osaka", "--layer", str(old)])
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1, res.output
    assert res.stderr.startswith("error: --layer: the disk is full writing")
    assert old.read_bytes() == b"the previous layer\n" and [p.name for p in tmp_path.iterdir()] == [old.name]


def test_campaign_and_compare_tables_agree_with_their_json(tmp_path):
    """The two commands that gained --table: each file, read back with the csv module, holds the JSON's numbers."""
    import csv

    waves = tmp_path / "waves.csv"
    args = ["campaign", "japan-2017-baseline", "--waves", "2", "--every-h", "6", "--missiles", "10", "--trials", "100"]
    res = runner.invoke(app, [*args, "--table", str(waves), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    rows = list(csv.DictReader(waves.open()))
    assert out["table_file"] == str(waves)
    assert [float(r["expected_leakers"]) for r in rows] == pytest.approx([w["expected_leakers"] for w in out["waves"]])
    sides = tmp_path / "sides.csv"
    res = runner.invoke(
        app, ["compare", "japan-2017-baseline", "japan-2017-thaad", "--trials", "200", "--table", str(sides), "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    rows = {r["side"]: r for r in csv.DictReader(sides.open())}
    assert float(rows["b - a"]["expected_leakers"]) == pytest.approx(out["difference"]["expected_leakers"])
    assert rows["a"]["scenario"] == "japan-2017-baseline" and rows["b"]["scenario"] == "japan-2017-thaad"
