"""``bmdlab coverage`` and ``bmdlab site``: national coverage and the siting of land units."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bmdlab.cli import panels
from bmdlab.cli._app import (
    FLYOUT_HELP,
    LAYER_HELP,
    LIMITS_HELP,
    POINTS_HELP,
    SCENARIO_HELP,
    SEED_HELP,
    SET_HELP,
    TABLE_HELP,
    TABLE_SUFFIXES,
    analysis,
    app,
    check_files,
    complete_key,
    complete_scenario,
    console,
    layers_of,
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
from bmdlab.numbers import percent

renamed("coverage", {"--geojson": "--layer", "--netcdf": "--layer", "--cells": "--table"})
renamed("site", {"--geojson": "--points"})


@app.command(rich_help_panel=panels.COVERAGE)
@user_errors()
def coverage(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help=SCENARIO_HELP, autocompletion=complete_scenario)],
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Land grid cell size. [km]")] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    map_png: Annotated[Path | None, typer.Option("--map", help="Write a coverage map to this PNG.")] = None,
    layers: Annotated[list[Path] | None, typer.Option("--layer", help=LAYER_HELP, metavar="FILE")] = None,
    table: Annotated[Path | None, typer.Option("--table", help=TABLE_HELP.format(what="land cell"))] = None,
    points: Annotated[
        Path | None,
        typer.Option("--points", help=POINTS_HELP.format(what="the units and the largest cities (defended or not)")),
    ] = None,
    flyout: Annotated[
        str | None, typer.Option("--flyout", help=FLYOUT_HELP + " Default: the scenario's (physical).")
    ] = None,
    limits: Annotated[
        str | None, typer.Option("--limits", help=LIMITS_HELP + " Default: the scenario's (all).")
    ] = None,
    availability_samples: Annotated[
        int,
        typer.Option(
            "--availability-samples",
            help="Also the shares over random "
            "availability of the units (each on station with its probability): "
            "expected and percentiles over this many samples (0: off).",
        ),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help=SEED_HELP + " (of --availability-samples)")] = DEFAULT_SEED,
    settings: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
) -> None:
    """How much of Japan's land and population the scenario's architecture can defend."""
    check_files(
        {"scenario": scenario_file(scenario)},
        map_png=map_png,
        layers=layers_of(layers),
        table=(table, TABLE_SUFFIXES),
        points=points,
    )
    a = analysis(ctx, scenario, settings=settings, seed=seed, flyout=flyout, limits=limits)
    prog, tick = progress(len(a.threat_cases()), f"coverage of {a.scenario.name} at {resolution_km:g} km")
    with prog:
        res = a.coverage(resolution_km, progress=tick, availability_samples=availability_samples)
    write_exports(res, map_png=map_png, layers=layers, table=table, table_key="cells_file")
    if points is not None:
        # lazy: the exports load pandas and xarray; only when a file is asked for
        from bmdlab.export import write_geojson

        write_geojson(res.points_geojson(), points)
        res.exports["points_file"] = str(points)
    if as_json:
        print_json(res)
        return
    _print_coverage(a.scenario.name, res)
    report_exports(res)


def _print_coverage(name: str, res) -> None:
    s = res.summary
    nt = s.categories["not_threatened"]
    console.print(
        f"[bold]{name}[/]: {percent(s.land_fraction)} of Japan's land and {percent(s.population_fraction)} of its people "
        f"defended (worst case, {res.resolution_km:g} km grid); not threatened by any listed threat: "
        f"{percent(nt.land_fraction)} of the land, {percent(nt.population_fraction)} of the people"
    )
    av = res.availability
    if av is not None:
        on = sum(av.availability.values())
        for x, label in ((av.land_fraction, "land"), (av.population_fraction, "people")):
            console.print(
                f"over availability ({av.samples:,} samples, {round(on, 3):g} of {len(av.availability)} units on "
                f"station on average): {label} defended expected {percent(x.expected)}, 5th-95th percentile {percent(x.p05)} "
                f"to {percent(x.p95)} (all on station {percent(x.all_on_station)})",
                highlight=False,
                soft_wrap=True,
            )
    t = Table(
        "region",
        "land",
        "people",
        "land defended",
        "people defended",
        "land threatened, not defended",
        "land not threatened",
        title="per region (fractions of each region)",
        title_justify="left",
    )
    for row in s.regions:
        t.add_row(
            row.region,
            f"{row.land_km2:,.0f} km2",
            f"{row.population / 1e6:,.2f} M",
            f"{percent(row.defended.land_fraction)}",
            f"{percent(row.defended.population_fraction)}",
            f"{percent(row.threatened_not_defended.land_fraction)}",
            f"{percent(row.not_threatened.land_fraction)}",
        )
    print_table(t)
    t = Table(
        "launch area",
        "land",
        "population",
        "reach (share of Japan's land)",
        title="per launch area (fractions of the land its threats reach)",
        title_justify="left",
    )
    for r in s.per_launch_area:
        t.add_row(
            r.key,
            f"{percent(r.land_fraction_of_reach)}",
            f"{percent(r.population_fraction_of_reach)}",
            f"{percent(r.reach_land_fraction)}",
        )
    print_table(t)
    t = Table("unit", "system", "population alone", "population added", title="units", title_justify="left")
    for u in s.units:
        added = "" if u.population_fraction_added is None else f"{percent(u.population_fraction_added)}"
        t.add_row(u.name, u.system, f"{percent(u.population_fraction_alone)}", added)
    print_table(t)


@app.command(rich_help_panel=panels.COVERAGE)
@user_errors()
def site(
    ctx: typer.Context,
    system: Annotated[
        str,
        typer.Argument(
            help="Catalog unit key of a land system, e.g. thaad-battery, aegis-ashore.",
            autocompletion=complete_key("units"),
        ),
    ],
    count: Annotated[int | None, typer.Option("--count", help="Number of units to place.")] = None,
    population_target: Annotated[
        float | None,
        typer.Option("--population-target", help="Smallest count reaching this population fraction (0-1)."),
    ] = None,
    land_target: Annotated[
        float | None,
        typer.Option(
            "--land-target", help="Smallest count reaching this land fraction (0-1); implies --objective land."
        ),
    ] = None,
    objective: Annotated[str, typer.Option("--objective", help="What to maximise: population or land.")] = "population",
    threat: Annotated[
        str,
        typer.Option(
            "--threat",
            help="Scenario whose threat (launch areas, missiles, shapes) the units must defend against: "
            + SCENARIO_HELP,
            autocompletion=complete_scenario,
        ),
    ] = "japan-2017-baseline",
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Land grid cell size. [km]")] = 10.0,
    candidate_spacing_km: Annotated[
        float, typer.Option("--candidate-spacing-km", help="Spacing of candidate sites on land. [km]")
    ] = 30.0,
    area: Annotated[
        str,
        typer.Option(
            "--area",
            help="What targets and fractions are of: all (of Japan) or threatened (the land the threat reaches).",
        ),
    ] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    map_png: Annotated[
        Path | None, typer.Option("--map", help="Write a map of the chosen sites and their coverage.")
    ] = None,
    points: Annotated[Path | None, typer.Option("--points", help=POINTS_HELP.format(what="the chosen sites"))] = None,
) -> None:
    """Place K units of a land system to defend the most people (MILP, HiGHS), or find the smallest K for a target."""
    check_files({"threat": scenario_file(threat)}, map_png=map_png, points=points)
    a = analysis(ctx, threat)
    query = dict(
        count=count,
        population_target=population_target,
        land_target=land_target,
        objective=objective,
        resolution_km=resolution_km,
        candidate_spacing_km=candidate_spacing_km,
        area=area,
    )
    prog, tick = progress(len(a.threat_cases()), f"siting {system} against {a.scenario.name}")
    with prog:
        res = a.site(system, progress=tick, **query)
    write_exports(res, map_png=map_png)
    if points is not None:
        # lazy: the exports load pandas and xarray; only when a file is asked for
        from bmdlab.export import write_geojson

        write_geojson(res.to_geojson(), points)
        res.exports["geojson"] = str(points)
    if as_json:
        print_json(res)
        return
    s = res.siting
    of = "Japan's" if area == "all" else "the threatened"
    console.print(
        f"[bold]{s.count} x {system}[/] defend {percent(res.population_fraction)} of {of} population and "
        f"{percent(res.land_fraction)} of {of} land (objective {s.query.objective}, gap {s.gap:.2%}, "
        f"{s.candidates} candidate sites, threat from {threat})"
    )
    t = Table("lat", "lon", title="sites", title_justify="left")
    for lat, lon in s.sites:
        t.add_row(f"{round(lat, 4):.3f}", f"{round(lon, 4):.3f}")
    print_table(t)
    if s.target_met is False:
        console.print(f"[yellow]target {s.query.target:.0%} not reached with up to {s.count} units[/]")
    report_exports(res)


@app.command(rich_help_panel=panels.COVERAGE)
@user_errors()
def rotation(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help=SCENARIO_HELP, autocompletion=complete_scenario)],
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Land grid cell size. [km]")] = 20.0,
    days: Annotated[float, typer.Option("--days", help="Span of the rotation followed. [days]")] = 30.0,
    step_h: Annotated[float, typer.Option("--step-h", help="Time step. [h]")] = 1.0,
    compare_with: Annotated[
        str | None,
        typer.Option(
            "--compare-with",
            help="Another scenario (e.g. japan-2017-aegis-ashore): the hulls this fleet needs to defend, at every "
            "instant, the people that one defends at its worst hour.",
            autocompletion=complete_scenario,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    table: Annotated[
        Path | None, typer.Option("--table", help="Write one row per time step to this .csv or .parquet file.")
    ] = None,
    settings: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
) -> None:
    """Shares of Japan defended hour by hour as the ships rotate through their stations (one to two of four ships
    on station), and the hulls a fleet needs to match another architecture."""
    inputs = {"scenario": scenario_file(scenario), "compare_with": scenario_file(compare_with)}
    check_files(inputs, table=(table, TABLE_SUFFIXES))
    a = analysis(ctx, scenario, settings=settings)
    prog, tick = progress(len(a.threat_cases()), f"rotation of {a.scenario.name} at {resolution_km:g} km")
    with prog:
        res = a.rotation(resolution_km, days=days, step_h=step_h, compare_with=compare_with, progress=tick)
    write_exports(res, table=table)
    if as_json:
        print_json(res)
        return
    d = res.data
    for f in d["posture"]["fleets"]:
        console.print(
            f"[bold]{f['unit']}[/]: {f['hulls']} hulls, {percent(f['share_on_station'])} of each cycle "
            f"({f['cycle_days']:g} days) on station: {f['expected_on_station']:g} on station on average, at least "
            f"{f['stations_always_manned']}",
            highlight=False,
        )
    t = Table(
        "share of Japan",
        "worst hour",
        "mean",
        "best hour",
        title=f"{a.scenario.name}, {days:g} days",
        title_justify="left",
    )
    for key, label in (("land_fraction", "land"), ("population_fraction", "people")):
        x = d[key]
        t.add_row(label, f"{percent(x['min'])}", f"{percent(x['mean'])}", f"{percent(x['max'])}")
    print_table(t)
    m = d["ships_to_match"]
    if m is not None:
        other = d["compare_with"]
        t = Table(
            "stations manned",
            "people defended",
            "hulls needed",
            title=f"to match {other['scenario']} (worst hour {percent(other['population_fraction']['min'])} of people)",
            title_justify="left",
        )
        for row in m["by_stations"]:
            t.add_row(str(row["stations"]), f"{percent(row['people_fraction'])}", str(row["hulls_needed"]))
        print_table(t)
        console.print(
            f"{m['fleet']}: {m['stations']} stations, {m['hulls_needed']} hulls ({m['extra_hulls']} more than "
            f"{m['hulls']})"
            if m["stations"] is not None
            else f"{m['fleet']}: even every station of the scenario falls short of {percent(m['target_people_fraction'])}",
            highlight=False,
        )
    report_exports(res)
