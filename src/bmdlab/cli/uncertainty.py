"""``bmdlab uncertainty``: global uncertainty analysis (Morris screening, Sobol' indices) over the assumed values."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bmdlab.cli import panels
from bmdlab.cli._app import (
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
    report_exports,
    scenario_file,
    user_errors,
    write_exports,
    yen,
)
from bmdlab.defaults import DEFAULT_SEED

#: The metrics the terminal table shows (every metric is in --json and --table), with their headings.
SHOWN = {"expected_leakers": "leakers", "p_zero_leakers": "P(0 leakers)", "cost_total_jpy": "cost"}


def _number(metric: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    if metric == "cost_total_jpy":
        return yen(value)
    return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"


@app.command(rich_help_panel=panels.SENSITIVITY)
@user_errors(aliases={"out": "--store"})
def uncertainty(
    ctx: typer.Context,
    scenario: Annotated[
        str,
        typer.Argument(help="Built-in scenario or trade-off option key.", autocompletion=complete_scenario),
    ],
    method: Annotated[
        str, typer.Option("--method", help="morris (screening: elementary effects) or sobol (variance shares).")
    ] = "morris",
    samples: Annotated[
        int, typer.Option("--samples", help="Morris trajectories, or Sobol' base samples (a power of two).")
    ] = 10,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials per run.")] = 500,
    missiles: Annotated[int, typer.Option("--missiles", help="Raid size, the same in every run.")] = 200,
    seed: Annotated[
        int, typer.Option("--seed", help=SEED_HELP + " Common to every run and the sampler.")
    ] = DEFAULT_SEED,
    workers: Annotated[int | None, typer.Option("--workers", help="Local processes (default: all cores).")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option("--store", help="DuckDB file the runs are appended to (default: a temporary one)."),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted analysis in STORE.")] = False,
    allow_large: Annotated[
        bool, typer.Option("--yes", help="Run more than 1,000 runs (without it such an analysis is refused).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (every index, range and sampled point).")] = False,
    table: Annotated[
        Path | None,
        typer.Option("--table", help=TABLE_HELP.format(what="sampled point (its values and metrics)")),
    ] = None,
) -> None:
    """Global uncertainty analysis: every assumed value varied at once over its plausible range (from the
    catalog), each metric's 5-95 % range and which values matter (Morris or Sobol'); the estimate of its runs
    is printed (on stderr) before the first run."""
    check_files({"scenario": scenario_file(scenario)}, store=store, table=(table, TABLE_SUFFIXES))
    a = analysis(ctx, scenario, seed=seed)
    run = dict(
        samples=samples,
        trials=trials,
        missiles=missiles,
        workers=workers,
        scheduler=scheduler,
        store=store,
        resume=resume,
        allow_large=allow_large,
        catalog_dir=catalog_dir(ctx),
    )
    estimate = a.uncertainty_estimate(method, **run)
    prog, _ = progress(estimate.runs, "uncertainty", header=f"uncertainty ({method}): {estimate.text()}")
    with prog:  # the estimate and the display appear once the library accepts the analysis
        res = a.uncertainty(method, progress=lambda done, total: prog.update(done), **run)
    write_exports(res, table=table)
    if as_json:
        print_json(res)
        return
    _render(res)
    report_exports(res)


def _render(res) -> None:
    """The factors' ranges and indices, then each metric's range over the plausible space."""
    key = "mu_star" if res.method == "morris" else "ST"
    what = "Morris mu* (change over the range)" if res.method == "morris" else "Sobol' ST (share of the variance)"
    console.print(
        f"[bold]{res.scenario}[/], {res.fixed.get('missiles')} missiles: {res.runs} runs of {res.trials} trials; "
        f"{what} ± 95 %",
        highlight=False,
    )

    def shown(metric: str, v: float) -> str:  # Morris: in the metric's units; Sobol': a share of its variance
        if res.method == "sobol":
            return f"{v:.2f}"
        return yen(abs(v)) if metric == "cost_total_jpy" else f"{v:.3g}"

    t = Table()
    for heading in ("factor", "range"):
        t.add_column(heading, no_wrap=True)  # never cut; the indices wrap instead
    for heading in SHOWN.values():
        t.add_column(heading)
    for f in res.factors:
        span = "off / on" if f.kind == "switch" else f"{f.low:.3g} - {f.high:.3g}"
        cells = []
        for m in SHOWN:
            ind = res.indices.get(m)
            v = None if ind is None else ind[f.name]
            cells.append("n/a" if v is None else f"{shown(m, v[key])} ± {shown(m, v[key + '_conf'])}")
        t.add_row(f.name, span + ("*" if f.source == "model" else ""), *cells)
    print_table(t)
    if any(f.source == "model" for f in res.factors):
        console.print("* a model range: the catalog has no plausible range for it yet", highlight=False)
    p = Table("metric", "5 %", "50 %", "95 %")
    for m in SHOWN:
        q = res.percentiles[m]
        p.add_row(SHOWN[m], *(_number(m, q[k]) for k in ("p5", "p50", "p95")))
    print_table(p)
    if res.store:
        console.print(f"{res.runs} runs in {res.store}", highlight=False, soft_wrap=True)
