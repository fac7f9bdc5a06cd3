"""Sourced catalog of threat missiles, interceptors, sensors, units and places."""

from bmdlab.catalog.load import Catalog, builtin_catalog, load_catalog
from bmdlab.catalog.schema import CURRENCIES, KINDS, Economics, Interceptor, Missile, Place, Sensor, Source, Unit, Value

__all__ = [
    "CURRENCIES",
    "Economics",
    "KINDS",
    "Catalog",
    "Interceptor",
    "Missile",
    "Place",
    "Sensor",
    "Source",
    "Unit",
    "Value",
    "builtin_catalog",
    "load_catalog",
]
