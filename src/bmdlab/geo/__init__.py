"""Geography: Japan's outline, cities, land mask and the population-weighted land grid."""

from bmdlab.geo.grid import URBAN_DENSITY, LandGrid, land_grid
from bmdlab.geo.japan import (
    JAPAN_BUFFER_M,
    JAPAN_LAT_RANGE_DEG,
    JAPAN_LON_RANGE_DEG,
    Cities,
    Prefecture,
    in_japan,
    is_land,
    japan_cities,
    japan_outline,
    largest_cities,
    prefectures,
)

__all__ = [
    "JAPAN_BUFFER_M",
    "JAPAN_LAT_RANGE_DEG",
    "JAPAN_LON_RANGE_DEG",
    "URBAN_DENSITY",
    "Cities",
    "LandGrid",
    "Prefecture",
    "in_japan",
    "is_land",
    "japan_cities",
    "japan_outline",
    "land_grid",
    "largest_cities",
    "prefectures",
]
