"""Japan's cities as place keys (``tokyo``, ``osaka``, ``hachioji``), for every field that takes a place.

The cities are GeoNames' (CC BY 4.0), deduplicated (:func:`bmdlab.geo.japan.japan_cities`); a key is
the romanised name in lower-case ASCII with words joined by hyphens. Where two cities share a key
(two Fuchū), the more populous one keeps it.
"""

from __future__ import annotations

import functools
import unicodedata

from bmdlab.geo.japan import japan_cities


def city_key(name: str) -> str:
    """The key of a city name: lower-case ASCII, words joined by hyphens (``Hachiōji`` -> ``hachioji``)."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "-".join(ascii_.lower().replace("-", " ").split())


@functools.lru_cache(maxsize=1)
def city_places() -> dict[str, tuple[float, float, str]]:
    """``{key: (lat_deg, lon_deg, name)}`` of Japan's cities."""
    c = japan_cities()
    best: dict[str, tuple[float, tuple[float, float, str]]] = {}
    for i in range(len(c.name)):
        key = city_key(str(c.name[i]))
        pop = float(c.population[i])
        if key and (key not in best or pop > best[key][0]):
            best[key] = (pop, (float(c.lat_deg[i]), float(c.lon_deg[i]), str(c.name[i])))
    return {k: v[1] for k, v in best.items()}


def city_place(text: str) -> tuple[float, float, str] | None:
    """(lat_deg, lon_deg, name) of the city ``text`` names, or None."""
    return city_places().get(city_key(text))


__all__ = ["city_key", "city_place", "city_places"]
