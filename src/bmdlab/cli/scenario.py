"""``bmdlab scenario list|show|validate|schema``: the scenarios every command accepts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from bmdlab.cli._app import (
    OneLineErrors,
    catalog,
    complete_scenario,
    console,
    err_console,
    json_payload,
    one_line,
    print_json,
    print_table,
    user_errors,
)
from bmdlab.errors import BmdlabError

scenario_app = typer.Typer(
    cls=OneLineErrors,
    help="List, show, validate scenarios; print their JSON Schema and what a run may override.",
    no_args_is_help=True,
    rich_markup_mode="markdown",  # as the root's: help texts' "[km]" stay as written
)


@scenario_app.command("list")
@user_errors()
def scenario_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every scenario name a command accepts: built-in scenarios and trade-off options (or give a YAML file)."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import scenario_rows

    cat = catalog(ctx)
    rows = scenario_rows(cat)
    if as_json:
        print_json(json_payload("scenario-list", {"scenarios": [r.to_dict() for r in rows]}, cat))
        return
    summaries = [(r.name, r.origin, str(r.units), str(r.raid_missiles), r.description.split(". ")[0]) for r in rows]
    t = Table(
        title="scenarios (any command also takes a YAML file; bmdlab scenario show NAME prints one)",
        title_justify="left",
    )
    t.add_column("name", no_wrap=True, style="cyan", min_width=max(len(r.name) for r in rows))
    t.add_column("origin", no_wrap=True)
    t.add_column("units", justify="right", min_width=5)
    t.add_column("raid", justify="right", min_width=4)
    t.add_column("description", overflow="fold")
    for row in summaries:
        t.add_row(*row)
    print_table(t, plain_title=False)  # piped: the header is the first line


@scenario_app.command("show")
@user_errors()
def scenario_show(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file.", autocompletion=complete_scenario)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of YAML.")] = False,
) -> None:
    """Print a scenario in full (as YAML a user can copy, edit and pass back to any command)."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import resolve_scenario

    cat = catalog(ctx)
    sc = resolve_scenario(scenario, cat)
    data = sc.model_dump(mode="json", exclude={"source"}, exclude_none=True)
    if as_json:
        print_json(json_payload("scenario", {"scenario": data, "hash": sc.hash}, cat, scenario=sc))
        return
    sys.stdout.write(f"# bmdlab scenario '{sc.name}' (hash {sc.hash[:16]}); edit and pass the file to any command\n")
    sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@scenario_app.command("validate")
def scenario_validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files (or names).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check scenario files against the schema and the catalog; one line per file, exit 2 if any fails."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import check_scenario_files

    try:
        cat = catalog(ctx)
    except BmdlabError as exc:
        err_console.print(f"[bold red]error:[/] {one_line(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    rows = check_scenario_files([str(f) for f in files], cat)
    if as_json:
        print_json(json_payload("scenario-validate", {"files": [r.to_dict() for r in rows]}, cat))
    else:
        for r in rows:
            if r.valid:
                console.print(f"ok: {r.file} ({r.name}, hash {str(r.hash)[:16]})", highlight=False, soft_wrap=True)
            else:
                err_console.print(f"[bold red]error:[/] {r.error}", highlight=False, soft_wrap=True)
    if not all(r.valid for r in rows):
        raise typer.Exit(2)


@scenario_app.command("schema")
def scenario_schema(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the schema is JSON either way).")] = False,
) -> None:
    """Print the JSON Schema of a scenario file (from the pydantic models), for editors and validators."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.scenario import Scenario

    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", "bmdlab scenario")
    sys.stdout.write(json.dumps(schema, indent=1) + "\n")


@scenario_app.command("overrides")
def scenario_overrides(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every parameter a run may override (--set NAME=VALUE, a sweep axis, the Python API, the web API), with
    the values it takes: the same bounds everywhere."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.assembly.overrides import describe_overrides

    rows = describe_overrides()
    if as_json:
        sys.stdout.write(
            json.dumps({"schema_version": 1, "kind": "overrides", "parameters": [r.to_dict() for r in rows]}, indent=1)
            + "\n"
        )
        return
    t = Table(
        "name",
        "values",
        "what it changes",
        title="overridable parameters (precedence: bmdlab.assembly.setup)",
        title_justify="left",
    )
    for r in rows:
        t.add_row(r.name, r.values, r.description)
    print_table(t)
