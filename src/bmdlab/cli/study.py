"""``bmdlab study``: a whole study into a folder (report, results, figures)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bmdlab.cli import panels
from bmdlab.cli._app import analysis, app, check_files, console, err_console, print_json, refuse, user_errors
from bmdlab.progress import json_lines


@app.command(rich_help_panel=panels.REPORTS)
@user_errors()
def study(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Study name: japan-2017.")],
    out: Annotated[
        Path, typer.Option("--out", help="Output directory (replaced only when the study succeeds).")
    ] = Path("japan-2017"),
    resolution_km: Annotated[float, typer.Option("--resolution-km", help="Coverage grid cell size. [km]")] = 5.0,
    events: Annotated[
        bool,
        typer.Option(
            "--progress-events",
            help="Also print each stage's progress on stdout as one JSON object per line (stage, stages, key, "
            "label, done, total, fraction), for programs that run the study (bmdlab serve does).",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON: the files written and the study's headline results.")
    ] = False,
) -> None:
    """Run a study and write DIR/report.html, DIR/results.json and its figures."""
    if as_json and events:
        refuse("--json: give --json or --progress-events, not both (each prints on stdout)")
    check_files(folders=("out",), out=out)
    res = analysis(ctx).study(
        out,
        name=name,
        resolution_km=resolution_km,
        console=err_console,
        command=" ".join(["bmdlab", *sys.argv[1:]]),
        progress=json_lines(sys.stdout, "--progress-events") if events else None,
    )
    if as_json:
        print_json(res)
        return
    console.print(f"report: {res.report}")
    console.print(f"results: {res.results}")
