"""The one place resolver: every field that takes a place takes the same names.

A place is a catalog place key (``sunan``, ``araya``, ``station-sea-of-japan-central``), a city of
Japan (``tokyo``, ``osaka``, ``hachioji``: GeoNames names in lower-case ASCII,
:mod:`bmdlab.geo.places`), ``LAT,LON`` text in degrees, or a point with ``lat`` and ``lon``
attributes (a scenario's ``{lat, lon}``). The scenario loader, the Python API, the command line and
the web server all call :func:`resolve_place`, so a name accepted by one is accepted by all.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from bmdlab import arguments
from bmdlab.catalog import Catalog
from bmdlab.errors import BmdlabError
from bmdlab.geo.places import city_key, city_places


@dataclass(frozen=True)
class Place:
    """A resolved point: latitude and longitude [deg], a label, and where the name came from."""

    lat_deg: float
    lon_deg: float
    label: str
    origin: str  #: "catalog", "city" or "coordinates"

    @property
    def latlon(self) -> tuple[float, float]:
        """(lat, lon) [deg]."""
        return self.lat_deg, self.lon_deg

    def to_dict(self) -> dict[str, Any]:
        return {"lat": self.lat_deg, "lon": self.lon_deg, "label": self.label, "origin": self.origin}


def place_keys(catalog: Catalog) -> list[str]:
    """Every place name :func:`resolve_place` accepts (catalog places first, then cities)."""
    return list(catalog.places) + [k for k in city_places() if k not in catalog.places]


def resolve_place(at: Any, catalog: Catalog, parameter: str = "place") -> Place:
    """``at`` as a :class:`Place`: a catalog place key, a city key, ``LAT,LON`` text or a point with
    ``lat`` and ``lon`` [deg].

    Raises
    ------
    BmdlabError
        One line naming ``parameter`` when ``at`` is none of these or its coordinates are out of range.
    """
    parameter = arguments.text("parameter", parameter)
    arguments.instance("catalog", catalog, Catalog, "a Catalog (bmdlab.catalog.builtin_catalog())")
    if hasattr(at, "lat") and hasattr(at, "lon") and not isinstance(at, str):
        return _point(float(at.lat), float(at.lon), parameter)
    if not isinstance(at, str):
        raise BmdlabError(f"{parameter}: {at!r} is not a place; give a catalog place, a city of Japan or LAT,LON")
    text = at.strip()
    if text in catalog.places:
        p = catalog.places[text]
        return Place(p.lat.nominal, p.lon.nominal, p.name, "catalog")
    if "," in text:
        return _coordinates(text, parameter)
    city = city_places().get(city_key(text))
    if city is not None:
        return Place(city[0], city[1], city[2], "city")
    close = difflib.get_close_matches(city_key(text), list(catalog.places) + list(city_places()), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise BmdlabError(
        f"{parameter}: '{text}' is not LAT,LON in degrees (e.g. 39.22,125.67), a catalog place "
        f"(bmdlab catalog list --kind places) nor a city of Japan (e.g. tokyo){hint}"
    )


def _coordinates(text: str, parameter: str) -> Place:
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise BmdlabError(
            f"{parameter}: '{text}' is not LAT,LON in degrees (e.g. 39.22,125.67), a catalog place nor a city of Japan"
        ) from None
    return _point(lat, lon, parameter)


def _point(lat: float, lon: float, parameter: str) -> Place:
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise BmdlabError(f"{parameter}: latitude {lat:g} is out of range; use -90 to 90 degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise BmdlabError(f"{parameter}: longitude {lon:g} is out of range; use -180 to 180 degrees")
    return Place(lat, lon, f"{lat:.3f},{lon:.3f}", "coordinates")


__all__ = ["Place", "city_key", "city_places", "place_keys", "resolve_place"]
