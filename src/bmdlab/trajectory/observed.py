"""Observed North Korean test flights (range, apogee, flight time, source), shipped with bmdlab.

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
def observed_flights() -> tuple[dict[str, Any], ...]:
    """Observed test flights shipped with bmdlab, in the order of the file."""
    text = (resources.files("bmdlab.trajectory") / "observed_flights.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["flights"])
