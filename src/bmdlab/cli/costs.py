"""``bmdlab cost`` and ``bmdlab tradeoff``: life-cycle costs, cost against effectiveness, budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bmdlab.cli._app import (
    SCENARIO_HELP,
    SEED_HELP,
    TABLE_SUFFIXES,
    analysis,
    app,
    bn,
    check_outputs,
    check_suffix,
    complete_scenario,
    console,
    print_json,
    progress,
    report_exports,
    user_errors,
    write_exports,
)
from bmdlab.defaults import DEFAULT_SEED


@app.command()
@user_errors()
def cost(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help=SCENARIO_HELP, autocompletion=complete_scenario)],
    years: Annotated[
        int | None, typer.Option("--years", help="Operation and support horizon (default: the scenario's, 30). [years]")
    ] = None,
    reloads: Annotated[
        int | None, typer.Option("--reloads", help="Full magazine reloads per unit (default: the scenario's, 1).")
    ] = None,
    price_year: Annotated[
        int | None, typer.Option("--price-year", help="Express yen of this year (default: the scenario's, 2017).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lines: Annotated[
        Path | None, typer.Option("--lines", help="Write the cost lines to this .parquet or .csv file.")
    ] = None,
) -> None:
    """Life-cycle cost of an architecture: acquisition, interceptors, operation, total (yen and dollars of one year)."""
    check_suffix(lines, "--lines", TABLE_SUFFIXES)
    check_outputs(lines=lines)
    a = analysis(ctx, scenario)
    res = a.cost(years=years, reloads=reloads, price_year=price_year)
    write_exports(res, table=lines, table_key="lines_file")
    if as_json:
        print_json(res)
        return
    out = res.data
    console.print(
        f"[bold]{a.scenario.name}[/]: {out['years']} years, {out['reloads']} reload(s), yen of {out['price_year']} "
        f"(¥{out['jpy_per_usd']:.1f} per US$)"
    )
    t = Table("units", "status", "count", "acquisition", "interceptors", "operation", "total")
    for ln in out["lines"]:
        t.add_row(
            ln["unit"],
            ln["status"],
            str(ln["count"]),
            bn(ln["acquisition"]["jpy"]),
            bn(ln["interceptors"]["jpy"]),
            bn(ln["operation"]["jpy"]),
            bn(ln["total"]["jpy"]),
        )
    t.add_row(
        "[bold]total[/]",
        "",
        "",
        bn(out["acquisition"]["jpy"]),
        bn(out["interceptors"]["jpy"]),
        bn(out["operation"]["jpy"]),
        f"[bold]{bn(out['total']['jpy'])}[/]",
    )
    console.print(t)
    console.print(
        f"total US${out['total']['usd'] / 1e9:,.2f} bn; range {bn(out['total_range']['low']['jpy'])} to "
        f"{bn(out['total_range']['high']['jpy'])}; sunk purchase of in-service units {bn(out['sunk_acquisition']['jpy'])}"
    )


@app.command()
@user_errors()
def tradeoff(
    ctx: typer.Context,
    budget_jpy: Annotated[
        float | None, typer.Option("--budget-jpy", help="Also choose the best purchases for this budget. [JPY]")
    ] = None,
    raid: Annotated[int, typer.Option("--raid", help="Raid size for the frontier and the budget optimisation.")] = 200,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials per raid.")] = 4000,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP)] = DEFAULT_SEED,
    years: Annotated[int | None, typer.Option("--years", help="Operation and support horizon. [years]")] = None,
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Coverage grid cell size. [km]")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the cost-effectiveness plot (PNG).")] = None,
    table: Annotated[
        Path | None,
        typer.Option("--table", help="Write one row per option and raid size to this .parquet or .csv file."),
    ] = None,
) -> None:
    """Cost against effectiveness of the 2017 options, the Pareto frontier, and a budget optimum."""
    from bmdlab.cost.options import tradeoff_options

    check_suffix(plot, "--plot", (".png",))
    check_suffix(table, "--table", TABLE_SUFFIXES)
    check_outputs(plot=plot, table=table)
    a = analysis(ctx, seed=seed)
    prog, tick = progress(len(tradeoff_options(a.catalog)), "trade-off options")
    with prog:
        res = a.tradeoff(
            raid=raid, trials=trials, years=years, resolution_km=resolution_km, budget_jpy=budget_jpy, progress=tick
        )
    out = res.data
    write_exports(res, plot=plot, table=table)
    if as_json:
        print_json(res)
        return
    console.print(
        f"{len(out['options'])} options, raid of {raid}, {trials:,} trials, seed {seed}; yen of {out['price_year']}, "
        f"{out['years']}-year life cycle"
    )
    t = Table("option", "cost", "pop.", "2+ units", "leakers (95 % CI)", "P(0)", "surviving (95 % CI)", "Pareto")
    for r in out["options"]:
        rr = r["raids"][str(raid)]
        lci = rr.get("expected_leakers_ci95") or [float("nan")] * 2
        vci = rr.get("expected_surviving_value_fraction_ci95") or [float("nan")] * 2
        t.add_row(
            r["key"],
            bn(r["cost"]["total"]["jpy"]),
            f"{100 * r['population_fraction']:.1f} %",
            f"{100 * r['population_fraction_2units']:.1f} %",
            f"{rr['expected_leakers']:.1f} ({lci[0]:.1f}-{lci[1]:.1f})",
            f"{rr['p_zero_leakers']:.3f}",
            f"{100 * rr['expected_surviving_value_fraction']:.1f} % ({100 * vci[0]:.1f}-{100 * vci[1]:.1f})",
            "yes" if r["key"] in res.frontier else "",
        )
    console.print(t)
    console.print(
        "Pareto: options compared in pairs on common random numbers; a dearer option stays only if resolvably "
        "better (95 %).",
        highlight=False,
        soft_wrap=True,
    )
    if budget_jpy is not None:
        b = out["budget"]
        console.print(
            f"budget {bn(budget_jpy)}: buy {', '.join(b['buy_labels']) or 'no new units'}"
            f"{'; extra loads for ' + ', '.join(b['loads']) if b['loads'] else ''} ({bn(b['cost']['jpy'])}); "
            f"surviving value {100 * b['monte_carlo_surviving_value_fraction']:.1f} % (Monte Carlo) vs "
            f"{100 * b['baseline_surviving_value_fraction']:.1f} % for the baseline"
        )
    report_exports(res)
