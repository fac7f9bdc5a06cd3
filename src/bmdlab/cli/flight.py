"""``bmdlab trajectory``, ``bmdlab footprint``, ``bmdlab check-footprints``: single flights and defended footprints."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import rich.markup
import typer
from rich.table import Table

from bmdlab.cli import panels
from bmdlab.cli._app import (
    FLYOUT_HELP,
    LAYER_HELP,
    LIMITS_HELP,
    analysis,
    app,
    check_files,
    complete_key,
    console,
    layers_of,
    print_json,
    print_table,
    progress,
    renamed,
    report_exports,
    user_errors,
    write_exports,
    write_layers,
)
from bmdlab.io import atomic_write_bytes

if TYPE_CHECKING:
    from bmdlab.api.results import FlightFigures

renamed("footprint", {"--geojson": "--layer", "--netcdf": "--layer"})

PLACE_HELP = "LAT,LON in degrees, a catalog place key (e.g. sunan) or a city of Japan (e.g. tokyo)."


@app.command(rich_help_panel=panels.FLIGHTS)
@user_errors(aliases={"launch": "--from", "aim": "--to"})
def trajectory(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="Launch point: " + PLACE_HELP)],
    missile: Annotated[
        str | None,
        typer.Option(
            "--missile",
            help="Catalog missile key (burn time, range limit). Without it: pure Keplerian flight.",
            autocompletion=complete_key("missiles"),
        ),
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="Aim point: " + PLACE_HELP)] = None,
    range_km: Annotated[float | None, typer.Option("--range-km", help="Ground range instead of --to. [km]")] = None,
    azimuth_deg: Annotated[
        float | None, typer.Option("--azimuth-deg", help="Azimuth with --range-km, clockwise from north. [deg]")
    ] = None,
    shape: Annotated[str, typer.Option("--shape", help="minimum-energy, lofted or depressed.")] = "minimum-energy",
    apogee_km: Annotated[float | None, typer.Option("--apogee-km", help="Apogee for lofted/depressed. [km]")] = None,
    angle_deg: Annotated[
        float | None,
        typer.Option("--angle-deg", help="Burnout flight-path angle for lofted/depressed instead of an apogee. [deg]"),
    ] = None,
    earth_rotation: Annotated[
        bool, typer.Option("--earth-rotation", help="Let the Earth turn under the flight.")
    ] = False,
    turn_km: Annotated[
        float,
        typer.Option("--turn-km", help="A boost-glide missile's glide turns out this far to one side and back. [km]"),
    ] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the altitude profile to this PNG.")] = None,
    layers: Annotated[list[Path] | None, typer.Option("--layer", help=LAYER_HELP, metavar="FILE")] = None,
) -> None:
    """Fly one trajectory (ballistic, quasi-ballistic or boost-glide, as the missile flies) and print its range,
    apogee, flight time and speeds."""
    check_files(plot=plot, layers=layers_of(layers))
    a = analysis(ctx)
    res = a.trajectory(
        from_,
        to,
        missile=missile,
        range_km=range_km,
        azimuth_deg=azimuth_deg,
        shape=shape,
        apogee_km=apogee_km,
        angle_deg=angle_deg,
        earth_rotation=earth_rotation,
        turn_km=turn_km,
    )
    name = a.catalog.missile(missile).name if missile else "Keplerian flight"
    route = f"{res.launch.label} to {res.aim.label}"
    if plot is not None:
        # lazy: plotting loads Matplotlib; only when a figure is asked for
        from bmdlab.plotting.profile import plot_profile

        plot_profile(res.trajectory, plot, labels=[f"{name}, {res.figures.shape}"], title=f"{name}: {route}")
        res.exports["plot"] = str(plot)
    write_layers(res, layers)
    if as_json:
        print_json(res)
        return
    f = res.figures
    table = Table(
        "quantity",
        "value",
        title=f"{name} ({res.figures.shape}): {res.launch.label} -> {res.aim.label}",
        title_justify="left",
    )
    table.columns[1].justify = "right"
    for row in (
        ("ground range", f"{f.range_km:,.0f} km"),
        ("apogee", f"{f.apogee_km:,.0f} km"),
        ("flight time", f"{f.flight_time_s / 60:,.1f} min ({f.flight_time_s:,.0f} s)"),
        ("burn time", f"{f.burn_time_s:,.0f} s"),
        ("burnout speed", f"{f.burnout_speed_m_s:,.0f} m/s"),
        ("burnout altitude", f"{f.burnout_altitude_km:,.0f} km"),
        ("burnout angle", f"{f.burnout_angle_deg:.1f} deg"),
        *_speed_rows(f),
    ):
        table.add_row(*row)
    print_table(table)
    if plot is not None:
        console.print(f"profile written to {plot}")
    res.exports.pop("plot", None)
    report_exports(res)


def _speed_rows(f: FlightFigures) -> list[tuple[str, str]]:
    """The re-entry speed of a ballistic flight; the pull-up speed, glide range and impact speed of an atmospheric one."""
    if f.shape in ("minimum-energy", "lofted", "depressed"):
        return [("re-entry speed (100 km, vacuum)", f"{f.reentry_speed_m_s:,.0f} m/s")]
    rows = [("flight class", f.shape)]
    if f.pull_up_speed_m_s is not None and f.glide_range_km is not None:
        rows += [
            ("speed at pull-up", f"{f.pull_up_speed_m_s:,.0f} m/s"),
            ("glide to the dive", f"{f.glide_range_km:,.0f} km"),
        ]
    return rows + [("speed at impact (with drag)", f"{f.impact_speed_m_s:,.0f} m/s")]


@app.command(rich_help_panel=panels.FLIGHTS)
@user_errors()
def footprint(
    ctx: typer.Context,
    unit: Annotated[
        str,
        typer.Argument(
            help="Catalog unit key, e.g. pac-3-fire-unit, thaad-battery, kongo-class.",
            autocompletion=complete_key("units"),
        ),
    ],
    at: Annotated[str, typer.Option("--at", help="Unit position: " + PLACE_HELP)],
    missile: Annotated[
        str, typer.Option("--missile", help="Threat missile key.", autocompletion=complete_key("missiles"))
    ],
    launch: Annotated[str, typer.Option("--launch", help="Launch point: " + PLACE_HELP)],
    shape: Annotated[str, typer.Option("--shape", help="minimum-energy, lofted or depressed.")] = "minimum-energy",
    apogee_km: Annotated[float | None, typer.Option("--apogee-km", help="Apogee for lofted/depressed. [km]")] = None,
    track_delay_s: Annotated[
        float | None,
        typer.Option(
            "--track-delay-s", help="Detection to launch decision [s]; default: the unit's catalog reaction time."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    map_png: Annotated[Path | None, typer.Option("--map", help="Write the footprint map to this PNG.")] = None,
    layers: Annotated[list[Path] | None, typer.Option("--layer", help=LAYER_HELP, metavar="FILE")] = None,
    flyout: Annotated[str, typer.Option("--flyout", help=FLYOUT_HELP)] = "physical",
    limits: Annotated[str, typer.Option("--limits", help=LIMITS_HELP)] = "all",
) -> None:
    """The aim points a unit can defend against one missile from one launch point."""
    check_files(map_png=map_png, layers=layers_of(layers))
    res = analysis(ctx, flyout=flyout, limits=limits).footprint(
        unit, at, missile, launch, shape=shape, apogee_km=apogee_km, track_delay_s=track_delay_s
    )
    write_exports(res, map_png=map_png, layers=layers)
    if as_json:
        print_json(res)
        return
    cat = res.catalog
    n = res.max_shot_opportunities
    console.print(
        f"{cat.units[unit].name} ({res.footprint.defender.interceptor}) at {res.at.label} against "
        f"{cat.missile(missile).name} from {res.launch.label}: defended area {res.area_km2:,.0f} km2, farthest "
        f"defended aim point {res.max_radius_km:,.0f} km, up to {n} shot opportunit{'y' if n == 1 else 'ies'}"
    )
    report_exports(res)


@app.command("check-footprints", rich_help_panel=panels.CHECKS)
@user_errors(aliases={"cases": "--case"})
def check_footprints(
    ctx: typer.Context,
    case: Annotated[
        list[str] | None, typer.Option("--case", help="Only this case id (repeatable); default: every case.")
    ] = None,
    resolution_km: Annotated[
        float, typer.Option("--resolution-km", help="Grid of Japan for the national cases. [km]")
    ] = 20.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the table and explanations as Markdown to this file.")
    ] = None,
) -> None:
    """Defended footprints against every published footprint figure, with ratios and why they differ."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.coverage.published_footprints import TOLERANCE_FACTOR, explain, published_cases, round_figure

    check_files(markdown=markdown)
    a = analysis(ctx)
    known = {c.id for c in published_cases()}
    bad = [c for c in case or [] if c not in known]
    n = len(case) if case and not bad else len(known)
    prog, tick = progress(n, f"published footprints at {resolution_km:g} km")
    if bad:  # refuse before the progress display
        a.footprint_checks(resolution_km=resolution_km, cases=case)
    with prog:
        res = a.footprint_checks(resolution_km=resolution_km, cases=case, progress=tick)
    if markdown is not None:
        atomic_write_bytes(markdown, (res.markdown() + "\n").encode("utf-8"))
    if as_json:
        print_json(res)
        return
    t = Table(
        title=f"defended footprints against published figures (within {TOLERANCE_FACTOR:g}x counts as reproduced)",
        title_justify="left",
    )
    for col in ("case", "published", "model", "ratio", "reproduced", "earlier model"):
        t.add_column(col)
    for r in res.cases:
        c, (lo, hi) = r.case, r.case.published
        pub = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
        model = (
            f"{round_figure(r.span[0]):g}-{round_figure(r.span[1]):g}" if r.span else f"{round_figure(r.model_value)}"
        )
        ok = ("yes" if r.within_tolerance else "no") if c.scored else "not scored"
        legacy = round_figure(r.variants["straight-line, no limits"])
        t.add_row(c.title, f"{pub} {c.unit}", f"{model} {c.unit}", f"{round_figure(r.ratio, 3)}", ok, f"{legacy}")
    print_table(t)
    for r in res.cases:
        console.print(f"[bold]{rich.markup.escape(r.case.title)}.[/] {rich.markup.escape(explain(r))}")
    if markdown is not None:
        console.print(f"wrote {markdown}")
