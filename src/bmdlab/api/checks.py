"""Validation of the Python API's parameters: one-line errors that name the parameter.

The CLI maps a parameter's name to its option (``trials`` -> ``--trials``); the library never
names a command-line flag.
"""

from __future__ import annotations

import math
from typing import Any

from bmdlab.defaults import DEFAULT_SEED  # noqa: E402  (one seed for the CLI, the API and the study)
from bmdlab.errors import BmdlabError, unknown_key

#: Largest Monte Carlo trial count of a trade-off, tornado or sweep run.
MAX_RUN_TRIALS = 1_000_000


def check_int(name: str, value: Any, low: int, high: int) -> int:
    """A whole number in [low, high]."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int,))
        and not (isinstance(value, float) and value.is_integer())
    ):
        raise BmdlabError(f"{name}: {value!r} must be a whole number from {low:,} to {high:,}")
    v = int(value)
    if not low <= v <= high:
        raise BmdlabError(f"{name}: {v:,} must be between {low:,} and {high:,}")
    return v


def check_float(name: str, value: Any, low: float, high: float, *, unit: str = "", low_open: bool = False) -> float:
    """A finite number in [low, high] (or (low, high] with ``low_open``)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise BmdlabError(f"{name}: {value!r} must be a number") from None
    ok = math.isfinite(v) and (low < v if low_open else low <= v) and v <= high
    if not ok:
        u = f" {unit}" if unit else ""
        lo = f"above {low:g}{u} and at most" if low_open else f"from {low:g}{u} to"
        raise BmdlabError(f"{name}: {v:g} must be a number {lo} {high:g}{u}")
    return v


def check_seed(seed: Any) -> int:
    return check_int("seed", seed, 0, 2**63 - 1)


def check_resolution(resolution_km: Any) -> float:
    return check_float("resolution_km", resolution_km, 0.5, 200.0, unit="km")


def check_choice(name: str, value: Any, choices: tuple[str, ...] | list[str], what: str | None = None) -> str:
    """One of ``choices``; the error names the parameter and suggests the closest choice."""
    if value not in choices:
        raise BmdlabError(f"{name}: " + str(unknown_key(what or name.replace("_", " "), str(value), choices)))
    return str(value)


__all__ = [
    "DEFAULT_SEED",
    "MAX_RUN_TRIALS",
    "check_choice",
    "check_float",
    "check_int",
    "check_resolution",
    "check_seed",
]
