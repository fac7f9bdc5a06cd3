"""Defended footprints (bmdlab.defense.footprint) against published sizes and invariants."""

import dataclasses

import numpy as np
import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.defense.engage import make_defender
from bmdlab.defense.footprint import FootprintThreat, defended_footprint

CAT = builtin_catalog()
WONSAN = CAT.place("wonsan")


def _threat(missile="nodong"):
    return FootprintThreat(CAT.missile(missile), missile, WONSAN.lat.nominal, WONSAN.lon.nominal)


def _fp(unit, lat, lon, missile="nodong", **kw):
    d = make_defender(CAT, unit, lat, lon)
    return defended_footprint(d, _threat(missile), **kw)


def test_pac3_footprint_is_tens_of_kilometres():
    # Japanese reporting (Kyodo/nhub, Aug 2017; NHK): a PAC-3 unit defends "a radius of about 20 km",
    # "tens of kilometres" (数十キロ). Against an MRBM the model must give a radius of 10-99 km.
    fp = _fp("pac-3-fire-unit", 35.694, 139.729, points_per_side=61)
    assert 10e3 <= fp.max_radius_m < 100e3
    assert fp.max_shots >= 1


def test_thaad_footprint_is_order_200_km():
    # THAAD: "range of up to 200 km" (TRT World 2017); Japan MOD: ~6 batteries to cover Japan, a
    # 3,000 km arc ~250 km wide, i.e. each defends ~500 km of it. Loose bands: farthest defended aim
    # point 100-400 km; area (land and sea aim points) 30,000-250,000 km2.
    fp = _fp("thaad-battery", 36.0, 137.0, points_per_side=61)
    assert 100e3 <= fp.max_radius_m <= 400e3
    assert 3e10 <= fp.area_m2 <= 2.5e11


def test_longer_range_interceptor_never_covers_less():
    d = make_defender(CAT, "thaad-battery", 36.0, 137.0)
    longer = dataclasses.replace(d, max_range=d.max_range * 1.5, burnout_speed=d.burnout_speed * 1.2)
    kw = dict(points_per_side=41, half_width=2 * longer.max_range + 50e3)
    a = defended_footprint(d, _threat(), **kw)
    b = defended_footprint(longer, _threat(), **kw)
    assert np.all(b.shots[a.shots > 0] > 0)
    assert b.area_m2 >= a.area_m2


def _on_larger_grid(fp, pad, half_width_scale=1.0):
    """The same footprint computed on a grid ``pad`` cells wider on every side, at the same spacing
    (or, with ``half_width_scale`` < 1, on a smaller grid: a deliberately clipped one)."""
    n = int(round(np.sqrt(fp.shots.size)))
    hw = fp.spacing_m * (n - 1) / 2 * half_width_scale
    m = n + 2 * pad if half_width_scale == 1.0 else n
    return defended_footprint(
        fp.defender,
        _threat(fp.missile),
        points_per_side=m,
        half_width=hw + pad * fp.spacing_m,
    )


@pytest.mark.parametrize(
    "unit,lat,lon",
    [
        ("kongo-class", 38.5, 136.0),
        ("thaad-battery", 36.0, 137.0),
        ("aegis-ashore", 39.6, 140.2),
        ("pac-3-fire-unit", 35.694, 139.729),
    ],
)
def test_footprint_is_not_clipped_by_its_default_grid(unit, lat, lon):
    # Independent check of the default extent: the same footprint on a grid 10 cells wider on every side
    # (same spacing, so the default grid's points are a sub-grid of it) must defend exactly the same aim
    # points - none in the added ring - and, on the default grid, no defended point may lie on the outer
    # ring (the cells at the edge). Exact comparison (same points, same model): tolerance zero cells.
    fp = _fp(unit, lat, lon, points_per_side=41)
    n, pad = 41, 10
    assert fp.shots.size == n * n and fp.area_m2 > 0
    s = fp.shots.reshape(n, n)
    assert s[0].max() == s[-1].max() == s[:, 0].max() == s[:, -1].max() == 0
    big = _on_larger_grid(fp, pad)
    assert big.spacing_m == pytest.approx(fp.spacing_m, rel=1e-12)
    b = big.shots.reshape(n + 2 * pad, n + 2 * pad)
    assert np.array_equal(b[pad:-pad, pad:-pad], s)  # the same answer on the common points
    assert np.count_nonzero(b) == np.count_nonzero(s)  # nothing defended outside the default grid
    assert big.area_m2 == pytest.approx(fp.area_m2, rel=1e-12)


def test_a_clipped_grid_is_detected():
    # The check above can fail: on a grid of 0.25 times the default half-width (112 km, while the footprint
    # reaches ~200 km) the THAAD footprint is cut: defended cells on the outer ring, and a smaller area.
    fp = _fp("thaad-battery", 36.0, 137.0, points_per_side=41)
    small = _on_larger_grid(fp, 0, half_width_scale=0.25)
    s = small.shots.reshape(41, 41)
    assert max(s[0].max(), s[-1].max(), s[:, 0].max(), s[:, -1].max()) > 0
    assert small.area_m2 < 0.8 * fp.area_m2  # at most (225 km)^2 = 50,625 km2 against ~94,700 km2


def test_footprints_of_several_defenders_are_each_defenders_own():
    # defended_footprints flies the threat once per aim-point grid for every defender on it (one unit under
    # several engagement models; another unit elsewhere gets its own grid): each answer must be the one its
    # own defended_footprint call gives.
    from bmdlab.defense.engage import DEFAULT_MODEL, LEGACY_MODEL, EngagementModel
    from bmdlab.defense.footprint import defended_footprints

    models = [DEFAULT_MODEL, EngagementModel(limits=frozenset()), LEGACY_MODEL]
    ds = [make_defender(CAT, "thaad-battery", 36.0, 137.0, model=m) for m in models]
    ds.append(make_defender(CAT, "pac-3-fire-unit", 35.694, 139.729))
    together = defended_footprints(ds, _threat(), points_per_side=41)
    for d, fp in zip(ds, together):
        alone = defended_footprint(d, _threat(), points_per_side=41)
        assert fp.defender is d and fp.spacing_m == alone.spacing_m
        np.testing.assert_array_equal(fp.lat_deg, alone.lat_deg)
        np.testing.assert_array_equal(fp.shots, alone.shots)
    assert len({fp.area_m2 for fp in together[:3]}) > 1  # the models differ here: a mix-up would show
