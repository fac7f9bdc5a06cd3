"""``bmdlab tornado`` and ``bmdlab sweep``: one-at-a-time sensitivity and grid sweeps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bmdlab.cli import panels
from bmdlab.cli._app import (
    PNG,
    SEED_HELP,
    TABLE_HELP,
    TABLE_SUFFIXES,
    analysis,
    app,
    catalog_dir,
    check_files,
    complete_scenario,
    console,
    print_json,
    print_table,
    progress,
    renamed,
    report_exports,
    scenario_file,
    user_errors,
    write_exports,
    yen,
)
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.numbers import percent

renamed("tornado", {"--scenario": ""})


@app.command(rich_help_panel=panels.SENSITIVITY)
@user_errors()
def tornado(
    ctx: typer.Context,
    scenario: Annotated[
        str,
        typer.Argument(
            help="Architecture: a built-in scenario or trade-off option key.", autocompletion=complete_scenario
        ),
    ] = "japan-2017-aegis-ashore",
    missiles: Annotated[int, typer.Option("--missiles", help="Base raid size.")] = 200,
    metric: Annotated[str, typer.Option("--metric", help="Metric to rank inputs by.")] = "expected_leakers",
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials per run.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP + " Common to every run.")] = DEFAULT_SEED,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the tornado chart (PNG).")] = None,
    table: Annotated[
        Path | None, typer.Option("--table", help=TABLE_HELP.format(what="input and end of its range"))
    ] = None,
) -> None:
    """One-at-a-time sensitivity: how far each input's plausible range moves a metric."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.sensitivity.tornado import default_ranges

    check_files({"scenario": scenario_file(scenario)}, plot=(plot, PNG), table=(table, TABLE_SUFFIXES))
    a = analysis(ctx, scenario, seed=seed)
    prog, tick = progress(len(default_ranges({"scenario": scenario, "missiles": missiles})), "tornado")
    with prog:
        res = a.tornado(missiles=missiles, trials=trials, metric=metric, catalog_dir=catalog_dir(ctx), progress=tick)
    write_exports(res, plot=plot, table=table)
    if as_json:
        print_json(res)
        return
    console.print(f"[bold]{scenario}[/], {missiles} missiles: {metric} = {res.base_value(metric):,.4g} at base")
    t = Table("input", "low end", "high end")
    for label, lo, hi in res.swing(metric):
        t.add_row(label, f"{lo:,.4g}", f"{hi:,.4g}")
    print_table(t)
    report_exports(res)


@app.command(rich_help_panel=panels.SENSITIVITY)
@user_errors(aliases={"sweep axis": "--axis"})
def sweep(
    ctx: typer.Context,
    axis: Annotated[
        list[str], typer.Option("--axis", help="NAME=V1,V2,... (repeat for a grid), e.g. missiles=50,100,200.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="DuckDB file the runs are appended to (typed columns; table 'runs').")
    ],
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted sweep in OUT.")] = False,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials per run.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP + " Common to every run.")] = DEFAULT_SEED,
    workers: Annotated[int | None, typer.Option("--workers", help="Local processes (default: all cores).")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    allow_large: Annotated[
        bool,
        typer.Option(
            "--yes",
            help="Run a sweep of more than 1,000 runs (without it such a sweep is refused, with its estimate).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON.")] = False,
    table: Annotated[Path | None, typer.Option("--table", help=TABLE_HELP.format(what="run"))] = None,
) -> None:
    """Grid sweep of independent runs (local pool or Dask), appended to OUT as each finishes; the estimate of
    its runs and time is printed (on stderr) before the first run."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.sensitivity.sweep import parse_axis

    scenarios = [v for name, values in map(parse_axis, axis) if name == "scenario" for v in values]
    check_files([("--axis scenario", scenario_file(str(v))) for v in scenarios], out=out, table=(table, TABLE_SUFFIXES))
    a = analysis(ctx, seed=seed)
    run = dict(
        trials=trials,
        resume=resume,
        workers=workers,
        scheduler=scheduler,
        catalog_dir=catalog_dir(ctx),
        allow_large=allow_large,
    )
    estimate = a.sweep_estimate(axis, **run)
    prog, _ = progress(estimate.runs, "sweep", header=f"sweep: {estimate.text()}")
    with prog:  # the estimate and the display appear once the library accepts the sweep
        res = a.sweep(axis, out, progress=lambda done, total: prog.update(done), **run)
    write_exports(res, table=table)
    if as_json:
        print_json(res)
        return
    t = Table(*res.axes, "leakers", "P(0 leakers)", "surviving value", "cost")  # each cost with its price year
    for r in res.rows:
        t.add_row(
            *(("on" if v else "off") if isinstance(v, bool) else str(v) for v in r.axis_values(res.axes)),
            f"{r.expected_leakers:.1f}",
            f"{r.p_zero_leakers:.3f}",
            percent(r.expected_surviving_value_fraction),
            yen(r.cost_total_jpy, r.price_year),
        )
    print_table(t)
    console.print(f"{len(res.rows)} runs in {out}")
    report_exports(res)
