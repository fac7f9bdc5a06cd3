"""The ``bmdlab`` command line: parse, call the Python API, render (STYLE.md, convention 13)."""

from __future__ import annotations

import functools
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from bmdlab import __version__
from bmdlab.catalog import KINDS, Catalog, builtin_catalog, load_catalog
from bmdlab.catalog.schema import Value
from bmdlab.errors import BmdlabError

app = typer.Typer(
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
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def _catalog(ctx: typer.Context) -> Catalog:
    path = (ctx.find_root().obj or {}).get("catalog")
    return builtin_catalog() if path is None else load_catalog(path)


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


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
        if not (math.isfinite(range_km) and 0.0 < range_km < math.pi * EARTH_RADIUS / 1e3):
            raise BmdlabError(f"--range-km: {range_km:g} is not a usable range; use 0 < R < 20,000 km")
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
    if lat1 == lat2 and lon1 == lon2:
        raise BmdlabError("--to: the aim point equals the launch point; choose a different target")
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


# ----------------------------------------------------------------------------------------- study
STUDIES = ("japan-2017",)


@app.command()
@user_errors
def study(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Study name: japan-2017.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (replaced only when the study succeeds).")] = Path("japan-2017"),
) -> None:
    """Run a study and write DIR/report.html, DIR/results.json and its figures."""
    if name not in STUDIES:
        from bmdlab.errors import unknown_key

        raise unknown_key("study", name, STUDIES)
    from bmdlab.study.japan2017 import run_study

    cat = _catalog(ctx)
    result = run_study(out, catalog=cat, command=" ".join(["bmdlab", *sys.argv[1:]]), console=err_console)
    console.print(f"report: {result['report']}")
    console.print(f"results: {result['results']}")


if __name__ == "__main__":  # pragma: no cover
    app()
