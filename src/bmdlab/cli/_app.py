"""The Typer application, its consoles, and what every command shares: one-line errors that name
the option, JSON output with provenance, progress on a terminal or as log lines.

Commands parse, call :mod:`bmdlab.api` and render; validation lives in the library, whose errors
name parameters (``trials: ...``); :func:`user_errors` maps those names to the command's options
(``--trials: ...``).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Any

import rich.markup
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

try:  # Typer 0.20 and later vendor Click as typer._click; earlier ones use Click itself
    from typer._click import exceptions as click_exceptions
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover
    from click import exceptions as click_exceptions
    from click import get_current_context

from bmdlab import __version__
from bmdlab.catalog import builtin_catalog
from bmdlab.errors import BmdlabError, printable
from bmdlab.io import OutputError, check_output_directory, check_output_files, json_text
from bmdlab.io import check_suffix as io_check_suffix
from bmdlab.progress import progress_display

#: Ctrl-C while Click parses or a command runs (Typer's own Abort, and Click's where it has one).
ABORTS = tuple({typer.Abort, getattr(click_exceptions, "Abort", typer.Abort)})


class _Console(Console):
    """Rich's console, which piped or redirected never breaks a line of text (a script reads whole lines)."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if not self.is_terminal:
            kwargs.setdefault("soft_wrap", True)
        super().print(*objects, **kwargs)


console = _Console()
err_console = Console(stderr=True)


#: A message on one line: control characters a user typed (newlines, tabs) are shown escaped.
one_line = printable


def _given(params: list[Any], args: list[str], *, options_first: bool) -> dict[str, list[tuple[str, str | None]]]:
    """Each option's occurrences in ``args`` (parameter name -> [(spelling, value)]), as Click reads them:
    ``--opt value``, ``--opt=value``, a flag alone; ``--`` ends the options, and a group's options end at its
    first argument (``options_first``: the command's name)."""
    by_opt = {
        o: p for p in params if getattr(p, "param_type_name", "") == "option" for o in (*p.opts, *p.secondary_opts)
    }
    seen: dict[str, list[tuple[str, str | None]]] = {}
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            break
        if not token.startswith("-") or token == "-":
            if options_first:
                break
            continue
        opt, eq, value = token.partition("=")
        p = by_opt.get(opt)
        if p is None:
            continue  # an unknown option: Click's own error
        if p.is_flag or p.count:
            seen.setdefault(p.name, []).append((opt, None))
            continue
        if not eq:
            value = args[i] if i < len(args) else ""
            i += 1
        seen.setdefault(p.name, []).append((opt, value))
    return seen


def refuse_repeats(params: list[Any], args: list[str], *, options_first: bool = False) -> None:
    """Refuse an option given twice where the second would silently replace the first (``--trials 10 --trials
    20``, ``--json --json``), and a repeatable option given the same value twice (``--case X --case X``);
    a repeatable option's items that clash (one name with two values) are the library's to refuse."""
    by_name = {p.name: p for p in params}
    for name, uses in _given(params, args, options_first=options_first).items():
        p = by_name[name]
        if p.is_eager or p.count or len(uses) < 2:
            continue
        if not p.multiple:
            (o1, v1), (o2, v2) = uses[:2]
            shown = f" ({v1} and {v2})" if v1 is not None else (f" ({o1} and {o2})" if o1 != o2 else "")
            raise click_exceptions.UsageError(f"{o1}: given twice{shown}; give it once")
        values = [v for _, v in uses]
        twice = next((v for k, v in enumerate(values) if v in values[:k]), None)
        if twice is not None:
            raise click_exceptions.UsageError(f"{uses[0][0]}: '{twice}' is given twice; give each once")


#: Option spellings a command used to have, kept as hidden aliases: command -> {old: new}; a new spelling ""
#: is the command's positional argument (``tornado --scenario X`` -> ``tornado X``). Each use prints one note.
RENAMED: dict[str, dict[str, str]] = {}


def renamed(command: str, spellings: dict[str, str]) -> None:
    """Keep a command's old option spellings working (hidden from its help): ``{"--geojson": "--layer"}``."""
    RENAMED[command] = spellings


def modern_args(command: str, spellings: dict[str, str], args: list[str], *, quiet: bool = False) -> list[str]:
    """``args`` with every old option spelling (:data:`RENAMED`) replaced by its new one, and one line
    ``note: --geojson is now --layer`` on stderr per old spelling used (none when ``quiet``: shell completion)."""
    if not spellings:
        return args
    out: list[str] = []
    positional: list[str] = []
    noted: set[str] = set()
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            out += [token, *args[i:]]
            break
        opt, eq, value = token.partition("=")
        new = spellings.get(opt)
        if new is None:
            out.append(token)
            continue
        if opt not in noted and not quiet:
            noted.add(opt)
            shown = new or f"the first argument (bmdlab {command} SCENARIO)"
            err_console.print(f"note: {opt} is now {shown}", highlight=False, soft_wrap=True)
        if new:
            out.append(new + eq + value)
            continue
        if not eq and i < len(args):
            value, i = args[i], i + 1
        positional.append(value)
    return positional + out


#: The help panel of each option (by parameter name); any other option is a model option.
OPTION_PANELS = {
    "Scenario": ("scenario", "settings", "seed", "threat", "compare_with"),
    "Output": (
        "as_json",
        "map_png",
        "plot",
        "layers",
        "table",
        "points",
        "markdown",
        "save",
        "out",
        "store",
        "events",
    ),
}


def option_panel(name: str) -> str:
    """The help panel of a command's parameter: Scenario, Output or Model options."""
    return next((panel for panel, names in OPTION_PANELS.items() if name in names), "Model options")


class OneLineErrors(TyperGroup):
    """Command-line parse errors (an unknown option, a value of the wrong type, an option given twice) as
    one ``error:`` line naming the option, and exit code 2, like every other bad input (Click prints three
    lines). Every group of commands uses this class, so each command's options are checked for repeats."""

    def parse_args(self, ctx, args):
        if not ctx.resilient_parsing:
            refuse_repeats(self.params, list(args), options_first=True)
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx, args):
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None and not isinstance(cmd, TyperGroup):
            renames = RENAMED.get(name or "", {}) if ctx.parent is None else {}
            rest = modern_args(name or "", renames, list(rest), quiet=ctx.resilient_parsing)
            if not ctx.resilient_parsing:
                refuse_repeats(cmd.params, rest)
            for p in cmd.params:  # each option in its help panel (`bmdlab COMMAND --help`)
                if p.param_type_name == "option" and getattr(p, "rich_help_panel", None) is None:
                    p.rich_help_panel = option_panel(p.name or "")
        return name, cmd, rest

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
            err_console.print(
                f"[bold red]error:[/] {rich.markup.escape(one_line(exc.format_message()))}{where}",
                highlight=False,
                soft_wrap=True,
            )
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
    cls=OneLineErrors,
    name="bmdlab",
    help="Open, sourced, reproducible missile-defence analysis (Japan 2017 case study).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # Markdown keeps help texts' "[km]" (Rich markup would read it as a style)
)


def refuse(message: str) -> None:
    """Refuse a combination of options the parser cannot see (one ``error:`` line, exit code 2)."""
    raise click_exceptions.UsageError(message)


def _flags() -> dict[str, str]:
    """Python parameter name -> how the running command spells it (``--trials``, ``SCENARIO``)."""
    try:
        ctx = get_current_context(silent=True)
    except Exception:  # pragma: no cover
        ctx = None
    out: dict[str, str] = {}
    if ctx is None:
        return out
    for p in getattr(ctx.command, "params", []):
        name = getattr(p, "name", None)
        if not name:
            continue
        if getattr(p, "param_type_name", "") == "argument":
            out[name] = name.upper()
        elif getattr(p, "opts", None):
            out[name] = max(p.opts, key=len)
    for flag in list(out.values()):  # the option's own word too, where the library uses it (``set: ...``)
        word = flag.lstrip("-")
        if flag.startswith("--") and word.isalpha() and word not in out:
            out[word] = flag
    return out


def flagify(message: str, flags: dict[str, str]) -> str:
    """Name the command's options in a library message: a leading ``name:``, any ```name``` in
    backticks and any ``snake_case`` parameter name become the option (``apogee_km`` -> ``--apogee-km``); an
    alias of several words names a leading phrase (``{"sweep axis": "--axis"}``: ``sweep axis missiles: ...``
    -> ``--axis missiles: ...``)."""
    m = re.match(r"^([a-z_][a-z0-9_]*):", message)
    if m and m.group(1) in flags:
        message = flags[m.group(1)] + message[m.end() - 1 :]
    for phrase, flag in flags.items():
        if " " in phrase and message.startswith(phrase) and message[len(phrase) : len(phrase) + 1] in (":", " "):
            message = flag + message[len(phrase) :]
            break
    message = re.sub(r"`([a-z_][a-z0-9_]*)`", lambda k: flags.get(k.group(1), k.group(1)), message)
    for name, flag in flags.items():
        if "_" in name:
            message = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flag, message)
    return message


def _named_output(exc: OutputError) -> OutputError:
    """A write error of a file deep in the library (``path: the disk is full writing 'm.png'``) named by the
    command's parameter that gave that file (``map_png``, which :func:`flagify` makes ``--map``)."""
    ctx = get_current_context(silent=True)
    for name, value in (ctx.params if ctx is not None else {}).items():
        for path in value if isinstance(value, list) else [value]:  # a repeatable option (--layer) too
            if isinstance(path, Path) and (path == exc.path or os.path.abspath(path) == os.path.abspath(exc.path)):
                return exc.named(name)
    return exc


def user_errors(aliases: dict[str, str] | None = None):
    """Turn :class:`BmdlabError` into a one-line message naming the option, and exit code 2.

    ``aliases`` maps library parameter names the command spells differently (``launch`` -> ``--from``).
    """

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except BmdlabError as exc:
                try:
                    flags = {**_flags(), **(aliases or {})}
                    if isinstance(exc, OutputError) and exc.parameter not in (*flags, *flags.values()):
                        exc = _named_output(exc)  # a file written deep in the library: name its option
                except Exception:  # pragma: no cover - naming options must never turn an error into a traceback
                    flags = dict(aliases or {})
                msg = flagify(one_line(exc.readable()), flags)  # units by their names (architecture.units[4] (X))
                err_console.print(f"[bold red]error:[/] {rich.markup.escape(msg)}", highlight=False, soft_wrap=True)
                raise typer.Exit(2) from None

        return wrapper

    return deco


def catalog_dir(ctx: typer.Context) -> Path | None:
    return (ctx.find_root().obj or {}).get("catalog")


def catalog(ctx: typer.Context):
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import catalog_of

    return catalog_of(catalog_dir(ctx))


def analysis(
    ctx: typer.Context,
    scenario: str = "japan-2017-baseline",
    *,
    settings: list[str] | None = None,
    seed: int | None = None,
    **options: Any,
):
    """The :class:`bmdlab.Analysis` of a command: its scenario on the catalog, with the command's options that
    are :class:`~bmdlab.assembly.overrides.Overrides` fields and its ``--set NAME=VALUE`` values."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api import Analysis, Overrides

    overrides = Overrides.combine(Overrides.from_text(settings or []), Overrides.of(options))
    kw = {} if seed is None else {"seed": seed}
    return Analysis(scenario, catalog=catalog(ctx), overrides=overrides, **kw)


def print_json(obj: Any) -> None:
    """Print a result (its ``to_dict()``) or a dict as JSON on stdout."""
    sys.stdout.write(json_text(obj.to_dict() if hasattr(obj, "to_dict") else obj))


def json_payload(what: str, payload: dict[str, Any], cat, scenario=None, **options: Any) -> dict[str, Any]:
    """The JSON layout of a command that has no result type (catalog and scenario listings)."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.api.results import SCHEMA_VERSION, make_provenance

    prov = make_provenance(cat, scenario, None, **options).to_dict()
    return {"schema_version": SCHEMA_VERSION, "kind": what, "provenance": prov, **payload}


class LazyProgress:
    """A progress display on stderr (a bar on a terminal, timestamped lines when redirected) that
    appears at the first tick: a command whose input the library refuses prints its one error line
    and nothing else."""

    def __init__(self, total: int, description: str, header: str | None = None) -> None:
        self.total, self.description, self.header = total, description, header
        self.display = None
        self.task_id = None

    def _start(self) -> None:
        if self.display is None:
            if self.header:  # e.g. a sweep's estimate: once the library has accepted the work, before it runs
                err_console.print(self.header, highlight=False, soft_wrap=True)
            self.display = progress_display(err_console)
            self.display.__enter__()
            self.task_id = self.display.add_task(self.description, total=self.total)

    def advance(self, *_: Any) -> None:
        self._start()
        self.display.advance(self.task_id)

    def update(self, completed: float, *_: Any) -> None:
        self._start()
        self.display.update(self.task_id, completed=completed)

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.display is not None:
            self.display.__exit__(*exc)


def progress(total: int, description: str, header: str | None = None) -> tuple[LazyProgress, Any]:
    """A :class:`LazyProgress` (``header``: a line printed before the display) and its tick (one step per call)."""
    prog = LazyProgress(total, description, header)
    return prog, prog.advance


#: Files a table export (``--table FILE``: one row per thing) may be written to.
TABLE_SUFFIXES = (".parquet", ".csv")
#: How every command names its exports: one name per kind (tests/test_cli_options.py checks it).
LAYER_HELP = (
    "Write a map layer to FILE, the format by its suffix: .geojson (GeoJSON), .nc (CF NetCDF raster), "
    ".parquet (GeoParquet) or .gpkg (GeoPackage) (both need bmdlab[gis]), .kml (Google Earth), .czml "
    "(Cesium); repeatable."
)
TABLE_HELP = "Write one row per {what} to FILE (.csv or .parquet)."
POINTS_HELP = "Write {what} as GeoJSON points to FILE."
#: Files a figure is written to.
PNG = (".png",)

#: An output of a command: its path, or its path and the suffixes it may have, or (a repeatable option) its
#: paths and their suffixes.
Output = Path | tuple[Path | None, tuple[str, ...]] | tuple[list[Path] | None, tuple[str, ...]] | None


def check_files(
    inputs: dict[str, str | Path | None] | list[tuple[str, str | Path | None]] | None = None,
    *,
    folders: tuple[str, ...] = (),
    **outputs: Output,
) -> None:
    """Refuse, before any work, every output of a command that bmdlab must not write, in one place
    (:func:`bmdlab.io.check_output_files`): a folder, link, device, pipe or socket; a file of the wrong kind;
    one of the command's inputs (``inputs``: parameter name -> path, and the ``--catalog`` folder); two
    options naming one file. Keywords are the command's parameter names (``map_png=map_png``), each a path
    or ``(path, suffixes)``; ``folders`` names the outputs that are folders (``study --out``)."""
    flags = _flags()
    pairs = inputs.items() if isinstance(inputs, dict) else inputs or []
    named_inputs = [(flags.get(k, k), v) for k, v in pairs]
    ctx = get_current_context(silent=True)
    if ctx is not None and catalog_dir(ctx) is not None:
        named_inputs.append(("--catalog", catalog_dir(ctx)))
    files: dict[str, Path | None] = {}
    for name, given in outputs.items():
        option = flags.get(name, "--" + name.replace("_", "-"))
        paths, suffixes = given if isinstance(given, tuple) else (given, ())
        many = paths if isinstance(paths, list) else [paths]
        for path in many:
            if suffixes:
                check_suffix(path, option, suffixes)
            if name in folders:
                if path is not None:
                    check_output_directory(path, option, inputs=named_inputs)
            else:
                files[option if len(many) == 1 else f"{option} {path}"] = path
    check_output_files(files, named_inputs)


def scenario_file(scenario: str | None) -> Path | None:
    """The file a command's scenario argument reads, or None for a built-in scenario or trade-off option (the
    precedence of :func:`bmdlab.scenario.resolve_scenario`: a built-in name, then a YAML file, then an option)."""
    if scenario is None:
        return None
    # lazy: keeps `bmdlab --version` fast (the scenario models load only when a command runs)
    from bmdlab.scenario import builtin_scenarios

    if scenario in builtin_scenarios() or (not scenario.endswith((".yaml", ".yml")) and not Path(scenario).is_file()):
        return None
    return Path(scenario)


def check_suffix(path: Path | None, option: str, suffixes: tuple[str, ...]) -> None:
    """Refuse an output file of the wrong kind before any work (:func:`bmdlab.io.check_suffix`)."""
    io_check_suffix(path, option, suffixes)


#: The JSON key recording a map layer written with each suffix (``--layer FILE``: the format by suffix).
LAYER_KEYS = {
    ".geojson": "geojson",
    ".nc": "netcdf",
    ".parquet": "geoparquet",
    ".gpkg": "geopackage",
    ".kml": "kml",
    ".czml": "czml",
}


def layers_of(layers: list[Path] | None) -> tuple[list[Path] | None, tuple[str, ...]]:
    """A command's ``--layer`` files and the suffixes they may have (:data:`bmdlab.export.LAYER_FORMATS`), for
    :func:`check_files`."""
    if not layers:
        return layers, ()
    # lazy: the exports load pandas and xarray; only when a file is asked for
    from bmdlab.export import LAYER_FORMATS

    return layers, tuple(LAYER_FORMATS)


def write_layers(res, layers: list[Path] | None) -> None:
    """Write a result's map layers (``--layer FILE``, repeatable; the format by suffix, checked by
    :func:`check_files` before any work) with :func:`bmdlab.export.write_layer`, and record each in its JSON
    (``geojson``, ``netcdf``, ``geoparquet``, ``geopackage``, ``kml``, ``czml``)."""
    if not layers:
        return
    # lazy: the exports load pandas and xarray; only when a file is asked for
    from bmdlab.export import write_layer

    obj = next(getattr(res, k) for k in ("coverage", "footprint", "trajectory") if hasattr(res, k))
    for path in layers:
        write_layer(obj, path, provenance=res.provenance.to_dict())
        res.exports[LAYER_KEYS.get(path.suffix.lower(), path.suffix.lower().lstrip("."))] = str(path)


def write_exports(
    res,
    *,
    map_png: Path | None = None,
    plot: Path | None = None,
    layers: list[Path] | None = None,
    table: Path | None = None,
    table_key: str = "table_file",
) -> None:
    """Write the map and the exports a result was asked for (``.plot``, its layers, ``.to_frame``) and
    record each path in its JSON."""
    # lazy: the exports load pandas and xarray; only when a file is asked for
    from bmdlab.export import write_table

    if map_png is not None:
        res.plot(map_png)
        res.exports["map"] = str(map_png)
    if plot is not None:
        res.plot(plot)
        res.exports["plot"] = str(plot)
    write_layers(res, layers)
    if table is not None:
        write_table(res.to_frame(), table)
        res.exports[table_key] = str(table)


def report_exports(res) -> None:
    """One line per file written (terminal output; the JSON records them too)."""
    for key, what in (
        ("map", "map"),
        ("plot", "plot"),
        ("geojson", "GeoJSON"),
        ("netcdf", "NetCDF layer"),
        ("geoparquet", "GeoParquet layer"),
        ("geopackage", "GeoPackage layer"),
        ("kml", "KML layer"),
        ("czml", "CZML layer"),
        ("table_file", "table"),
        ("cells_file", "cells"),
        ("points_file", "units and cities"),
        ("leakers_file", "leakers distribution"),
        ("lines_file", "cost lines"),
    ):
        if key in res.exports:
            console.print(f"{what} written to {res.exports[key]}", highlight=False, soft_wrap=True)


def yen(jpy: float | None, price_year: int | None = None, *, usd_per_jpy: float | None = None) -> str:
    """An amount of yen as every table shows money, ¥ bn (and $ M with ``usd_per_jpy``), with its price year
    unless the table's title or heading gives it (:func:`bmdlab.numbers.money`)."""
    # lazy: keeps `bmdlab --version` fast (the CLI loads a command's stack only when it runs)
    from bmdlab.numbers import money

    return money(jpy, price_year, usd_per_jpy=usd_per_jpy)


def print_table(table: Table, *, plain_title: bool = True) -> None:
    """Print a table that never cuts a name. On a terminal every column wraps (a word longer than its column
    folds onto the next line); piped or redirected, plain tab-separated columns a script can cut: the title
    (``plain_title``) on a line starting with ``#``, the header, one line per row, every cell whole."""
    if console.is_terminal:
        for column in table.columns:
            column.no_wrap, column.overflow = False, "fold"
        if table.columns:  # the first column names the rows: whole on one line where it fits a third of the width
            first = table.columns[0]
            longest = max((len(_plain(c)) for c in first.cells), default=0)
            first.min_width = max(first.min_width or 0, min(longest, console.width // 3))
        console.print(table)
        return
    lines = [f"# {_plain(table.title)}"] if plain_title and table.title else []
    if table.show_header:
        lines.append("\t".join(_plain(c.header) for c in table.columns))
    cells = [list(c.cells) for c in table.columns]
    lines += ["\t".join(_plain(col[i]) for col in cells) for i in range(table.row_count)]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def _plain(cell: Any) -> str:
    """A table cell as plain text on one line (markup removed, tabs and newlines as spaces)."""
    text = cell.plain if isinstance(cell, Text) else Text.from_markup(str(cell)).plain if cell is not None else ""
    return " ".join(text.replace("\t", " ").splitlines())


def complete_scenario(incomplete: str) -> list[str]:
    """Shell completion of scenario names (built-in scenarios and trade-off options)."""
    try:
        # lazy: keeps `bmdlab --version` fast (the scenario models load only to complete a name)
        from bmdlab.scenario import scenario_names

        return [n for n in scenario_names() if n.startswith(incomplete)]
    except Exception:  # pragma: no cover - completion never fails loudly
        return []


def complete_key(kind: str):
    def complete(incomplete: str) -> list[str]:
        try:
            return [k for k in builtin_catalog().kind(kind) if k.startswith(incomplete)]
        except Exception:  # pragma: no cover
            return []

    return complete


FLYOUT_HELP = "Interceptor fly-out model: physical (point mass with thrust, gravity and drag) or straight-line (the earlier kinematic model)."
LIMITS_HELP = (
    "Engagement limits in force: all, none, or a comma list of launcher-elevation, min-flight-time, crossing, "
    "track-rcs, field-of-view."
)
SCENARIO_HELP = "Built-in scenario (bmdlab scenario list), trade-off option key or a YAML file."
SEED_HELP = "Random seed (same seed, same result; default 2017 everywhere)."
SET_HELP = (
    "NAME=VALUE: change any overridable parameter for this run (repeatable), e.g. availability=0.8, "
    "fire_channels_scale=2, common_mode=0.3, rcs_scale=0.1, track_delay_s=30, limits=none; "
    "every name and its bounds: bmdlab scenario overrides."
)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"bmdlab {__version__}")
        raise typer.Exit()
