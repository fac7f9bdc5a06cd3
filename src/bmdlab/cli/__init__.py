"""The ``bmdlab`` command line: a module per group of commands; each parses, calls :mod:`bmdlab.api`
and renders (tables on a terminal, ``--json`` with ``schema_version`` and provenance).

Groups: :mod:`~bmdlab.cli.catalog` (``catalog list|show|check``), :mod:`~bmdlab.cli.scenario`
(``scenario list|show|validate|schema``), :mod:`~bmdlab.cli.flight` (``trajectory``, ``footprint``,
``check-footprints``), :mod:`~bmdlab.cli.coverage` (``coverage``, ``site``),
:mod:`~bmdlab.cli.engagement` (``raid``, ``analytic``, ``wta``), :mod:`~bmdlab.cli.costs` (``cost``,
``tradeoff``), :mod:`~bmdlab.cli.sensitivity` (``tornado``, ``sweep``), :mod:`~bmdlab.cli.uncertainty`
(``uncertainty``), :mod:`~bmdlab.cli.study`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from bmdlab.cli import panels
from bmdlab.cli._app import app, version_callback
from bmdlab.cli.catalog import catalog_app
from bmdlab.cli.scenario import scenario_app


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version and exit.")
    ] = False,
    catalog: Annotated[
        Path | None,
        typer.Option("--catalog", help="Use a catalog directory instead of the built-in one.", envvar="BMDLAB_CATALOG"),
    ] = None,
) -> None:
    """bmdlab: coverage, raids and costs of missile defence, from sourced data and physics."""
    ctx.obj = {"catalog": catalog}


app.add_typer(catalog_app, name="catalog", rich_help_panel=panels.INPUTS)
app.add_typer(scenario_app, name="scenario", rich_help_panel=panels.INPUTS)

# register the commands, in the order of `bmdlab --help`'s panels (the work of a study, from flights to the web)
for _module in ("flight", "windows", "coverage", "engagement", "costs", "sensitivity", "uncertainty", "study", "serve"):
    importlib.import_module(f"bmdlab.cli.{_module}")

__all__ = ["app"]
