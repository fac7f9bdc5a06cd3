"""Japan's regions (bmdlab.geo.region.japan_regions) against the 2015 census and published areas."""

import numpy as np
import pytest

from bmdlab.geo.grid import land_grid
from bmdlab.geo.region import REGION_NAMES, japan_regions

GRID = land_grid(5.0)
REGION = japan_regions(GRID.lat_deg, GRID.lon_deg)

# Statistics Bureau of Japan, 2015 Population Census, prefecture totals summed by region [thousands]
# (Mie in Kinki; Kyushu with Okinawa, because the Nansei islands split Kagoshima).
CENSUS_2015 = {
    "Hokkaido": 5382,
    "Tohoku": 8983,
    "Kanto": 42995,
    "Chubu": 21460,
    "Kinki": 22541,
    "Chugoku": 7438,
    "Shikoku": 3845,
    "Kyushu+Nansei": 14450,
}


def _people(name):
    if name == "Kyushu+Nansei":
        m = np.isin(REGION, [REGION_NAMES.index("Kyushu"), REGION_NAMES.index("Nansei islands")])
    else:
        m = REGION == REGION_NAMES.index(name)
    return GRID.population[m].sum() / 1e3


@pytest.mark.parametrize("name", list(CENSUS_2015))
def test_region_population_matches_the_2015_census(name):
    # Tolerance 5 %: the grid spreads GeoNames city populations (bmdlab.geo.grid), not census blocks.
    assert _people(name) == pytest.approx(CENSUS_2015[name], rel=0.05)


def test_nansei_islands_area_and_membership():
    # Nansei-shoto: about 4,642 km^2 (Satsunan + Ryukyu islands; Japanese Wikipedia, from GSI areas).
    # Tolerance 10 %: 5 km cells along the coasts of small islands.
    nansei = REGION == REGION_NAMES.index("Nansei islands")
    assert GRID.area_m2[nansei].sum() / 1e6 == pytest.approx(4642, rel=0.10)
    # Naha, Ishigaki and Amami-Oshima are Nansei; Kagoshima city and Tokyo are not
    idx = japan_regions(
        np.array([26.21, 24.34, 28.38, 31.60, 35.69]), np.array([127.68, 124.16, 129.49, 130.56, 139.69])
    )
    assert [REGION_NAMES[i] for i in idx] == ["Nansei islands"] * 3 + ["Kyushu", "Kanto"]
