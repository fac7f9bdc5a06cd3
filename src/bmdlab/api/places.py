"""Places a user may name: catalog places (launch areas, sites, stations) and Japan's cities.

One resolver for every command and the Python API, so that a key accepted in one place (``at: tokyo``
for a unit in a scenario file) is accepted in all (``bmdlab trajectory --to tokyo``, ``--at tokyo``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bmdlab.catalog import Catalog
from bmdlab.errors import BmdlabError
from bmdlab.geo.places import city_key


@dataclass(frozen=True)
class Place:
    """A resolved point: latitude and longitude [deg], a label, and where the name came from."""

    lat_deg: float
    lon_deg: float
    label: str
    origin: str  #: "catalog", "city" or "coordinates"

    def to_dict(self) -> dict:
        return {"lat": self.lat_deg, "lon": self.lon_deg, "label": self.label, "origin": self.origin}


def city_places() -> dict[str, Place]:
    """Japan's cities by key (:mod:`bmdlab.geo.places`) as :class:`Place`."""
    from bmdlab.geo.places import city_places as cities

    return {k: Place(lat, lon, name, "city") for k, (lat, lon, name) in cities().items()}


def place_keys(catalog: Catalog) -> list[str]:
    """Every place key :func:`resolve_place` accepts (catalog places first, then cities)."""
    return list(catalog.places) + [k for k in city_places() if k not in catalog.places]


def resolve_place(text: str, catalog: Catalog, parameter: str = "place") -> Place:
    """``LAT,LON`` in degrees, a catalog place key (``sunan``, ``araya``) or a city key (``tokyo``).

    Raises
    ------
    BmdlabError
        One line naming ``parameter`` when the text is none of these or the coordinates are out of range.
    """
    text = str(text).strip()
    if text in catalog.places:
        p = catalog.places[text]
        return Place(p.lat.nominal, p.lon.nominal, p.name, "catalog")
    if "," not in text:
        cities = city_places()
        key = city_key(text)
        if key in cities:
            return cities[key]
        import difflib

        close = difflib.get_close_matches(key, list(catalog.places) + list(cities), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise BmdlabError(
            f"{parameter}: '{text}' is not LAT,LON in degrees (e.g. 39.22,125.67), a catalog place "
            f"(bmdlab catalog list --kind places) nor a city of Japan (e.g. tokyo){hint}"
        )
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise BmdlabError(
            f"{parameter}: '{text}' is not LAT,LON in degrees (e.g. 39.22,125.67), a catalog place nor a city"
        ) from None
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise BmdlabError(f"{parameter}: latitude {lat:g} is out of range; use -90 to 90 degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 360.0):
        raise BmdlabError(f"{parameter}: longitude {lon:g} is out of range; use -180 to 180 degrees")
    return Place(lat, lon, f"{lat:.3f},{lon:.3f}", "coordinates")


__all__ = ["Place", "city_key", "city_places", "place_keys", "resolve_place"]
