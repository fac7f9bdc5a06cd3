"""``bmdlab catalog list|show|check``: the sourced catalog."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from bmdlab.catalog import KINDS, Catalog
from bmdlab.catalog.schema import Value
from bmdlab.cli._app import OneLineErrors, catalog, console, json_payload, print_json, print_table, user_errors

catalog_app = typer.Typer(
    cls=OneLineErrors,
    help="List and show sourced catalog entries; check ranges against observed flights.",
    no_args_is_help=True,
    rich_markup_mode="markdown",  # as the root's: help texts' "[km]" stay as written
)


def _entry_json(cat: Catalog, kind: str, key: str) -> dict[str, Any]:
    entry = cat.get(kind, key)
    data = entry.model_dump(exclude_none=True)
    cited = sorted({v.source for v in entry.__dict__.values() if isinstance(v, Value)})
    return {
        "key": key,
        "kind": kind,
        **data,
        "sources": {s: cat.sources[s].model_dump(exclude_none=True) for s in cited},
    }


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


@catalog_app.command("list")
@user_errors()
def catalog_list(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help=f"One of: {', '.join(KINDS)}.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List catalog entries (all kinds, or one)."""
    cat = catalog(ctx)
    kinds = [kind] if kind else list(KINDS)
    entries = {k: cat.kind(k) for k in kinds}  # an unknown kind is the library's one-line error
    if as_json:
        print_json(
            json_payload(
                "catalog-list",
                {
                    "catalog_hash": cat.hash,
                    "entries": [
                        {"kind": k, "key": key, "name": e.name} for k in kinds for key, e in entries[k].items()
                    ],
                },
                cat,
                kind=kind,
            )
        )
        return
    for k in kinds:
        table = Table(title=f"{k} ({len(cat.kind(k))})", title_justify="left")
        table.add_column("key", style="cyan", no_wrap=True)
        table.add_column("name")
        table.add_column("summary")
        for key, e in cat.kind(k).items():
            table.add_row(key, e.name, _summary(k, e))
        print_table(table)
    console.print(f"catalog {cat.origin}, hash {cat.hash}")


@catalog_app.command("show")
@user_errors()
def catalog_show(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Catalog key, e.g. hwasong-12, sm-3-iia, araya.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one entry with every value's unit, source, year and confidence."""
    cat = catalog(ctx)
    kind, entry = cat.find(key)
    if as_json:
        print_json(json_payload("catalog-entry", _entry_json(cat, kind, key), cat, key=key))
        return
    table = Table(title=f"{entry.name} ({kind.removesuffix('s')} '{key}')", title_justify="left", show_lines=False)
    for col in ("field", "value", "confidence", "year", "source"):
        table.add_column(col)
    for name, val in entry.__dict__.items():
        if isinstance(val, Value):
            table.add_row(name, val.display(), val.confidence, str(val.year), val.source)
        elif val not in (None, [], ""):
            table.add_row(name, str(val), "", "", "")
    print_table(table)
    cited = sorted({v.source for v in entry.__dict__.values() if isinstance(v, Value)})
    for s in cited:
        src = cat.sources[s]
        console.print(
            f'[cyan]{s}[/]: {src.publisher}, "{src.title}" ({src.year}){" " + src.url if src.url else ""}',
            soft_wrap=True,
            highlight=False,
        )


@catalog_app.command("check")
@user_errors()
def catalog_check_cmd(
    ctx: typer.Context,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            help="Flag a catalog range that differs from the observed energy's range by more than this fraction.",
        ),
    ] = 0.35,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Catalog ranges against observed test flights: the range each missile's observed energy reaches."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.trajectory.consistency import catalog_check

    cat = catalog(ctx)
    rows = catalog_check(cat, tolerance)
    if as_json:
        print_json(
            json_payload(
                "catalog-check",
                {
                    "catalog_hash": cat.hash,
                    "tolerance": tolerance,
                    "missiles": [r.to_dict() for r in rows],
                    "flagged": [r.missile for r in rows if r.flagged],
                },
                cat,
                tolerance=tolerance,
            )
        )
        return
    t = Table(
        "missile",
        "catalog range",
        "observed flight",
        "burnout speed",
        "range (kinematic)",
        "range (gravity loss)",
        "difference",
        "flag",
        title=f"catalog ranges against observed flights (tolerance {tolerance:.0%})",
        title_justify="left",
    )
    for r in rows:
        t.add_row(
            r.name,
            (f"{r.catalog_range_low_km:,.0f}-" if r.catalog_range_low_km < r.catalog_range_km else "")
            + f"{r.catalog_range_km:,.0f} km",
            f"{r.flight} ({r.flight_shape})",
            f"{r.model_burnout_speed_m_s / 1e3:.2f} km/s",
            f"{r.equivalent_range_kinematic_km:,.0f} km",
            f"{r.equivalent_range_km:,.0f} km",
            f"{r.difference:+.0%}"
            + (f" ({r.span_difference:+.0%} from the span)" if r.span_difference != r.difference else ""),
            "FLAG" if r.flagged else "",
        )
    print_table(t)
    missing = [k for k in cat.missiles if k not in {r.missile for r in rows}]
    if missing:
        console.print(
            f"not checked (no observed flight shipped): {', '.join(missing)}", soft_wrap=True, highlight=False
        )
