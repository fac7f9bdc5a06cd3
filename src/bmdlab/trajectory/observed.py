"""Observed North Korean test flights (range, apogee, flight time, source) and raid records, shipped with bmdlab.

The figures and their sources are in ``observed_flights.yaml`` beside this module. They check the
trajectory model (flight times, ``tests/trajectory/test_observed_flights.py``) and the catalog
(:func:`bmdlab.trajectory.consistency.catalog_check`).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml


@functools.cache
def _observed() -> dict[str, Any]:
    text = (resources.files("bmdlab.trajectory") / "observed_flights.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text))


def observed_flights() -> tuple[dict[str, Any], ...]:
    """Observed ballistic test flights shipped with bmdlab, in the order of the file."""
    return tuple(_observed()["flights"])


def atmospheric_flights() -> tuple[dict[str, Any], ...]:
    """Observed quasi-ballistic and boost-glide flights (with North Korea's claims and each figure's confidence)."""
    return tuple(_observed()["atmospheric_flights"])


def raid_records() -> tuple[dict[str, Any], ...]:
    """The largest launches on record (one day, one year), with their sources."""
    return tuple(_observed()["raid_records"])
