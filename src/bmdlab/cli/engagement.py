"""``bmdlab raid``, ``bmdlab analytic``, ``bmdlab wta``: raids, closed forms, weapon-target assignment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bmdlab.cli import panels
from bmdlab.cli._app import (
    FLYOUT_HELP,
    LIMITS_HELP,
    SCENARIO_HELP,
    SEED_HELP,
    SET_HELP,
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
)
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.engagement.streams import TRIAL_BLOCK
from bmdlab.numbers import money, percent

renamed("raid", {"--leakers": "--table"})

DOCTRINE_HELP = "shoot-look-shoot or salvo (salvo-2, its older name, is accepted)"
RAID_DOCTRINE_HELP = (
    "shoot-look-shoot, salvo (salvo-2, its older name, is accepted) or preferential (interceptors "
    "allocated to the most valuable assets first, then shoot-look-shoot)"
)
CAPACITY_HELP = (
    "Honour each unit's fire channels and C2 decision time (catalog, or the scenario's "
    "engagement.fire_channels / c2_time_s). Default: the scenario's engagement.capacity (on)."
)
AVAILABILITY_HELP = (
    "Probability (0 to 1) that every unit is on station, drawn per trial and unit. Default: the "
    "scenario's engagement.availability, else the catalog's (ships 0.5, land units 0.85-0.9)."
)
COMMON_MODE_HELP = (
    "Correlation (0 to 0.99) of the kill outcomes of one interceptor type's shots in a raid: a flaw "
    "shared by all rounds (0: independent shots)."
)


SET_OPTION = typer.Option("--set", help=SET_HELP)


@app.command(rich_help_panel=panels.RAIDS)
@user_errors()
def raid(
    ctx: typer.Context,
    scenario: Annotated[
        str, typer.Argument(help=SCENARIO_HELP + " Its 'raid:' section is the raid.", autocompletion=complete_scenario)
    ],
    missiles: Annotated[
        int | None, typer.Option("--missiles", help="Scale the scenario's salvos to this many missiles.")
    ] = None,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP)] = DEFAULT_SEED,
    doctrine: Annotated[
        str | None, typer.Option("--doctrine", help=RAID_DOCTRINE_HELP + "; default: the scenario's.")
    ] = None,
    sspk: Annotated[
        float | None, typer.Option("--sspk", help="Override every interceptor's single-shot kill probability.")
    ] = None,
    memory_budget_gib: Annotated[
        float,
        typer.Option(
            "--memory-budget-gib",
            help="Memory the Monte Carlo may use; a larger raid is refused before it starts. [GiB]",
        ),
    ] = 4.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    table: Annotated[
        Path | None,
        typer.Option("--table", help=TABLE_HELP.format(what="number of leakers (its probability)")),
    ] = None,
    flyout: Annotated[
        str | None, typer.Option("--flyout", help=FLYOUT_HELP + " Default: the scenario's (physical).")
    ] = None,
    limits: Annotated[
        str | None, typer.Option("--limits", help=LIMITS_HELP + " Default: the scenario's (all).")
    ] = None,
    common_mode: Annotated[
        float | None,
        typer.Option(
            "--common-mode", help=COMMON_MODE_HELP + " Default: the scenario's engagement.common_mode, else 0."
        ),
    ] = None,
    capacity: Annotated[
        bool | None, typer.Option("--capacity/--no-capacity", help=CAPACITY_HELP, show_default=False)
    ] = None,
    availability: Annotated[float | None, typer.Option("--availability", help=AVAILABILITY_HELP)] = None,
    settings: Annotated[list[str] | None, SET_OPTION] = None,
) -> None:
    """Monte Carlo of the scenario's raid: leakers, P(zero leakers), interceptors expended and their cost."""
    check_files({"scenario": scenario_file(scenario)}, table=(table, TABLE_SUFFIXES))
    a = analysis(
        ctx,
        scenario,
        settings=settings,
        seed=seed,
        flyout=flyout,
        limits=limits,
        missiles=missiles,
        doctrine=doctrine,
        sspk=sspk,
        common_mode=common_mode,
        capacity=capacity,
        availability=availability,
    )
    if trials > TRIAL_BLOCK:
        prog, _ = progress(trials, f"raid {a.scenario.name}: trials")
        with prog:
            res = a.raid(
                trials=trials, memory_budget_gib=memory_budget_gib, progress=lambda done, total: prog.update(done)
            )
    else:
        res = a.raid(trials=trials, memory_budget_gib=memory_budget_gib)
    write_exports(res, table=table, table_key="leakers_file")
    if as_json:
        print_json(res)
        return
    _print_raid(a.scenario.name, a.seed, res.outcome)
    if table is not None:
        console.print(f"leakers distribution written to {table}", highlight=False, soft_wrap=True)


def _print_raid(name: str, seed: int, out) -> None:
    console.print(
        f"[bold]{name}[/]: {out.missiles} missiles, {out.trials:,} trials, seed {seed}, {out.doctrine}, "
        + ("fire channels and C2 queue on" if out.capacity else "no fire-channel or C2 limit")
    )
    t = Table(show_header=False)
    lo, hi = out.expected_leakers_ci95
    for label, v in (
        ("expected leakers", f"{out.expected_leakers:,.3f} (95 % CI {lo:,.3f} to {hi:,.3f})"),
        ("leakers 5th-95th percentile", f"{out.leakers_percentile(5):,} to {out.leakers_percentile(95):,}"),
        ("P(zero leakers)", f"{out.p_zero_leakers:,.4f}"),
        ("expected value not reached by a leaker", f"{percent(out.expected_surviving_value_fraction)}"),
        ("interceptors expended", f"{out.interceptors_expended_total:,.1f}"),
        ("their cost", _money(out.interceptor_cost_expended)),
        ("units on station (mean)", f"{out.units_on_station:,.1f} of {len(out.units)}"),
    ):
        t.add_row(label, v)
    print_table(t)
    if out.units_exhausted:
        console.print("magazines emptied: " + ", ".join(out.units_exhausted))
    lc = out.launch_check
    if lc["feasible"] is False:
        console.print(f"[yellow]warning:[/] this raid exceeds the catalog's launchers: {lc['reason']}", soft_wrap=True)
    elif lc["feasible"] is None:
        console.print(f"launch capacity not checked: {lc['reason']}", soft_wrap=True, highlight=False)


def _money(m) -> str:
    """A money object of the results (jpy, usd, price_year) as the tables show money (:func:`bmdlab.numbers.money`)."""
    rate = m.usd / m.jpy if m.jpy and m.usd is not None else None
    return money(m.jpy, m.price_year or None, usd_per_jpy=rate)


@app.command(rich_help_panel=panels.RAIDS)
@user_errors()
def analytic(
    missiles: Annotated[int, typer.Option("--missiles", help="Missiles in the raid.")],
    sspk: Annotated[float, typer.Option("--sspk", help="Single-shot kill probability.")],
    shots_per_missile: Annotated[int, typer.Option("--shots-per-missile", help="Interceptors per missile.")],
    doctrine: Annotated[str, typer.Option("--doctrine", help=DOCTRINE_HELP + ".")] = "salvo",
    reliability: Annotated[float, typer.Option("--reliability", help="Interceptor reliability.")] = 1.0,
    missile_reliability: Annotated[
        float, typer.Option("--missile-reliability", help="Probability that a missile arrives.")
    ] = 1.0,
    decoys: Annotated[int, typer.Option("--decoys", help="Decoys per missile.")] = 0,
    discrimination: Annotated[float, typer.Option("--discrimination", help="Probability a decoy is recognised.")] = 1.0,
    interceptors: Annotated[
        int | None,
        typer.Option(
            "--interceptors", help="Inventory spread over all engaged objects (overrides --shots-per-missile)."
        ),
    ] = None,
    common_mode: Annotated[float, typer.Option("--common-mode", help=COMMON_MODE_HELP)] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Closed-form P(zero leakers) and expected leakers (Wilkening 2000)."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import analytic as run

    res = run(
        missiles,
        sspk,
        shots_per_missile,
        doctrine=doctrine,
        reliability=reliability,
        missile_reliability=missile_reliability,
        decoys=decoys,
        discrimination=discrimination,
        interceptors=interceptors,
        common_mode=common_mode,
    )
    if as_json:
        print_json(res)
        return
    o = res.odds
    console.print(
        f"P(zero leakers) = {o.p_zero_leakers:.4g}, expected leakers = {o.expected_leakers:.3f} "
        f"(sd {o.leakers_sd:.3f}), kill probability per missile {o.kill_probability:.4f}, "
        f"interceptors used {o.expected_interceptors:,.1f}"
    )


@app.command(rich_help_panel=panels.RAIDS)
@user_errors(aliases={"time_limit_s": "--time-limit", "instance": "INSTANCE", "random": "--random"})
def wta(
    instance: Annotated[
        Path | None,
        typer.Argument(
            help='JSON file {"values": [...], "kill_probability": [[p_ij per weapon i, target j]]}, or a text '
            "file in the format of Andersen, Pavlikov & Toffolo (2022): a line 'W T m' (weapon types, targets, "
            "weapons per type), T target values, then W x T lines 'type target probability'."
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="exact (MILP, proven optimum) or heuristic (fast, with a bound).")
    ] = "exact",
    random: Annotated[
        str | None,
        typer.Option("--random", help="Instead of a file: a random Ahuja et al. (2007) instance, WEAPONSxTARGETS."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of --random. " + SEED_HELP)] = DEFAULT_SEED,
    save: Annotated[Path | None, typer.Option("--save", help="Write the --random instance to this JSON file.")] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Seconds before either method stops: exact with its gap, heuristic with its best assignment so far.",
        ),
    ] = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Static weapon-target assignment (Ahuja et al. 2007): minimise expected surviving target value."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import wta as solve

    check_files({"instance": instance}, save=save)
    res = solve(instance=instance, random=random, seed=seed, method=method, time_limit_s=time_limit, save=save)
    sol = res.solution
    if as_json:
        print_json(res)
        return
    console.print(
        f"{sol.weapons} weapons, {sol.targets} targets, {method}: expected surviving value "
        f"{res.objective:.6g} (bound {res.bound:.6g}, gap {100 * res.gap:.4f} %) in {sol.seconds:.3f} s"
    )
    assignment = [int(j) for j in sol.assignment]
    shown = assignment[:40]
    more = f" ... ({len(assignment) - 40} more)" if len(assignment) > 40 else ""
    console.print("assignment (weapon -> target): " + ", ".join(f"{i}->{j}" for i, j in enumerate(shown)) + more)


@app.command(rich_help_panel=panels.RAIDS)
@user_errors(aliases={"a": "A", "b": "B"})
def compare(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="Architecture A: " + SCENARIO_HELP, autocompletion=complete_scenario)],
    b: Annotated[
        str,
        typer.Argument(
            help="Architecture B (its units and sensors in A's scenario): " + SCENARIO_HELP,
            autocompletion=complete_scenario,
        ),
    ],
    missiles: Annotated[int | None, typer.Option("--missiles", help="Scale A's salvos to this many missiles.")] = None,
    trials: Annotated[int, typer.Option("--trials", help="Paired Monte Carlo trials (each side).")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP)] = DEFAULT_SEED,
    doctrine: Annotated[str | None, typer.Option("--doctrine", help=RAID_DOCTRINE_HELP + "; default: A's.")] = None,
    capacity: Annotated[
        bool | None, typer.Option("--capacity/--no-capacity", help=CAPACITY_HELP, show_default=False)
    ] = None,
    availability: Annotated[float | None, typer.Option("--availability", help=AVAILABILITY_HELP)] = None,
    common_mode: Annotated[float | None, typer.Option("--common-mode", help=COMMON_MODE_HELP)] = None,
    settings: Annotated[list[str] | None, SET_OPTION] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    table: Annotated[
        Path | None, typer.Option("--table", help=TABLE_HELP.format(what="side (A, B) and their difference"))
    ] = None,
) -> None:
    """B against A on the same raid and seed with common random numbers: each side's leakers and the paired
    difference with its 95 % CI."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import Overrides
    from bmdlab.api import compare as run

    check_files({"a": scenario_file(a), "b": scenario_file(b)}, table=(table, TABLE_SUFFIXES))
    overrides = Overrides.combine(
        Overrides.from_text(settings or []),
        Overrides.of(
            missiles=missiles, doctrine=doctrine, capacity=capacity, availability=availability, common_mode=common_mode
        ),
    )
    prog, _ = progress(2 * trials, f"compare {a} and {b}: trials")
    with prog:
        res = run(
            a,
            b,
            catalog=catalog_dir(ctx),
            trials=trials,
            seed=seed,
            progress=lambda done, total: prog.update(done),
            **overrides.changed(),
        )
    write_exports(res, table=table)
    if as_json:
        print_json(res)
        return
    t = Table("side", "scenario", "expected leakers", "95 % CI", "P(zero leakers)")
    for side, r in (("A", res.a), ("B", res.b)):
        lo, hi = r.expected_leakers_ci95
        t.add_row(
            side,
            r.provenance.scenario,
            f"{r.expected_leakers:,.2f}",
            f"{lo:,.2f} to {hi:,.2f}",
            f"{r.p_zero_leakers:.4f}",
        )
    lo, hi = res.difference_ci95
    t.add_row("B - A", "paired", f"{res.difference:+,.2f}", f"{lo:+,.2f} to {hi:+,.2f}", "")
    console.print(
        f"{res.missiles} missiles, {res.trials:,} paired trials, seed {seed}, {res.doctrine}", highlight=False
    )
    print_table(t)
    console.print(res.verdict, highlight=False, soft_wrap=True)
    console.print(
        f"common random numbers: the paired interval is ±{(hi - lo) / 2:,.2f}; independent runs would give "
        f"±{res.independent_ci95_half_width:,.2f}",
        highlight=False,
        soft_wrap=True,
    )
    report_exports(res)


@app.command(rich_help_panel=panels.RAIDS)
@user_errors(aliases={"every_h": "--every-h"})
def campaign(
    ctx: typer.Context,
    scenario: Annotated[
        str,
        typer.Argument(
            help=SCENARIO_HELP + " Its 'raid:' salvos are scaled to each wave.", autocompletion=complete_scenario
        ),
    ],
    waves: Annotated[
        int | None,
        typer.Option(
            "--waves",
            help="Number of waves (with --every-h and --missiles); default: the scenario's 'campaign:' section.",
        ),
    ] = None,
    every_h: Annotated[float | None, typer.Option("--every-h", help="Hours between waves.")] = None,
    missiles: Annotated[int | None, typer.Option("--missiles", help="Missiles per wave.")] = None,
    reserve: Annotated[
        list[str] | None,
        typer.Option(
            "--reserve",
            help="INTERCEPTOR=ROUNDS in depots beyond the loaded "
            "magazines (repeatable; default: the scenario's, else 0).",
        ),
    ] = None,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials.")] = 4000,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP)] = DEFAULT_SEED,
    doctrine: Annotated[
        str | None, typer.Option("--doctrine", help=RAID_DOCTRINE_HELP + "; default: the scenario's.")
    ] = None,
    capacity: Annotated[
        bool | None, typer.Option("--capacity/--no-capacity", help=CAPACITY_HELP, show_default=False)
    ] = None,
    availability: Annotated[
        float | None, typer.Option("--availability", help=AVAILABILITY_HELP + " Drawn once per campaign.")
    ] = None,
    settings: Annotated[list[str] | None, SET_OPTION] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    table: Annotated[Path | None, typer.Option("--table", help=TABLE_HELP.format(what="wave"))] = None,
) -> None:
    """Raid waves with magazines carried between them, reloads, ships leaving station to reload: leakers per
    wave and when each interceptor type runs out."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.engagement.campaign import parse_reserve

    check_files({"scenario": scenario_file(scenario)}, table=(table, TABLE_SUFFIXES))
    rounds = parse_reserve(reserve or [])
    a = analysis(
        ctx, scenario, settings=settings, seed=seed, doctrine=doctrine, capacity=capacity, availability=availability
    )
    n_waves = waves if waves is not None else (len(a.scenario.campaign.waves) if a.scenario.campaign else 1)
    prog, _ = progress(n_waves, f"campaign {a.scenario.name}: waves")
    with prog:
        res = a.campaign(
            waves,
            every_h,
            missiles,
            trials=trials,
            reserve=rounds or None,
            progress=lambda done, total: prog.update(done),
        )
    write_exports(res, table=table)
    if as_json:
        print_json(res)
        return
    _print_campaign(a.scenario.name, res)
    report_exports(res)


def _print_campaign(name: str, res) -> None:
    c = res.campaign
    lo, hi = res.total_expected_leakers_ci95
    console.print(
        f"[bold]{name}[/]: {len(c.waves)} waves, {c.total_missiles:,} missiles, {c.trials:,} trials, seed {c.seed}, "
        f"{c.doctrine}; reserve " + (", ".join(f"{k} {v}" for k, v in c.meta["reserve"].items()) or "none"),
        highlight=False,
    )
    t = Table(
        "wave",
        "at [h]",
        "missiles",
        "expected leakers (95 % CI)",
        "P(zero)",
        "fired",
        "units on station",
        "rounds ready",
    )
    for w in c.waves:
        wl, wh = w.expected_leakers_ci95
        t.add_row(
            str(w.wave),
            f"{w.at_h:g}",
            f"{w.missiles:,}",
            f"{w.expected_leakers:,.2f} ({wl:,.2f} to {wh:,.2f})",
            f"{w.p_zero_leakers:.3f}",
            f"{w.interceptors_expended:,.1f}",
            f"{w.units_on_station_mean:,.1f}",
            f"{w.rounds_ready_at_start_mean:,.1f}",
        )
    print_table(t)
    console.print(
        f"total expected leakers {res.total_expected_leakers:,.2f} (95 % CI {lo:,.2f} to {hi:,.2f})", highlight=False
    )
    for k, r in c.run_out.items():
        when = f"median {r.median_h:g} h" if r.median_h is not None else "in fewer than half the trials"
        share = r.share_of_trials_within_campaign
        console.print(
            f"{k}: none ready on station within the campaign in {share:.0%} of trials"
            + (f" ({when}; 5th-95th percentile {r.p05_h:g} to {r.p95_h:g} h)" if share > 0 else ""),
            highlight=False,
        )
