"""The ``bmdlab`` command line: parse, call the Python API, render (STYLE.md, convention 13)."""

from __future__ import annotations

import functools
import json
import math
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import rich.markup
import typer
from typer.core import TyperGroup

try:  # Typer 0.20 and later vendor Click as typer._click; earlier ones use Click itself
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    from click import exceptions as click_exceptions
#: Ctrl-C while Click parses or a command runs (Typer's own Abort, and Click's where it has one).
ABORTS = tuple({typer.Abort, getattr(click_exceptions, "Abort", typer.Abort)})
from rich.console import Console
from rich.table import Table

from bmdlab import __version__
from bmdlab.catalog import KINDS, Catalog, builtin_catalog, load_catalog
from bmdlab.catalog.schema import Value
from bmdlab.errors import BmdlabError

def _one_line(text: str) -> str:
    """A message on one line: control characters a user typed (newlines, tabs) are shown escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


class _OneLineErrors(TyperGroup):
    """Command-line parse errors (an unknown option, a value of the wrong type) as one ``error:`` line
    naming the option, and exit code 2, like every other bad input (Click prints three lines)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_exceptions.NoArgsIsHelpError as exc:  # bare `bmdlab` or `bmdlab catalog`: the help
            if not standalone_mode:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click_exceptions.ClickException as exc:
            if not standalone_mode:
                raise
            where = f" (see {exc.ctx.command_path} --help)" if getattr(exc, "ctx", None) is not None else ""
            err_console.print(f"[bold red]error:[/] {rich.markup.escape(_one_line(exc.format_message()))}{where}",
                              highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except ABORTS:
            if not standalone_mode:
                raise
            err_console.print("Aborted!")
            sys.exit(1)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


app = typer.Typer(
    cls=_OneLineErrors,
    name="bmdlab",
    help="Open, sourced, reproducible missile-defence analysis (Japan 2017 case study).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
catalog_app = typer.Typer(help="List and show sourced catalog entries.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")

console = Console()
err_console = Console(stderr=True)


def user_errors(fn):
    """Turn :class:`BmdlabError` into a one-line message and exit code 2 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BmdlabError as exc:
            err_console.print(f"[bold red]error:[/] {rich.markup.escape(_one_line(str(exc)))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def _catalog(ctx: typer.Context) -> Catalog:
    path = (ctx.find_root().obj or {}).get("catalog")
    return builtin_catalog() if path is None else load_catalog(path)


def _print_json(obj: Any) -> None:
    from bmdlab.io import json_text

    sys.stdout.write(json_text(obj))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bmdlab {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    catalog: Annotated[Path | None, typer.Option("--catalog", help="Use a catalog directory instead of the built-in one.", envvar="BMDLAB_CATALOG")] = None,
) -> None:
    """bmdlab: coverage, raids and costs of missile defence, from sourced data and physics."""
    ctx.obj = {"catalog": catalog}


# --------------------------------------------------------------------------------------- catalog
def _value_json(v: Value) -> dict[str, Any]:
    return v.model_dump(exclude_none=True)


def _entry_json(catalog: Catalog, kind: str, key: str) -> dict[str, Any]:
    entry = catalog.get(kind, key)
    data = entry.model_dump(exclude_none=True)
    cited = sorted({v.source for v in entry.__dict__.values() if isinstance(v, Value)})
    data = {"key": key, "kind": kind, **data, "sources": {s: catalog.sources[s].model_dump(exclude_none=True) for s in cited}}
    return data


@catalog_app.command("list")
@user_errors
def catalog_list(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help=f"One of: {', '.join(KINDS)}.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List catalog entries (all kinds, or one)."""
    cat = _catalog(ctx)
    kinds = [kind] if kind else list(KINDS)
    for k in kinds:
        if k not in KINDS:
            raise BmdlabError(f"--kind: unknown kind '{k}'; use one of {', '.join(KINDS)}")
    if as_json:
        _print_json({
            "catalog_hash": cat.hash,
            "entries": [{"kind": k, "key": key, "name": e.name} for k in kinds for key, e in cat.kind(k).items()],
        })
        return
    for k in kinds:
        table = Table(title=f"{k} ({len(cat.kind(k))})", title_justify="left")
        table.add_column("key", style="cyan", no_wrap=True)
        table.add_column("name")
        table.add_column("summary")
        for key, e in cat.kind(k).items():
            table.add_row(key, e.name, _summary(k, e))
        console.print(table)
    console.print(f"catalog {cat.origin}, hash {cat.hash}")


def _summary(kind: str, e: Any) -> str:
    if kind == "missiles":
        return f"{e.missile_class}, range {e.range.display()}, burn {e.burn_time.display()}"
    if kind == "interceptors":
        return f"{e.tier} tier, burnout {e.burnout_speed.display()}, {e.min_intercept_altitude.display()}-{e.max_intercept_altitude.display()} altitude"
    if kind == "sensors":
        return f"range {e.range_ballistic.display()}, field of view {e.field_of_view.display()}"
    if kind == "units":
        return f"{e.basing}, {e.interceptor} + {e.sensor}, magazine {e.magazine.display()}"
    return f"{e.kind}, {e.lat.nominal:.3f}, {e.lon.nominal:.3f}"


@catalog_app.command("show")
@user_errors
def catalog_show(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Catalog key, e.g. hwasong-12, sm-3-iia, araya.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one entry with every value's unit, source, year and confidence."""
    cat = _catalog(ctx)
    kind, entry = cat.find(key)
    if as_json:
        _print_json(_entry_json(cat, kind, key))
        return
    table = Table(title=f"{entry.name} ({kind.removesuffix('s')} '{key}')", title_justify="left", show_lines=False)
    for col in ("field", "value", "confidence", "year", "source"):
        table.add_column(col)
    for name, val in entry.__dict__.items():
        if isinstance(val, Value):
            table.add_row(name, val.display(), val.confidence, str(val.year), val.source)
        elif val not in (None, [], ""):
            table.add_row(name, str(val), "", "", "")
    console.print(table)
    cited = sorted({v.source for v in entry.__dict__.values() if isinstance(v, Value)})
    for s in cited:
        src = cat.sources[s]
        console.print(f"[cyan]{s}[/]: {src.publisher}, \"{src.title}\" ({src.year}){' ' + src.url if src.url else ''}", soft_wrap=True, highlight=False)


@catalog_app.command("check")
@user_errors
def catalog_check_cmd(
    ctx: typer.Context,
    tolerance: Annotated[float, typer.Option("--tolerance", help="Flag a catalog range that differs from the observed energy's range by more than this fraction.")] = 0.35,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Catalog ranges against observed test flights: the range each missile's observed energy reaches."""
    from bmdlab.trajectory.consistency import catalog_check

    if not (math.isfinite(tolerance) and 0.0 < tolerance < 10.0):
        raise BmdlabError(f"--tolerance: {tolerance:g} must be a fraction above 0 (e.g. 0.35)")
    cat = _catalog(ctx)
    rows = catalog_check(cat, tolerance)
    if as_json:
        _print_json({"catalog_hash": cat.hash, "bmdlab_version": __version__, "tolerance": tolerance, "missiles": rows,
                     "flagged": [r["missile"] for r in rows if r["flagged"]]})
        return
    t = Table("missile", "catalog range", "observed flight", "burnout speed", "range (kinematic)",
              "range (gravity loss)", "difference", "flag", title=f"catalog ranges against observed flights (tolerance {tolerance:.0%})",
              title_justify="left")
    for r in rows:
        t.add_row(r["name"], f"{r['catalog_range_km']:,.0f} km", f"{r['flight']} ({r['flight_shape']})",
                  f"{r['model_burnout_speed_m_s'] / 1e3:.2f} km/s", f"{r['equivalent_range_kinematic_km']:,.0f} km",
                  f"{r['equivalent_range_km']:,.0f} km", f"{r['difference']:+.0%}", "FLAG" if r["flagged"] else "")
    console.print(t)
    missing = [k for k in cat.missiles if k not in {r["missile"] for r in rows}]
    if missing:
        console.print(f"not checked (no observed flight shipped): {', '.join(missing)}", soft_wrap=True, highlight=False)


# ------------------------------------------------------------------------------------ trajectory
def parse_point(text: str, option: str, cat: Catalog) -> tuple[float, float, str]:
    """``LAT,LON`` in degrees, or a catalog place key; returns (lat_deg, lon_deg, label)."""
    if text in cat.places:
        p = cat.places[text]
        return p.lat.nominal, p.lon.nominal, p.name
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise BmdlabError(f"{option}: '{text}' is not LAT,LON in degrees (e.g. 39.22,125.67) nor a catalog place key") from None
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise BmdlabError(f"{option}: latitude {lat:g} is out of range; use -90 to 90 degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise BmdlabError(f"{option}: longitude {lon:g} is out of range; use -180 to 180 degrees")
    return lat, lon, f"{lat:.3f},{lon:.3f}"


@app.command()
@user_errors
def trajectory(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="Launch point: LAT,LON in degrees or a place key (e.g. sunan).")],
    missile: Annotated[str | None, typer.Option("--missile", help="Catalog missile key (burn time, range limit). Without it: pure Keplerian flight.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Aim point: LAT,LON in degrees or a place key.")] = None,
    range_km: Annotated[float | None, typer.Option("--range-km", help="Ground range instead of --to. [km]")] = None,
    azimuth_deg: Annotated[float | None, typer.Option("--azimuth-deg", help="Azimuth with --range-km, clockwise from north. [deg]")] = None,
    shape: Annotated[str, typer.Option("--shape", help="minimum-energy, lofted or depressed.")] = "minimum-energy",
    apogee_km: Annotated[float | None, typer.Option("--apogee-km", help="Apogee for lofted/depressed. [km]")] = None,
    angle_deg: Annotated[float | None, typer.Option("--angle-deg", help="Burnout flight-path angle for lofted/depressed instead of an apogee. [deg]")] = None,
    earth_rotation: Annotated[bool, typer.Option("--earth-rotation", help="Let the Earth turn under the flight.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the altitude profile to this PNG.")] = None,
) -> None:
    """Fly one ballistic trajectory and print its range, apogee, flight time and speeds."""
    from bmdlab.geo.sphere import EARTH_RADIUS, destination
    from bmdlab.trajectory import missile_trajectory

    cat = _catalog(ctx)
    mis = cat.missile(missile) if missile is not None else None
    _check_outputs(plot=plot)
    lat1, lon1, from_label = parse_point(from_, "--from", cat)
    if (to is None) == (range_km is None):
        raise BmdlabError("give either --to LAT,LON or --range-km R with --azimuth-deg A")
    if to is not None:
        if azimuth_deg is not None:
            raise BmdlabError("--azimuth-deg goes with --range-km, not with --to")
        lat2, lon2, to_label = parse_point(to, "--to", cat)
    else:
        if azimuth_deg is None:
            raise BmdlabError("--range-km needs --azimuth-deg A (clockwise from north, degrees)")
        if not (math.isfinite(range_km) and 1.0 <= range_km < math.pi * EARTH_RADIUS / 1e3):
            raise BmdlabError(f"--range-km: {range_km:g} is not a usable range; use 1 <= R < 20,000 km")
        if not math.isfinite(azimuth_deg):
            raise BmdlabError("--azimuth-deg: must be a number of degrees")
        la, lo = destination(np.radians(lat1), np.radians(lon1), np.radians(azimuth_deg), range_km * 1e3 / EARTH_RADIUS)
        lat2, lon2 = float(np.degrees(la)), float(np.degrees(lo))
        to_label = f"{lat2:.3f},{lon2:.3f}"
    if apogee_km is not None and not (math.isfinite(apogee_km) and apogee_km > 0):
        raise BmdlabError(f"--apogee-km: {apogee_km:g} must be a positive number of km")
    if angle_deg is not None and not (math.isfinite(angle_deg) and 0 < angle_deg < 90):
        raise BmdlabError(f"--angle-deg: {angle_deg:g} must be between 0 and 90 degrees")
    if shape == "minimum-energy" and (apogee_km is not None or angle_deg is not None):
        raise BmdlabError("--apogee-km/--angle-deg apply to --shape lofted or depressed, not minimum-energy")
    from bmdlab.geo.sphere import central_angle

    if EARTH_RADIUS * float(central_angle(np.radians(lat1), np.radians(lon1), np.radians(lat2), np.radians(lon2))) < 1e3:
        raise BmdlabError("--to: the aim point is within 1 km of the launch point; choose a farther target")
    traj = missile_trajectory(
        mis, np.radians(lat1), np.radians(lon1), np.radians(lat2), np.radians(lon2),
        shape=shape,
        apogee=None if apogee_km is None else apogee_km * 1e3,
        angle=None if angle_deg is None else np.radians(angle_deg),
        earth_rotation=earth_rotation,
    )
    result = trajectory_summary(traj, 0)
    result.update({
        "missile": missile,
        "from": {"lat": lat1, "lon": lon1, "label": from_label},
        "to": {"lat": lat2, "lon": lon2, "label": to_label},
        "catalog_hash": cat.hash,
        "bmdlab_version": __version__,
    })
    if plot is not None:
        from bmdlab.plotting.profile import plot_profile

        name = mis.name if mis else "Keplerian flight"
        plot_profile(traj, plot, labels=[f"{name}, {shape}"], title=f"{name}: {from_label} to {to_label}")
        result["plot"] = str(plot)
    if as_json:
        _print_json(result)
        return
    table = Table(title=f"{mis.name if mis else 'Keplerian flight'} ({shape}): {from_label} -> {to_label}", title_justify="left")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = [
        ("ground range", f"{result['range_km']:,.0f} km"),
        ("apogee", f"{result['apogee_km']:,.0f} km"),
        ("flight time", f"{result['flight_time_s'] / 60:,.1f} min ({result['flight_time_s']:,.0f} s)"),
        ("burn time", f"{result['burn_time_s']:,.0f} s"),
        ("burnout speed", f"{result['burnout_speed_m_s']:,.0f} m/s"),
        ("burnout altitude", f"{result['burnout_altitude_km']:,.0f} km"),
        ("burnout angle", f"{result['burnout_angle_deg']:.1f} deg"),
        ("re-entry speed (100 km, vacuum)", f"{result['reentry_speed_m_s']:,.0f} m/s"),
    ]
    for r in rows:
        table.add_row(*r)
    console.print(table)
    if plot is not None:
        console.print(f"profile written to {plot}")


def trajectory_summary(traj: Any, i: int) -> dict[str, Any]:
    """The headline figures of trajectory ``i`` in edge units (km, s, m/s, deg)."""
    return {
        "shape": traj.shape,
        "earth_rotation": traj.earth_rotation,
        "range_km": round(float(traj.ground_range[i]) / 1e3, 3),
        "apogee_km": round(float(traj.apogee[i]) / 1e3, 3),
        "flight_time_s": round(float(traj.flight_time[i]), 2),
        "time_to_apogee_s": round(float(traj.time_to_apogee[i]), 2),
        "burn_time_s": round(float(traj.burn_time[i]), 2),
        "burnout_speed_m_s": round(float(traj.burnout_speed[i]), 1),
        "burnout_altitude_km": round(float(traj.burnout_altitude[i]) / 1e3, 3),
        "burnout_angle_deg": round(float(np.degrees(traj.burnout_angle[i])), 3),
        "reentry_speed_m_s": round(float(traj.reentry_speed[i]), 1),
        "impact_speed_m_s": round(float(traj.impact_speed[i]), 1),
    }


# -------------------------------------------------------------------------------------- coverage
def _progress(total: int, description: str):
    """A progress display on stderr (a bar on a terminal, timestamped lines when redirected) and its tick."""
    from bmdlab.progress import progress_display

    prog = progress_display(err_console)
    task = prog.add_task(description, total=total)
    prog.task_id = task
    return prog, (lambda *_: prog.advance(task))


def _engagement_model(flyout: str | None, limits: str | None, base=None):
    """The engagement model from --flyout/--limits over ``base`` (a scenario timeline's), or None if neither is given."""
    from bmdlab.defense.engage import ENGAGEMENT_LIMITS, EngagementModel, check_limits

    if flyout is None and limits is None:
        return None
    if flyout is not None and flyout not in ("physical", "straight-line"):
        raise BmdlabError(f"--flyout: unknown fly-out model '{flyout}'; use physical or straight-line")
    if limits is None:
        chosen = base.limits if base is not None else frozenset(ENGAGEMENT_LIMITS)
    elif limits.strip() == "all":
        chosen = frozenset(ENGAGEMENT_LIMITS)
    elif limits.strip() == "none":
        chosen = frozenset()
    else:
        try:
            chosen = check_limits(x.strip() for x in limits.split(",") if x.strip())
        except ValueError as exc:
            raise BmdlabError(f"--limits: {exc} (or all, none)") from None
    return EngagementModel(flyout=flyout or (base.flyout if base is not None else "physical"), limits=chosen)


FLYOUT_HELP = "Interceptor fly-out model: physical (point mass with thrust, gravity and drag) or straight-line (the earlier kinematic model)."
LIMITS_HELP = ("Engagement limits in force: all, none, or a comma list of launcher-elevation, min-flight-time, crossing, "
               "track-rcs, field-of-view.")


def _model_json(model) -> dict:
    return {"flyout": model.flyout, "limits": sorted(model.limits)}


def _check_outputs(**paths: Path | None) -> None:
    """Refuse unwritable output files before any work (option name = keyword, underscores for dashes)."""
    from bmdlab.io import check_output_file

    for option, path in paths.items():
        if path is not None:
            check_output_file(path, "--" + option.replace("_", "-"))


def _check_resolution(resolution_km: float) -> None:
    if not (math.isfinite(resolution_km) and 0.5 <= resolution_km <= 200.0):
        raise BmdlabError(f"--resolution-km: {resolution_km:g} is outside 0.5 to 200 km")


@app.command()
@user_errors
def coverage(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name (e.g. japan-2017-baseline) or a YAML file.")],
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Land grid cell size. [km]")] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    map_png: Annotated[Path | None, typer.Option("--map", help="Write a coverage map to this PNG.")] = None,
    flyout: Annotated[str | None, typer.Option("--flyout", help=FLYOUT_HELP + " Default: the scenario's (physical).")] = None,
    limits: Annotated[str | None, typer.Option("--limits", help=LIMITS_HELP + " Default: the scenario's (all).")] = None,
) -> None:
    """How much of Japan's land and population the scenario's architecture can defend."""
    from bmdlab.coverage.national import engagement_model, national_coverage, threat_cases
    from bmdlab.coverage.summary import coverage_summary
    from bmdlab.geo.grid import land_grid
    from bmdlab.scenario import load_scenario

    _check_resolution(resolution_km)
    cat = _catalog(ctx)
    scen = load_scenario(scenario, cat)
    _check_outputs(map=map_png)
    model = engagement_model(scen, _engagement_model(flyout, limits, engagement_model(scen)))
    grid = land_grid(resolution_km)
    prog, tick = _progress(len(threat_cases(scen, cat)), f"coverage of {scen.name} at {resolution_km:g} km")
    with prog:
        cov = national_coverage(scen, cat, grid=grid, progress=tick, model=model)
    cities = _largest_cities(30)
    summary = coverage_summary(cov, cities)
    summary.update({"bmdlab_version": __version__, "engagement_model": _model_json(model)})
    if map_png is not None:
        from bmdlab.study.figures import coverage_map

        coverage_map(cov, cat, cities, map_png, title=f"{scen.name}: defended land (worst case over {len(cov.threats)} threats)")
        summary["map"] = str(map_png)
    if as_json:
        _print_json(summary)
        return
    cat_ = summary["categories"]
    console.print(f"[bold]{scen.name}[/]: {summary['land_fraction']:.1%} of Japan's land and "
                  f"{summary['population_fraction']:.1%} of its people defended (worst case, {resolution_km:g} km grid); "
                  f"not threatened by any listed threat: {cat_['not_threatened']['land_fraction']:.1%} of the land, "
                  f"{cat_['not_threatened']['population_fraction']:.1%} of the people")
    t = Table("region", "land", "people", "land defended", "people defended", "land threatened, not defended",
              "land not threatened", title="per region (fractions of each region)", title_justify="left")
    for row in summary["regions"]:
        t.add_row(row["region"], f"{row['land_km2']:,.0f} km2", f"{row['population'] / 1e6:,.2f} M",
                  f"{row['defended']['land_fraction']:.1%}", f"{row['defended']['population_fraction']:.1%}",
                  f"{row['threatened_not_defended']['land_fraction']:.1%}", f"{row['not_threatened']['land_fraction']:.1%}")
    console.print(t)
    t = Table(title="per launch area (fractions of the land its threats reach)", title_justify="left")
    for col in ("launch area", "land", "population", "reach (share of Japan's land)"):
        t.add_column(col)
    for row in summary["per_launch_area"]:
        t.add_row(row["launch_area"], f"{row['land_fraction_of_reach']:.1%}", f"{row['population_fraction_of_reach']:.1%}",
                  f"{row['reach_land_fraction']:.1%}")
    console.print(t)
    t = Table(title="units", title_justify="left")
    for col in ("unit", "system", "population alone", "population added"):
        t.add_column(col)
    for row in summary["units"]:
        t.add_row(row["name"], row["system"], f"{row['population_fraction_alone']:.1%}", f"{row['population_fraction_added']:.1%}")
    console.print(t)
    if map_png is not None:
        console.print(f"map written to {map_png}")


def _largest_cities(n: int) -> list[dict[str, Any]]:
    from bmdlab.geo.japan import largest_cities

    c = largest_cities(n)
    return [{"name": str(c.name[i]), "lat": float(c.lat_deg[i]), "lon": float(c.lon_deg[i]), "population": int(c.population[i])}
            for i in range(len(c.name))]


@app.command("check-footprints")
@user_errors
def check_footprints(
    ctx: typer.Context,
    case: Annotated[list[str] | None, typer.Option("--case", help="Only this case id (repeatable); default: every case.")] = None,
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Grid of Japan for the national cases. [km]")] = 20.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Also write the table and explanations as Markdown to this file.")] = None,
) -> None:
    """Defended footprints against every published footprint figure, with ratios and why they differ."""
    from bmdlab.coverage.published_footprints import TOLERANCE_FACTOR, footprint_checks, markdown_table, published_cases
    from bmdlab.io import atomic_write_bytes

    _check_resolution(resolution_km)
    cat = _catalog(ctx)
    known = {c.id for c in published_cases()}
    _check_outputs(markdown=markdown)
    for c in case or []:
        if c not in known:
            raise BmdlabError(f"--case: unknown case '{c}'; use one of {', '.join(sorted(known))}")
    n = len(case) if case else len(known)
    prog, tick = _progress(n, f"published footprints at {resolution_km:g} km")
    with prog:
        results = footprint_checks(cat, resolution_km=resolution_km, ids=case or None, progress=tick)
    if markdown is not None:
        atomic_write_bytes(markdown, (markdown_table(results, cat.hash, __version__) + "\n").encode("utf-8"))
    out = {"cases": [r.to_dict() for r in results], "tolerance_factor": TOLERANCE_FACTOR, "resolution_km": resolution_km,
           "catalog_hash": cat.hash, "bmdlab_version": __version__}
    if as_json:
        _print_json(out)
        return
    t = Table(title=f"defended footprints against published figures (within {TOLERANCE_FACTOR:g}x counts as reproduced)",
              title_justify="left")
    for col in ("case", "published", "model", "ratio", "reproduced", "earlier model"):
        t.add_column(col)
    for r in out["cases"]:
        pub = f"{r['published_low']:g}" if r["published_low"] == r["published_high"] else f"{r['published_low']:g}-{r['published_high']:g}"
        model = f"{r['model_span'][0]:g}-{r['model_span'][1]:g}" if r["model_span"] else f"{r['model']}"
        ok = ("yes" if r["within_tolerance"] else "no") if r["scored"] else "not scored"
        t.add_row(r["title"], f"{pub} {r['unit']}", f"{model} {r['unit']}", f"{r['ratio']}", ok, f"{r['legacy_model']}")
    console.print(t)
    for r in out["cases"]:
        console.print(f"[bold]{rich.markup.escape(r['title'])}.[/] {rich.markup.escape(r['explanation'])}")
    if markdown is not None:
        console.print(f"wrote {markdown}")


@app.command()
@user_errors
def site(
    ctx: typer.Context,
    system: Annotated[str, typer.Argument(help="Catalog unit key of a land system, e.g. thaad-battery, aegis-ashore.")],
    count: Annotated[int | None, typer.Option("--count", help="Number of units to place.")] = None,
    population_target: Annotated[float | None, typer.Option("--population-target", help="Smallest count reaching this population fraction (0-1).")] = None,
    land_target: Annotated[float | None, typer.Option("--land-target", help="Smallest count reaching this land fraction (0-1); implies --objective land.")] = None,
    objective: Annotated[str, typer.Option("--objective", help="What to maximise: population or land.")] = "population",
    threat: Annotated[str, typer.Option("--threat", help="Scenario whose threat (launch areas, missiles, shapes) the units must defend against.")] = "japan-2017-baseline",
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Land grid cell size. [km]")] = 10.0,
    candidate_spacing_km: Annotated[float, typer.Option("--candidate-spacing-km", help="Spacing of candidate sites on land. [km]")] = 30.0,
    area: Annotated[str, typer.Option("--area", help="What targets and fractions are of: all (of Japan) or threatened (the land the threat reaches).")] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    map_png: Annotated[Path | None, typer.Option("--map", help="Write a map of the chosen sites and their coverage.")] = None,
) -> None:
    """Place K units of a land system to defend the most people (MILP, HiGHS), or find the smallest K for a target."""
    from bmdlab.coverage.siting_study import optimise_sites
    from bmdlab.scenario import load_scenario

    _check_resolution(resolution_km)
    if sum(x is not None for x in (count, population_target, land_target)) != 1:
        raise BmdlabError("give exactly one of --count K, --population-target F or --land-target F")
    for name, val in (("--population-target", population_target), ("--land-target", land_target)):
        if val is not None and not (0.0 < val <= 1.0):
            raise BmdlabError(f"{name}: {val:g} must be a fraction in (0, 1]")
    if count is not None and count < 1:
        raise BmdlabError(f"--count: {count} must be at least 1")
    if not (math.isfinite(candidate_spacing_km) and 5.0 <= candidate_spacing_km <= 500.0):
        raise BmdlabError(f"--candidate-spacing-km: {candidate_spacing_km:g} is outside 5 to 500 km")
    if area not in ("all", "threatened"):
        raise BmdlabError(f"--area: unknown area '{area}'; use all or threatened")
    cat = _catalog(ctx)
    _check_outputs(map=map_png)
    if system not in cat.units:
        from bmdlab.errors import unknown_key

        raise unknown_key("unit", system, cat.units)
    if cat.units[system].basing != "land":
        raise BmdlabError(f"SYSTEM: '{system}' is sea-based; siting places land systems ({', '.join(k for k, u in cat.units.items() if u.basing == 'land')})")
    scen = load_scenario(threat, cat)
    result = optimise_sites(cat, system, scen, count=count, population_target=population_target, land_target=land_target,
                            objective=objective, resolution_km=resolution_km, candidate_spacing_km=candidate_spacing_km,
                            console=err_console, map_png=map_png, area=area)
    result["bmdlab_version"] = __version__
    if as_json:
        _print_json(result)
        return
    of = "Japan's" if area == "all" else "the threatened"
    console.print(f"[bold]{result['count']} x {system}[/] defend {result['population_fraction']:.1%} of {of} population and "
                  f"{result['land_fraction']:.1%} of {of} land (objective {result['objective']}, gap {result['gap']:.2%}, "
                  f"{result['candidates']} candidate sites, threat from {threat})")
    t = Table(title="sites", title_justify="left")
    t.add_column("lat")
    t.add_column("lon")
    for s in result["sites"]:
        t.add_row(f"{s['lat']:.3f}", f"{s['lon']:.3f}")
    console.print(t)
    if result.get("target_met") is False:
        console.print(f"[yellow]target {population_target or land_target:.0%} not reached with up to {result['count']} units[/]")


@app.command()
@user_errors
def footprint(
    ctx: typer.Context,
    unit: Annotated[str, typer.Argument(help="Catalog unit key, e.g. pac-3-fire-unit, thaad-battery, kongo-class.")],
    at: Annotated[str, typer.Option("--at", help="Unit position: LAT,LON in degrees or a place key.")],
    missile: Annotated[str, typer.Option("--missile", help="Threat missile key.")],
    launch: Annotated[str, typer.Option("--launch", help="Launch point: LAT,LON in degrees or a launch-area key.")],
    shape: Annotated[str, typer.Option("--shape", help="minimum-energy, lofted or depressed.")] = "minimum-energy",
    apogee_km: Annotated[float | None, typer.Option("--apogee-km", help="Apogee for lofted/depressed. [km]")] = None,
    track_delay_s: Annotated[float | None, typer.Option("--track-delay-s", help="Detection to launch decision [s]; default: the unit's catalog reaction time.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    map_png: Annotated[Path | None, typer.Option("--map", help="Write the footprint map to this PNG.")] = None,
    flyout: Annotated[str, typer.Option("--flyout", help=FLYOUT_HELP)] = "physical",
    limits: Annotated[str, typer.Option("--limits", help=LIMITS_HELP)] = "all",
) -> None:
    """The aim points a unit can defend against one missile from one launch point."""
    from bmdlab.defense.engage import make_defender
    from bmdlab.defense.footprint import defended_footprint
    from bmdlab.geo.japan import is_land

    cat = _catalog(ctx)
    _check_outputs(map=map_png)
    if unit not in cat.units:
        from bmdlab.errors import unknown_key

        raise unknown_key("unit", unit, cat.units)
    mis = cat.missile(missile)
    lat, lon, label = parse_point(at, "--at", cat)
    llat, llon, llabel = parse_point(launch, "--launch", cat)
    land = bool(is_land(lat, lon))
    if cat.units[unit].basing == "land" and not land:
        raise BmdlabError(f"--at: {lat:.3f},{lon:.3f} is in the sea; a {unit} is land-based, move it onto land")
    if cat.units[unit].basing == "sea" and land:
        raise BmdlabError(f"--at: {lat:.3f},{lon:.3f} is on land; a {unit} is a ship, place it at sea")
    if track_delay_s is not None and not (math.isfinite(track_delay_s) and track_delay_s >= 0):
        raise BmdlabError("--track-delay-s: must be a non-negative number of seconds")
    if shape != "minimum-energy" and apogee_km is None:
        raise BmdlabError(f"--shape {shape} needs --apogee-km")
    model = _engagement_model(flyout, limits)
    d = make_defender(cat, unit, lat, lon, name=label, model=model)
    fp = defended_footprint(d, mis, missile, llat, llon, shape=shape,
                            apogee=None if apogee_km is None else apogee_km * 1e3, track_delay=track_delay_s)
    result = {
        "unit": unit, "interceptor": d.interceptor, "at": {"lat": lat, "lon": lon}, "missile": missile,
        "launch": {"lat": llat, "lon": llon}, "shape": shape,
        "area_km2": round(fp.area_m2 / 1e6, 1), "max_radius_km": round(fp.max_radius_m / 1e3, 1),
        "max_shot_opportunities": fp.max_shots, "grid_spacing_km": round(fp.spacing_m / 1e3, 2),
        "track_delay_s": d.delay(track_delay_s), "engagement_model": _model_json(model),
        "catalog_hash": cat.hash, "bmdlab_version": __version__,
    }
    if map_png is not None:
        from bmdlab.study.figures import footprint_map

        footprint_map(fp, cat, map_png)
        result["map"] = str(map_png)
    if as_json:
        _print_json(result)
        return
    console.print(f"{cat.units[unit].name} ({d.interceptor}) at {label} against {mis.name} from {llabel}: "
                  f"defended area {result['area_km2']:,.0f} km2, farthest defended aim point {result['max_radius_km']:,.0f} km, "
                  f"up to {fp.max_shots} shot opportunit{'y' if fp.max_shots == 1 else 'ies'}")


# ------------------------------------------------------------------------------------------ raids
@app.command()
@user_errors
def raid(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name or a YAML file with a 'raid:' section.")],
    missiles: Annotated[int | None, typer.Option("--missiles", help="Scale the scenario's salvos to this many missiles.")] = None,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 0,
    doctrine: Annotated[str | None, typer.Option("--doctrine", help="shoot-look-shoot or salvo-2 (default: the scenario's).")] = None,
    sspk: Annotated[float | None, typer.Option("--sspk", help="Override every interceptor's single-shot kill probability.")] = None,
    memory_budget_gib: Annotated[float, typer.Option("--memory-budget-gib", help="Memory the Monte Carlo may use; a larger raid is refused before it starts. [GiB]")] = 4.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Monte Carlo of the scenario's raid: leakers, P(zero leakers), interceptors expended."""
    from bmdlab.engagement.raid import MAX_TRIALS, TRIAL_BLOCK
    from bmdlab.engagement.scenario_raid import check_raid_memory, run_scenario_raid
    from bmdlab.scenario import load_scenario

    if trials < 1 or trials > MAX_TRIALS:
        raise BmdlabError(f"--trials: {trials} must be between 1 and {MAX_TRIALS:,}")
    if missiles is not None and not 0 <= missiles <= 5000:
        raise BmdlabError(f"--missiles: {missiles} must be between 0 and 5,000")
    if seed < 0:
        raise BmdlabError(f"--seed: {seed} must be >= 0")
    if not (math.isfinite(memory_budget_gib) and 0.0 < memory_budget_gib <= 1024.0):
        raise BmdlabError(f"--memory-budget-gib: {memory_budget_gib:g} must be a number of GiB above 0 and at most 1024")
    cat = _catalog(ctx)
    scen = load_scenario(scenario, cat)
    budget = int(memory_budget_gib * 2**30)
    check_raid_memory(scen, missiles, trials, budget)
    if trials > TRIAL_BLOCK:
        prog, _ = _progress(trials, f"raid {scen.name}: trials")
        with prog:
            out, _, _ = run_scenario_raid(scen, cat, missiles=missiles, trials=trials, seed=seed, doctrine=doctrine, sspk=sspk,
                                          memory_budget=budget, progress=lambda done, total: prog.update(prog.task_id, completed=done))
    else:
        out, _, _ = run_scenario_raid(scen, cat, missiles=missiles, trials=trials, seed=seed, doctrine=doctrine, sspk=sspk,
                                      memory_budget=budget)
    out["bmdlab_version"] = __version__
    if as_json:
        _print_json(out)
        return
    console.print(f"[bold]{scen.name}[/]: {out['missiles']} missiles, {trials:,} trials, seed {seed}, {out['doctrine']}")
    t = Table(show_header=False)
    for k, label in (("expected_leakers", "expected leakers"), ("leakers_p05", "leakers 5th percentile"),
                     ("leakers_p95", "leakers 95th percentile"), ("p_zero_leakers", "P(zero leakers)"),
                     ("expected_surviving_value_fraction", "expected value not reached by a leaker"),
                     ("interceptors_expended_total", "interceptors expended"), ("interceptor_cost_expended", "their cost [USD]")):
        v = out[k]
        t.add_row(label, f"{v:,.3f}" if isinstance(v, float) else f"{v:,}")
    console.print(t)
    if out["units_exhausted"]:
        console.print("magazines emptied: " + ", ".join(out["units_exhausted"]))
    lc = out["launch_check"]
    if lc["feasible"] is False:
        console.print(f"[yellow]warning:[/] this raid exceeds the catalog's launchers: {lc['reason']}", soft_wrap=True)
    elif lc["feasible"] is None:
        console.print(f"launch capacity not checked: {lc['reason']}", soft_wrap=True, highlight=False)


@app.command()
@user_errors
def analytic(
    missiles: Annotated[int, typer.Option("--missiles", help="Missiles in the raid.")],
    sspk: Annotated[float, typer.Option("--sspk", help="Single-shot kill probability.")],
    shots_per_missile: Annotated[int, typer.Option("--shots-per-missile", help="Interceptors per missile.")],
    doctrine: Annotated[str, typer.Option("--doctrine", help="salvo or shoot-look-shoot.")] = "salvo",
    reliability: Annotated[float, typer.Option("--reliability", help="Interceptor reliability.")] = 1.0,
    missile_reliability: Annotated[float, typer.Option("--missile-reliability", help="Probability that a missile arrives.")] = 1.0,
    decoys: Annotated[int, typer.Option("--decoys", help="Decoys per missile.")] = 0,
    discrimination: Annotated[float, typer.Option("--discrimination", help="Probability a decoy is recognised.")] = 1.0,
    interceptors: Annotated[int | None, typer.Option("--interceptors", help="Inventory spread over all engaged objects (overrides --shots-per-missile).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Closed-form P(zero leakers) and expected leakers (Wilkening 2000)."""
    from bmdlab.engagement.analytic import raid_odds

    res = raid_odds(missiles, sspk, shots_per_missile, reliability=reliability, missile_reliability=missile_reliability,
                    doctrine=doctrine, decoys=decoys, discrimination=discrimination, interceptors=interceptors)
    out = {"p_zero_leakers": res.p_zero_leakers, "expected_leakers": res.expected_leakers, "leakers_sd": res.leakers_sd,
           "kill_probability_per_missile": res.kill_probability, "expected_interceptors": res.expected_interceptors,
           "shots_per_object": res.shots_per_object, "doctrine": doctrine, "model": "Wilkening (2000), Science & Global Security 8:183-215"}
    if as_json:
        _print_json(out)
        return
    console.print(f"P(zero leakers) = {res.p_zero_leakers:.4g}, expected leakers = {res.expected_leakers:.3f} "
                  f"(sd {res.leakers_sd:.3f}), kill probability per missile {res.kill_probability:.4f}, "
                  f"interceptors used {res.expected_interceptors:,.1f}")


# ----------------------------------------------------------------------------------------- study
STUDIES = ("japan-2017",)


# ------------------------------------------------------------------------------------------ costs
def _bn(jpy: float) -> str:
    return f"¥{jpy / 1e9:,.1f} bn"


@app.command()
@user_errors
def cost(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Built-in scenario name, trade-off option key or a YAML file.")],
    years: Annotated[int | None, typer.Option("--years", help="Operation and support horizon (default: the scenario's, 30). [years]")] = None,
    reloads: Annotated[int | None, typer.Option("--reloads", help="Full magazine reloads per unit (default: the scenario's, 1).")] = None,
    price_year: Annotated[int | None, typer.Option("--price-year", help="Express yen of this year (default: the scenario's, 2017).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Life-cycle cost of an architecture: acquisition, interceptors, operation, total (JPY and USD)."""
    from bmdlab.cost.architecture import architecture_cost
    from bmdlab.sensitivity.model import _scenario

    if years is not None and not 0 <= years <= 100:
        raise BmdlabError(f"--years: {years} must be between 0 and 100")
    if reloads is not None and not 0 <= reloads <= 20:
        raise BmdlabError(f"--reloads: {reloads} must be between 0 and 20")
    cat = _catalog(ctx)
    scen = _scenario(scenario, cat)
    out = architecture_cost(scen, cat, years=years, reloads=reloads, price_year=price_year).to_dict()
    out["bmdlab_version"] = __version__
    if as_json:
        _print_json(out)
        return
    console.print(f"[bold]{scen.name}[/]: {out['years']} years, {out['reloads']} reload(s), yen of {out['price_year']} "
                  f"(¥{out['jpy_per_usd']:.1f} per US$)")
    t = Table("units", "status", "count", "acquisition", "interceptors", "operation", "total")
    for ln in out["lines"]:
        t.add_row(ln["unit"], ln["status"], str(ln["count"]), _bn(ln["acquisition"]["jpy"]), _bn(ln["interceptors"]["jpy"]),
                  _bn(ln["operation"]["jpy"]), _bn(ln["total"]["jpy"]))
    t.add_row("[bold]total[/]", "", "", _bn(out["acquisition"]["jpy"]), _bn(out["interceptors"]["jpy"]),
              _bn(out["operation"]["jpy"]), f"[bold]{_bn(out['total']['jpy'])}[/]")
    console.print(t)
    console.print(f"total US${out['total']['usd'] / 1e9:,.2f} bn; range {_bn(out['total_range']['low']['jpy'])} to "
                  f"{_bn(out['total_range']['high']['jpy'])}; sunk purchase of in-service units {_bn(out['sunk_acquisition']['jpy'])}")


@app.command()
@user_errors
def tradeoff(
    ctx: typer.Context,
    budget_jpy: Annotated[float | None, typer.Option("--budget-jpy", help="Also choose the best purchases for this budget. [JPY]")] = None,
    raid: Annotated[int, typer.Option("--raid", help="Raid size for the frontier and the budget optimisation.")] = 200,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials per raid.")] = 4000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 2017,
    years: Annotated[int | None, typer.Option("--years", help="Operation and support horizon. [years]")] = None,
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Coverage grid cell size. [km]")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the cost-effectiveness plot (PNG).")] = None,
) -> None:
    """Cost against effectiveness of the 2017 options, the Pareto frontier, and a budget optimum."""
    from bmdlab.cost.options import tradeoff_options
    from bmdlab.cost.tradeoff import evaluate_options

    _check_resolution(resolution_km)
    if budget_jpy is not None and (not math.isfinite(budget_jpy) or not 0 <= budget_jpy <= 1e16):
        raise BmdlabError(f"--budget-jpy: {budget_jpy:g} must be a number of yen (of 2017) from 0 to 1e16")
    if not 1 <= raid <= 5000:
        raise BmdlabError(f"--raid: {raid} must be between 1 and 5,000")
    if not 1 <= trials <= 1_000_000:
        raise BmdlabError(f"--trials: {trials} must be between 1 and 1,000,000")
    if years is not None and not 0 <= years <= 100:
        raise BmdlabError(f"--years: {years} must be between 0 and 100")
    if seed < 0:
        raise BmdlabError(f"--seed: {seed} must be >= 0")
    if plot is not None and plot.suffix.lower() != ".png":
        raise BmdlabError(f"--plot: '{plot}' must end in .png")
    _check_outputs(plot=plot)
    cat = _catalog(ctx)
    opts = tradeoff_options(cat)
    sizes = tuple(sorted({50, 100, 200, raid}))
    prog, tick = _progress(len(opts), "trade-off options")
    with prog:
        res = evaluate_options(cat, opts, raid_sizes=sizes, trials=trials, seed=seed, resolution_km=resolution_km,
                               years=years, progress=tick)
    out = res.to_dict()
    out["frontier"] = res.frontier(raid=raid)
    if budget_jpy is not None:
        from bmdlab.cost.budget import optimise_budget

        out["budget"] = optimise_budget(cat, budget_jpy, missiles=raid, trials=trials, seed=seed, years=years)
    out.update({"raid": raid, "bmdlab_version": __version__, "catalog_hash": cat.hash})
    if plot is not None:
        from bmdlab.plotting.costs import plot_tradeoff

        plot_tradeoff(out, plot, raid=raid)
    if as_json:
        _print_json(out)
        return
    console.print(f"{len(opts)} options, raid of {raid}, {trials:,} trials, seed {seed}; yen of {out['price_year']}, "
                  f"{out['years']}-year life cycle")
    t = Table("option", "cost", "pop.", "2+ units", "leakers", "P(0)", "surviving", "Pareto")
    for r in out["options"]:
        rr = r["raids"][str(raid)]
        t.add_row(r["key"], f"¥{r['cost']['total']['jpy'] / 1e9:,.0f} bn", f"{100 * r['population_fraction']:.1f} %",
                  f"{100 * r['population_fraction_2units']:.1f} %", f"{rr['expected_leakers']:.1f}", f"{rr['p_zero_leakers']:.3f}",
                  f"{100 * rr['expected_surviving_value_fraction']:.1f} %", "yes" if r["key"] in out["frontier"] else "")
    console.print(t)
    if budget_jpy is not None:
        b = out["budget"]
        console.print(f"budget {_bn(budget_jpy)}: buy {', '.join(b['buy_labels']) or 'no new units'}"
                      f"{'; extra loads for ' + ', '.join(b['loads']) if b['loads'] else ''} ({_bn(b['cost_jpy'])}); "
                      f"surviving value {100 * b['monte_carlo_surviving_value_fraction']:.1f} % (Monte Carlo) vs "
                      f"{100 * b['baseline_surviving_value_fraction']:.1f} % for the baseline")
    if plot is not None:
        console.print(f"plot: {plot}")


# ------------------------------------------------------------------------------------ sensitivity
@app.command()
@user_errors
def tornado(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Option("--scenario", help="Architecture: a built-in scenario or trade-off option key.")] = "japan-2017-aegis-ashore",
    missiles: Annotated[int, typer.Option("--missiles", help="Base raid size.")] = 200,
    metric: Annotated[str, typer.Option("--metric", help="Metric to rank inputs by.")] = "expected_leakers",
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials per run.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (common to every run).")] = 2017,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the tornado chart (PNG).")] = None,
) -> None:
    """One-at-a-time sensitivity: how far each input's plausible range moves a metric."""
    from bmdlab.sensitivity.model import METRICS
    from bmdlab.sensitivity.tornado import default_ranges, swing
    from bmdlab.sensitivity.tornado import tornado as run_tornado

    if metric not in METRICS:
        from bmdlab.errors import unknown_key

        raise BmdlabError("--metric: " + str(unknown_key("metric", metric, METRICS)))
    if not 1 <= trials <= 1_000_000:
        raise BmdlabError(f"--trials: {trials} must be between 1 and 1,000,000")
    if plot is not None and plot.suffix.lower() != ".png":
        raise BmdlabError(f"--plot: '{plot}' must end in .png")
    _check_outputs(plot=plot)
    catalog_dir = (ctx.find_root().obj or {}).get("catalog")
    base = {"scenario": scenario, "missiles": missiles}
    prog, tick = _progress(len(default_ranges(base)), "tornado")
    with prog:
        res = run_tornado(base, trials=trials, seed=seed, catalog_dir=None if catalog_dir is None else str(catalog_dir), progress=tick)
    res["bmdlab_version"] = __version__
    if plot is not None:
        from bmdlab.plotting.costs import plot_tornado

        plot_tornado(res, plot, metric)
    if as_json:
        _print_json(res)
        return
    console.print(f"[bold]{scenario}[/], {missiles} missiles: {metric} = {res['base_metrics'][metric]:,.4g} at base")
    t = Table("input", "low end", "high end")
    for label, lo, hi in swing(res, metric):
        t.add_row(label, f"{lo:,.4g}", f"{hi:,.4g}")
    console.print(t)


@app.command()
@user_errors
def sweep(
    ctx: typer.Context,
    axis: Annotated[list[str], typer.Option("--axis", help="NAME=V1,V2,... (repeat for a grid), e.g. missiles=50,100,200.")],
    out: Annotated[Path, typer.Option("--out", help="DuckDB file the runs are appended to.")],
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted sweep in OUT.")] = False,
    trials: Annotated[int, typer.Option("--trials", help="Monte Carlo trials per run.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (common to every run).")] = 2017,
    workers: Annotated[int | None, typer.Option("--workers", help="Local processes (default: all cores).")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON.")] = False,
) -> None:
    """Grid sweep of independent runs (local pool or Dask), appended to OUT as each finishes."""
    from bmdlab.sensitivity.sweep import grid, parse_axis, run_sweep

    if not 1 <= trials <= 1_000_000:
        raise BmdlabError(f"--trials: {trials} must be between 1 and 1,000,000")
    if workers is not None and not 1 <= workers <= 256:
        raise BmdlabError(f"--workers: {workers} must be between 1 and 256")
    axes: dict[str, list[Any]] = {}
    for a in axis:
        k, vals = parse_axis(a)
        if k in axes:
            raise BmdlabError(f"--axis: '{k}' is given twice; give each parameter once")
        axes[k] = vals
    points = grid(axes)
    _check_outputs(out=out)
    cat = _catalog(ctx)
    catalog_dir = (ctx.find_root().obj or {}).get("catalog")
    for sc in {str(p.get("scenario")) for p in points if "scenario" in p}:
        from bmdlab.sensitivity.model import _scenario

        _scenario(sc, cat)  # fail before any run on an unknown scenario
    if resume and out.exists():
        from bmdlab.sensitivity.sweep import _check_is_sweep_file

        _check_is_sweep_file(out)  # before the progress display: a refusal is one line
    prog, _ = _progress(len(points), "sweep")
    task = prog.task_id
    with prog:
        rows = run_sweep(points, out, trials=trials, seed=seed, workers=workers, scheduler=scheduler, resume=resume,
                         catalog_dir=None if catalog_dir is None else str(catalog_dir), catalog_hash=cat.hash,
                         progress=lambda done, total: prog.update(task, completed=done))
    if as_json:
        _print_json({"out": str(out), "runs": rows, "trials": trials, "seed": seed, "catalog_hash": cat.hash})
        return
    t = Table(*axes, "leakers", "P(0 leakers)", "surviving value", "cost")
    for r in rows:
        t.add_row(*(str(r[k]) for k in axes), f"{r['expected_leakers']:.1f}", f"{r['p_zero_leakers']:.3f}",
                  f"{100 * r['expected_surviving_value_fraction']:.1f} %", _bn(r["cost_total_jpy"]))
    console.print(t)
    console.print(f"{len(rows)} runs in {out}")


# ------------------------------------------------------------------------------------------- wta
@app.command()
@user_errors
def wta(
    instance: Annotated[Path | None, typer.Argument(help='JSON file {"values": [...], "kill_probability": [[p_ij per weapon i, target j]]}.')] = None,
    method: Annotated[str, typer.Option("--method", help="exact (MILP, proven optimum) or heuristic (fast, with a bound).")] = "exact",
    random: Annotated[str | None, typer.Option("--random", help="Instead of a file: a random Ahuja et al. (2007) instance, WEAPONSxTARGETS.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of --random.")] = 0,
    save: Annotated[Path | None, typer.Option("--save", help="Write the --random instance to this JSON file.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds before either method stops: exact with its gap, heuristic with its best assignment so far.")] = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Static weapon-target assignment (Ahuja et al. 2007): minimise expected surviving target value."""
    from bmdlab.engagement.wta import load_instance, random_instance, solve_wta

    if method not in ("exact", "heuristic"):
        from bmdlab.errors import unknown_key

        raise BmdlabError("--method: " + str(unknown_key("method", method, ("exact", "heuristic"))))
    if not (math.isfinite(time_limit) and time_limit > 0):
        raise BmdlabError(f"--time-limit: {time_limit:g} must be > 0 seconds")
    if (instance is None) == (random is None):
        raise BmdlabError("give either an INSTANCE.json file or --random WEAPONSxTARGETS (e.g. --random 20x20)")
    _check_outputs(save=save)
    if random is not None:
        parts = random.lower().split("x")
        if len(parts) != 2 or not all(re.fullmatch(r"[0-9]{1,4}", p) and 1 <= int(p) <= 2000 for p in parts):
            raise BmdlabError(f"--random: '{random}' must be WEAPONSxTARGETS with 1-2000 each, e.g. 20x20")
        if seed < 0:
            raise BmdlabError(f"--seed: {seed} must be >= 0")
        values, pk = random_instance(int(parts[0]), int(parts[1]), seed=seed)
        if save is not None:
            from bmdlab.io import atomic_write_json

            atomic_write_json(save, {"values": values.tolist(), "kill_probability": pk.tolist(),
                                     "generator": f"Ahuja et al. (2007), seed {seed}"})
    else:
        values, pk = load_instance(instance)
    res = solve_wta(values, pk, method=method, time_limit=time_limit)
    out = res.to_dict()
    if random is not None:
        out["instance"] = {"random": random, "seed": seed}
    if as_json:
        _print_json(out)
        return
    console.print(f"{out['weapons']} weapons, {out['targets']} targets, {method}: expected surviving value "
                  f"{out['objective']:.6g} (bound {out['bound']:.6g}, gap {100 * out['gap']:.4f} %) in {out['seconds']:.3f} s")
    shown = out["assignment"][:40]
    more = f" ... ({len(out['assignment']) - 40} more)" if len(out["assignment"]) > 40 else ""
    console.print("assignment (weapon -> target): " + ", ".join(f"{i}->{j}" for i, j in enumerate(shown)) + more)


@app.command()
@user_errors
def study(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Study name: japan-2017.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (replaced only when the study succeeds).")] = Path("japan-2017"),
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Coverage grid cell size. [km]")] = 5.0,
) -> None:
    """Run a study and write DIR/report.html, DIR/results.json and its figures."""
    _check_resolution(resolution_km)
    if name not in STUDIES:
        from bmdlab.errors import unknown_key

        raise unknown_key("study", name, STUDIES)
    from bmdlab.study.japan2017 import run_study

    from bmdlab.io import check_output_directory

    check_output_directory(out)  # before any work: new, empty, or bmdlab's own earlier output
    cat = _catalog(ctx)
    result = run_study(out, catalog=cat, command=" ".join(["bmdlab", *sys.argv[1:]]), console=err_console,
                       resolution_km=resolution_km)
    console.print(f"report: {result['report']}")
    console.print(f"results: {result['results']}")


if __name__ == "__main__":  # pragma: no cover
    app()
