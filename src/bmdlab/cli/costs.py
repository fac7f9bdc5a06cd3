"""``bmdlab cost`` and ``bmdlab tradeoff``: life-cycle costs, cost against effectiveness, budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bmdlab.cli import panels
from bmdlab.cli._app import (
    PNG,
    SCENARIO_HELP,
    SEED_HELP,
    TABLE_HELP,
    TABLE_SUFFIXES,
    analysis,
    app,
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

renamed("cost", {"--lines": "--table"})


@app.command(rich_help_panel=panels.COSTS)
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
    table: Annotated[Path | None, typer.Option("--table", help=TABLE_HELP.format(what="cost line"))] = None,
) -> None:
    """Life-cycle cost of an architecture: acquisition, interceptors, operation, total (yen and dollars of one year)."""
    check_files({"scenario": scenario_file(scenario)}, table=(table, TABLE_SUFFIXES))
    a = analysis(ctx, scenario, years=years, reloads=reloads, price_year=price_year)
    res = a.cost()
    write_exports(res, table=table, table_key="lines_file")
    if as_json:
        print_json(res)
        return
    b = res.breakdown
    console.print(
        f"[bold]{a.scenario.name}[/]: {b.years} years, {b.reloads} reload(s), yen of {b.price_year} "
        f"(¥{b.jpy_per_usd:.1f} per US$)"
    )
    usd = 1 / b.jpy_per_usd
    t = Table(
        "units",
        "status",
        "count",
        "acquisition",
        "interceptors",
        "operation",
        "total",
        title=f"life-cycle cost, {b.price_year} prices",
        title_justify="left",
    )
    for ln in b.lines:
        t.add_row(
            ln.unit,
            ln.status,
            str(ln.count),
            yen(ln.acquisition[1]),
            yen(ln.interceptors[1]),
            yen(ln.operation[1]),
            yen(ln.total[1], usd_per_jpy=usd),
        )
    t.add_row(
        "[bold]total[/]",
        "",
        "",
        yen(b.total("acquisition")),
        yen(b.total("interceptors")),
        yen(b.total("operation")),
        f"[bold]{yen(b.total(), usd_per_jpy=usd)}[/]",
    )
    print_table(t)
    console.print(
        f"total {yen(b.total(), b.price_year, usd_per_jpy=usd)}; range {yen(b.total(end='low'))} to "
        f"{yen(b.total(end='high'))}; sunk purchase of in-service units {yen(b.sunk)}",
        highlight=False,
    )


@app.command(rich_help_panel=panels.COSTS)
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
        typer.Option("--table", help=TABLE_HELP.format(what="option and raid size")),
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
    t = Table(
        "option",
        f"cost ({tr.price_year} prices)",
        "pop.",
        "2+ units",
        "leakers (95 % CI)",
        "P(0)",
        "surviving (95 % CI)",
        "Pareto",
    )
    for row in tr.rows:
        rr = row.raids[raid]
        lci, vci = rr.expected_leakers_ci95, rr.expected_surviving_value_fraction_ci95
        t.add_row(
            row.key,
            yen(row.cost_total_jpy),
            percent(row.population_fraction),
            percent(row.population_fraction_2units),
            f"{rr.expected_leakers:.1f} ({lci[0]:.1f}-{lci[1]:.1f})",
            f"{rr.p_zero_leakers:.3f}",
            f"{percent(rr.expected_surviving_value_fraction)} ({percent(vci[0])} to {percent(vci[1])})",
            "yes" if row.key in res.frontier else "",
        )
    print_table(t)
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
            f"budget {yen(budget_jpy, tr.price_year)}: buy {', '.join(labels) or 'no new units'}"
            f"{'; extra loads for ' + ', '.join(loads) if loads else ''} ({yen(b.cost_jpy)}); surviving value "
            f"{percent(b.chosen.expected_surviving_value_fraction)} (Monte Carlo) vs "
            f"{percent(b.baseline.expected_surviving_value_fraction)} for the baseline"
        )
    report_exports(res)
