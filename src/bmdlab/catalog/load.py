"""Load and validate the catalog (built-in or a user's directory of YAML files)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import ValidationError

from bmdlab.catalog import units as q
from bmdlab.catalog.schema import (
    KINDS,
    UNITS,
    Economics,
    Entry,
    Interceptor,
    Missile,
    Place,
    Sensor,
    Source,
    Stage,
    Unit,
    Value,
)
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.io import read_input_text

SOURCES_FILE = "sources.yaml"
ECONOMICS_FILE = "economics.yaml"  #: optional: needed only by the cost model


def _field_path(loc: tuple[Any, ...]) -> str:
    """Dotted field path, without the union-branch tags pydantic inserts (``str``, ``LatLon``, ...)."""
    tags = {"str", "int", "float", "bool", "list", "dict"}
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and (p in tags or p[:1].isupper() or "[" in p)))


def validation_message(where: str, error: ValidationError) -> str:
    """One line naming the file, the field path and what is allowed, from a pydantic error."""
    errors = error.errors()
    # a union (e.g. a place key or {lat, lon}) reports one error per branch: the 'wrong type' ones
    # say nothing useful when another branch matched the input's type and failed on a value
    useful = [
        e
        for e in errors
        if e["type"]
        not in ("string_type", "model_type", "dict_type", "float_type", "int_type", "list_type", "bool_type")
        or len(errors) == 1
    ]
    first = (useful or errors)[0]
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        msg = "field is required but missing"
    elif first["type"] == "extra_forbidden":
        msg = "unknown field; remove it or check its spelling"
    more = len(useful or errors) - 1
    tail = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    path = _field_path(first["loc"])
    return f"{where}: {path}: {msg}{tail}" if path else f"{where}.{msg}{tail}"


#: Deepest nesting of mappings and lists a YAML input may have.
MAX_YAML_DEPTH = 40


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader, refusing duplicate keys (YAML 1.2 requires keys to be unique; PyYAML
    silently keeps the last one, which would let a second ``architecture:`` replace the first).

    Built on LibYAML's C parser (``CSafeLoader``) when PyYAML has it, the pure-Python one otherwise:
    the same documents, about ten times faster to parse."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                dup = key in seen
            except TypeError:  # an unhashable key: PyYAML raises its own error below
                dup = False
            if dup:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'; give each key once", key_node.start_mark
                )
            with contextlib.suppress(TypeError):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


#: Most values a YAML input may expand to, counting every use of an anchor (a small file of nested
#: aliases can otherwise stand for billions of values, the "billion laughs").
MAX_YAML_VALUES = 1_000_000


def _shape(obj: Any, limit: int) -> tuple[int, int]:
    """Nesting depth of mappings and lists (stops past ``limit``) and the number of values the data
    expands to when every alias is written out. Shared (aliased) containers are measured once each,
    so the cost is that of the file, not of its expansion; no recursion."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    order: list[Any] = []
    stack, seen = [obj], set()
    while stack:  # containers in an order where each comes before its children
        o = stack.pop()
        if isinstance(o, (dict, list)) and id(o) not in seen:
            seen.add(id(o))
            order.append(o)
            stack.extend(o.values() if isinstance(o, dict) else o)
    for o in reversed(order):  # children first
        kids = list(o.values()) if isinstance(o, dict) else o
        size[id(o)] = 1 + sum(size.get(id(k), 1) for k in kids)
        depth[id(o)] = 1 + max((depth.get(id(k), 0) for k in kids), default=0)
        if depth[id(o)] > limit:
            return depth[id(o)], size[id(o)]
    return (depth.get(id(obj), 0), size.get(id(obj), 1))


def read_yaml(path: Path) -> Any:
    """Read a YAML file strictly, turning every problem into a one-line :class:`BmdlabError`.

    Refused: what :func:`bmdlab.io.read_input_text` refuses (not a regular file, too large, not
    UTF-8), invalid YAML, duplicate keys, and nesting deeper than :data:`MAX_YAML_DEPTH`.
    """
    return parse_yaml_text(read_input_text(path, what="YAML file"), str(path))


def parse_yaml_text(text: str, where: str) -> Any:
    """Parse YAML text strictly (as :func:`read_yaml`, for text that is not a file, e.g. an upload);
    ``where`` names it in the one-line errors."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as exc:
        raise BmdlabError(
            f"{where}: not valid YAML: {exc.reason} (character {exc.position + 1}); save it as plain UTF-8 text"
        ) from None
    except yaml.YAMLError as exc:
        if "nesting depth" in str(getattr(exc, "problem", "")):  # LibYAML's own depth limit
            raise BmdlabError(f"{where}: nested deeper than {MAX_YAML_DEPTH} levels; flatten it") from None
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise BmdlabError(f"{where}: not valid YAML{at}: {problem}") from None
    except RecursionError:
        raise BmdlabError(f"{where}: nested deeper than {MAX_YAML_DEPTH} levels; flatten it") from None
    deep, values = _shape(data, MAX_YAML_DEPTH)
    if deep > MAX_YAML_DEPTH:
        raise BmdlabError(f"{where}: nested deeper than {MAX_YAML_DEPTH} levels; flatten it")
    if values > MAX_YAML_VALUES:
        raise BmdlabError(
            f"{where}: its anchors and aliases expand to {values:,} values, more than {MAX_YAML_VALUES:,}; "
            "write the values out instead of nesting aliases"
        )
    return data


@dataclass(frozen=True)
class Catalog:
    """The validated catalog: entries by kind and key, the bibliography and a content hash."""

    missiles: Mapping[str, Missile]
    interceptors: Mapping[str, Interceptor]
    sensors: Mapping[str, Sensor]
    units: Mapping[str, Unit]
    places: Mapping[str, Place]
    sources: Mapping[str, Source]
    hash: str
    origin: str = field(default="built-in")
    economics_data: Economics | None = None

    @property
    def economics(self) -> Economics:
        """Exchange rates, price index and missile costs; a clear error if the catalog has none."""
        if self.economics_data is None:
            raise BmdlabError(
                f"catalog '{self.origin}' has no {ECONOMICS_FILE}; add one (exchange_rates, deflator) to compute costs"
            )
        return self.economics_data

    def kind(self, kind: str) -> Mapping[str, Entry]:
        """All entries of one kind (``missiles``, ``interceptors``, ``sensors``, ``units``, ``places``)."""
        if kind not in KINDS:
            raise BmdlabError("kind: " + str(unknown_key("catalog kind", kind, KINDS)))
        return getattr(self, kind)

    def get(self, kind: str, key: str) -> Entry:
        """One entry; an unknown key raises a :class:`BmdlabError` suggesting the closest key."""
        entries = self.kind(kind)
        if key not in entries:
            raise unknown_key(kind.removesuffix("s"), key, entries)
        return entries[key]

    def find(self, key: str) -> tuple[str, Entry]:
        """Look a key up in every kind; returns ``(kind, entry)``."""
        for kind in KINDS:
            if key in self.kind(kind):
                return kind, self.kind(kind)[key]
        raise unknown_key("catalog key", key, [k for kind in KINDS for k in self.kind(kind)])

    def missile(self, key: str) -> Missile:
        return self.get("missiles", key)  # type: ignore[return-value]

    def place(self, key: str) -> Place:
        return self.get("places", key)  # type: ignore[return-value]

    def places_of(self, kind: str) -> dict[str, Place]:
        """Places of one kind, e.g. ``launch-area``."""
        return {k: p for k, p in self.places.items() if p.kind == kind}

    def items(self) -> Iterator[tuple[str, str, Entry]]:
        """``(kind, key, entry)`` for every entry."""
        for kind in KINDS:
            for key, entry in self.kind(kind).items():
                yield kind, key, entry


def _values(entry: Entry) -> Iterator[tuple[str, Value]]:
    for name in type(entry).model_fields:
        val = getattr(entry, name)
        if isinstance(val, Value):
            yield name, val


def _dimension_errors(model: type[Entry], item: Any, where: str) -> None:
    """Refuse a value whose unit does not have its field's dimension (pint; :mod:`bmdlab.catalog.units`).

    Runs on the raw entry, before the model's range checks, which would read a wrongly-dimensioned
    value in the wrong unit."""
    if not isinstance(item, dict):
        return
    checks = [(name, item.get(name), spec) for name, spec in model.QUANTITIES.items()]
    if isinstance(item.get("stages"), list):
        checks += [
            (f"stages.{i}.{name}", st.get(name), spec)
            for i, st in enumerate(item["stages"])
            if isinstance(st, dict)
            for name, spec in Stage.QUANTITIES.items()
        ]
    for name, val, spec in checks:
        if isinstance(val, dict) and isinstance(val.get("unit"), str) and val["unit"] in UNITS:
            why = q.check_dimension(val["unit"], spec)
            if why:
                allowed = [u for u in UNITS if q.check_dimension(u, spec) is None]
                raise BmdlabError(f"{where}.{name}: {why}; use {' or '.join(allowed)}")


def load_catalog(directory: str | Path | None = None, *, check_dimensions: bool | None = None) -> Catalog:
    """Load and validate the catalog.

    Parameters
    ----------
    directory : path, optional
        A directory holding ``sources.yaml`` and the kind files (``missiles.yaml`` ...). Default:
        the catalog shipped with bmdlab.
    check_dimensions : bool, optional
        Check each value's unit against its field's dimension with pint. Default: for a user's
        directory, yes; for the built-in catalog, no (the test suite checks it, and commands then
        do not pay pint's import time).

    Raises
    ------
    BmdlabError
        One line naming the file, the field path and what is allowed.
    """
    base, origin = _catalog_dir(directory)
    raw, digest = _read_files(base)
    sources: dict[str, Source] = {}
    for key, item in _section(raw, base, SOURCES_FILE, "sources").items():
        try:
            sources[key] = Source.model_validate(item)
        except ValidationError as exc:
            raise BmdlabError(validation_message(f"{base / SOURCES_FILE}: sources.{key}", exc)) from None
    dimensions = check_dimensions if check_dimensions is not None else directory is not None
    entries = {kind: _entries(raw, base, kind, sources, dimensions) for kind in KINDS}
    _check_references(entries, base)
    economics = _economics(raw, base, sources, entries) if ECONOMICS_FILE in raw else None
    return Catalog(
        economics_data=economics,
        **{kind: MappingProxyType(e) for kind, e in entries.items()},
        sources=MappingProxyType(sources),
        hash=digest,
        origin=origin,
    )


def _catalog_dir(directory: str | Path | None) -> tuple[Path, str]:
    """The catalog's folder and its origin (``built-in`` or the folder)."""
    if directory is None:
        return Path(str(resources.files("bmdlab.catalog") / "data")), "built-in"
    base = Path(directory)
    if not base.is_dir():
        raise BmdlabError(
            f"catalog directory '{base}' does not exist; pass a directory holding {SOURCES_FILE} and the kind files"
        )
    return base, str(base)


def _read_files(base: Path) -> tuple[dict[str, Any], str]:
    """Every catalog file's YAML, and the catalog's hash (of the files' names and bytes, 16 hex digits)."""
    digest = hashlib.sha256()
    raw: dict[str, Any] = {}
    for fname in [SOURCES_FILE] + [f for _, f in KINDS.values()]:
        path = base / fname
        if not path.is_file():
            raise BmdlabError(
                f"{path}: catalog file is missing; a catalog needs {SOURCES_FILE} and {', '.join(f for _, f in KINDS.values())}"
            )
        digest.update(fname.encode() + b"\0" + path.read_bytes() + b"\0")
        raw[fname] = read_yaml(path)
    econ_path = base / ECONOMICS_FILE
    if econ_path.is_file():
        digest.update(ECONOMICS_FILE.encode() + b"\0" + econ_path.read_bytes() + b"\0")
        raw[ECONOMICS_FILE] = read_yaml(econ_path)
    return raw, digest.hexdigest()[:16]


def _section(raw: dict[str, Any], base: Path, fname: str, top: str) -> dict[str, Any]:
    data = raw[fname]
    if not isinstance(data, dict) or not isinstance(data.get(top), dict):
        raise BmdlabError(f"{base / fname}: expected a mapping '{top}: {{key: entry, ...}}' at the top level")
    return data[top]


def _entries(
    raw: dict[str, Any], base: Path, kind: str, sources: Mapping[str, Source], check_dimensions: bool
) -> dict[str, Entry]:
    """One kind's entries, validated, each value's source in the bibliography."""
    model, fname = KINDS[kind]
    out: dict[str, Entry] = {}
    for key, item in _section(raw, base, fname, kind).items():
        where = f"{base / fname}: {kind}.{key}"
        if check_dimensions:
            _dimension_errors(model, item, where)
        try:
            entry = model.model_validate(item)
        except ValidationError as exc:
            raise BmdlabError(validation_message(where, exc)) from None
        for name, val in _values(entry):
            if val.source not in sources:
                raise BmdlabError(
                    f"{where}.{name}.source: '{val.source}' is not in {SOURCES_FILE}; add it there or cite an existing source"
                )
        out[key] = entry
    return out


def _check_references(entries: dict[str, dict[str, Any]], base: Path) -> None:
    """Keys that name other entries: a missile's shared launchers, a unit's interceptor and sensor."""
    for key, mis in entries["missiles"].items():
        pool = mis.launchers_shared_with
        if pool is not None and (pool not in entries["missiles"] or entries["missiles"][pool].launchers is None):
            raise BmdlabError(
                f"{base / KINDS['missiles'][1]}: missiles.{key}.launchers_shared_with: '{pool}' must be a "
                "missile of this catalog with a launchers count"
            )
    for key, unit in entries["units"].items():
        where = f"{base / KINDS['units'][1]}: units.{key}"
        if unit.interceptor not in entries["interceptors"]:
            raise BmdlabError(
                f"{where}.interceptor: " + str(unknown_key("interceptor", unit.interceptor, entries["interceptors"]))
            )
        if unit.sensor not in entries["sensors"]:
            raise BmdlabError(f"{where}.sensor: " + str(unknown_key("sensor", unit.sensor, entries["sensors"])))


def _economics(
    raw: dict[str, Any], base: Path, sources: Mapping[str, Source], entries: dict[str, dict[str, Any]]
) -> Economics:
    """The economics file: validated, every value sourced, its missile costs for missiles of the catalog."""
    where = f"{base / ECONOMICS_FILE}: economics"
    try:
        economics = Economics.model_validate(_section(raw, base, ECONOMICS_FILE, "economics"))
    except ValidationError as exc:
        raise BmdlabError(validation_message(where, exc)) from None
    for table in ("exchange_rates", "deflator", "us_deflator", "missile_costs", "claims"):
        for key, val in getattr(economics, table).items():
            if val.source not in sources:
                raise BmdlabError(
                    f"{where}.{table}.{key}.source: '{val.source}' is not in {SOURCES_FILE}; add it there or cite an existing source"
                )
    for key in economics.missile_costs:
        if key not in entries["missiles"]:
            raise BmdlabError(f"{where}.missile_costs.{key}: " + str(unknown_key("missile", key, entries["missiles"])))
    return economics


@functools.cache
def builtin_catalog() -> Catalog:
    """The shipped catalog, loaded once per process (it is immutable)."""
    return load_catalog()
