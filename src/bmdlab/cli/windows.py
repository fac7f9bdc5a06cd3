"""``bmdlab windows``: each interceptor's altitude window against each flight class, and radar detection of
low flyers (issue #25)."""

from __future__ import annotations

from typing import Annotated

import rich.markup
import typer
from rich.table import Table

from bmdlab.cli import panels
from bmdlab.cli._app import app, catalog, complete_key, console, print_json, print_table, user_errors

PLACE_HELP = "LAT,LON in degrees, a catalog place key (e.g. hodo) or a city of Japan (e.g. tokyo)."


def _span(pair, fmt: str) -> str:
    """``low-high`` of a (low, high) pair, or a dash."""
    return "-" if pair is None else f"{pair[0]:{fmt}}-{pair[1]:{fmt}}"


def _flight_title(r) -> str:
    """What one missile's tables are about: its flight class, apogee, flight time and range."""
    reach = ", to its catalog range" if r.reach_limited else ""
    return (
        f"{r.missile_name}, {r.flight_class}: apogee {r.apogee / 1e3:,.0f} km, {r.flight_time:,.0f} s, "
        f"{r.ground_range / 1e3:,.0f} km{reach}"
    )


def _windows_tables(report) -> list[Table]:
    tables: dict[str, Table] = {}
    for r in report.windows:
        t = tables.get(r.missile)
        if t is None:
            t = tables[r.missile] = Table(title=_flight_title(r), title_justify="left")
            for col in ("interceptor", "window km", "down s", "plausible", "up s", "down m/s", "Mach"):
                t.add_column(col, justify="left" if col == "interceptor" else "right")
        w = r.window
        t.add_row(
            r.interceptor,
            f"{w.low / 1e3:g}-{w.high / 1e3:g}",
            f"{r.descent_s:,.0f}",
            _span(r.descent_s_plausible, ",.0f"),
            f"{r.ascent_s:,.0f}",
            _span(r.descent_speed, ",.0f"),
            _span(r.descent_mach, ".1f"),
        )
    return list(tables.values())


def _detection_tables(report) -> list[Table]:
    tables: dict[str, Table] = {}
    for r in report.detections:
        t = tables.get(r.missile)
        if t is None:
            t = tables[r.missile] = Table(title=f"{r.missile_name}: radar detection", title_justify="left")
            for col in ("radar", "at", "seen s", "track s", "alt km", "hzn km", "max el"):
                t.add_column(col, justify="left" if col in ("radar", "at") else "right")
        seen = r.first_detection is not None
        t.add_row(
            r.sensor,
            r.place.replace("station-sea-of-japan-", "SoJ ").removeprefix("station-"),
            f"{r.first_detection:,.0f}" if seen else "never",
            f"{r.track_s:,.0f}",
            f"{r.altitude_at_detection / 1e3:,.0f}" if seen else "-",
            f"{r.horizon_at_detection / 1e3:,.0f}" if seen else f"({r.horizon_at_apogee / 1e3:,.0f})",
            f"{r.peak_elevation_deg:.2f}",
        )
    return list(tables.values())


@app.command(rich_help_panel=panels.FLIGHTS)
@user_errors(
    aliases={"launch_area": "--from", "target": "--to", "missiles": "--missile", "interceptors": "--interceptor"}
)
def windows(
    ctx: typer.Context,
    missile: Annotated[
        list[str] | None,
        typer.Option(
            "--missile",
            help="Catalog missile key (repeatable); default one per flight class: nodong, kn-23, hwasong-8.",
            autocompletion=complete_key("missiles"),
        ),
    ] = None,
    interceptor: Annotated[
        list[str] | None,
        typer.Option(
            "--interceptor",
            help="Catalog interceptor key (repeatable); default every interceptor.",
            autocompletion=complete_key("interceptors"),
        ),
    ] = None,
    from_: Annotated[str, typer.Option("--from", help="Launch point: " + PLACE_HELP)] = "hodo",
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Aim point: " + PLACE_HELP + " Default: Tokyo, each missile flown as far toward it as it reaches.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Time and speed of each missile inside each interceptor's altitude window, and when radars first see it."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import windows as windows_api

    report = windows_api(missile, interceptor, launch_area=from_, target=to, catalog=catalog(ctx))
    if as_json:
        print_json(report)
        return
    console.print(
        f"From {rich.markup.escape(report.launch.label)} toward {rich.markup.escape(report.target)}: seconds inside "
        "each interceptor's altitude window after the apogee (down; plausible: narrowest-widest catalog window) "
        "and before it (up), and the speed and Mach there (ballistic speeds in vacuum).",
        highlight=False,
        soft_wrap=True,
    )
    for note in report.notes:
        console.print(rich.markup.escape(note), highlight=False, soft_wrap=True)
    for t in _windows_tables(report):
        print_table(t)
    console.print(
        f"Radars see a threat above {report.min_elevation_deg:g} deg elevation, within their range against its "
        "RCS, in their sector facing the launch point (SoJ: Aegis stations in the Sea of Japan); seen s: first "
        "detection after launch; hzn km: the farthest ground distance at which the threat's altitude at first "
        "detection (never seen: its apogee) is above that elevation; max el: the threat's highest elevation in degrees.",
        highlight=False,
        soft_wrap=True,
    )
    for t in _detection_tables(report):
        print_table(t)
