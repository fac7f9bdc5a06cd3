"""``bmdlab cost`` and ``bmdlab tradeoff``: life-cycle costs, cost against effectiveness, budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bmdlab.cli._app import (
    PNG,
    SCENARIO_HELP,
    SEED_HELP,
    TABLE_SUFFIXES,
    analysis,
    app,
    bn,
    check_files,
    complete_scenario,
    console,
    print_json,
    progress,
    report_exports,
    scenario_file,
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
    check_files({"scenario": scenario_file(scenario)}, lines=(lines, TABLE_SUFFIXES))
    a = analysis(ctx, scenario, years=years, reloads=reloads, price_year=price_year)
    res = a.cost()
    write_exports(res, table=lines, table_key="lines_file")
    if as_json:
        print_json(res)
        return
    b = res.breakdown
    console.print(
        f"[bold]{a.scenario.name}[/]: {b.years} years, {b.reloads} reload(s), yen of {b.price_year} "
        f"(¥{b.jpy_per_usd:.1f} per US$)"
    )
    t = Table("units", "status", "count", "acquisition", "interceptors", "operation", "total")
    for ln in b.lines:
        t.add_row(
            ln.unit,
            ln.status,
            str(ln.count),
            bn(ln.acquisition[1]),
            bn(ln.interceptors[1]),
            bn(ln.operation[1]),
            bn(ln.total[1]),
        )
    t.add_row(
        "[bold]total[/]",
        "",
        "",
        bn(b.total("acquisition")),
        bn(b.total("interceptors")),
        bn(b.total("operation")),
        f"[bold]{bn(b.total())}[/]",
    )
    console.print(t)
    console.print(
        f"total US${res.total_usd / 1e9:,.2f} bn; range {bn(b.total(end='low'))} to {bn(b.total(end='high'))}; "
        f"sunk purchase of in-service units {bn(b.sunk)}"
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
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.cost.options import tradeoff_options

    check_files(plot=(plot, PNG), table=(table, TABLE_SUFFIXES))
    a = analysis(ctx, seed=seed)
    prog, tick = progress(len(tradeoff_options(a.catalog)), "trade-off options")
    with prog:
        res = a.tradeoff(
            raid=raid, trials=trials, resolution_km=resolution_km, budget_jpy=budget_jpy, progress=tick, years=years
        )
    write_exports(res, plot=plot, table=table)
    if as_json:
        print_json(res)
        return
    tr = res.tradeoff
    console.print(
        f"{len(tr.rows)} options, raid of {raid}, {trials:,} trials, seed {seed}; yen of {tr.price_year}, "
        f"{tr.years}-year life cycle"
    )
    t = Table("option", "cost", "pop.", "2+ units", "leakers (95 % CI)", "P(0)", "surviving (95 % CI)", "Pareto")
    for row in tr.rows:
        rr = row.raids[raid]
        lci, vci = rr.expected_leakers_ci95, rr.expected_surviving_value_fraction_ci95
        t.add_row(
            row.key,
            bn(row.cost_total_jpy),
            f"{100 * row.population_fraction:.1f} %",
            f"{100 * row.population_fraction_2units:.1f} %",
            f"{rr.expected_leakers:.1f} ({lci[0]:.1f}-{lci[1]:.1f})",
            f"{rr.p_zero_leakers:.3f}",
            f"{100 * rr.expected_surviving_value_fraction:.1f} % ({100 * vci[0]:.1f}-{100 * vci[1]:.1f})",
            "yes" if row.key in res.frontier else "",
        )
    console.print(t)
    console.print(
        "Pareto: options compared in pairs on common random numbers; a dearer option stays only if "
        "resolvably better (95 %).",
        highlight=False,
        soft_wrap=True,
    )
    if res.budget is not None:
        b = res.budget.budget
        labels = [c.label for c in b.candidates if c.key in b.buy]
        loads = b.solution.loads
        console.print(
            f"budget {bn(budget_jpy)}: buy {', '.join(labels) or 'no new units'}"
            f"{'; extra loads for ' + ', '.join(loads) if loads else ''} ({bn(b.cost_jpy)}); surviving value "
            f"{100 * round(b.chosen.expected_surviving_value_fraction, 5):.1f} % (Monte Carlo) vs "
            f"{100 * round(b.baseline.expected_surviving_value_fraction, 5):.1f} % for the baseline"
        )
    report_exports(res)
