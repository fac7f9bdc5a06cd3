"""Defended footprints (bmdlab.defense.footprint) against published sizes and invariants."""

import dataclasses

import numpy as np
import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.defense.engage import make_defender
from bmdlab.defense.footprint import defended_footprint

CAT = builtin_catalog()
WONSAN = CAT.place("wonsan")


def _fp(unit, lat, lon, missile="nodong", **kw):
    d = make_defender(CAT, unit, lat, lon)
    return defended_footprint(d, CAT.missile(missile), missile, WONSAN.lat.nominal, WONSAN.lon.nominal, **kw)


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
    a = defended_footprint(d, CAT.missile("nodong"), "nodong", WONSAN.lat.nominal, WONSAN.lon.nominal, **kw)
    b = defended_footprint(longer, CAT.missile("nodong"), "nodong", WONSAN.lat.nominal, WONSAN.lon.nominal, **kw)
    assert np.all(b.shots[a.shots > 0] > 0)
    assert b.area_m2 >= a.area_m2


def test_footprint_does_not_touch_the_grid_edge():
    # The default grid must be large enough: no defended aim point on the outer ring.
    fp = _fp("kongo-class", 38.5, 136.0, points_per_side=41)
    n = int(np.sqrt(fp.shots.size))
    s = fp.shots.reshape(n, n)
    edge = np.concatenate([s[0], s[-1], s[:, 0], s[:, -1]])
    assert edge.max() == 0 or fp.max_radius_m < 0.95 * (n // 2) * fp.spacing_m * np.sqrt(2)
