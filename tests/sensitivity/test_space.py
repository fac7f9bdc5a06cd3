"""The uncertainty analysis's factor space: ranges derived from the catalog's plausible ranges (checked by hand
against a catalog whose ranges the test writes), the model ranges where it has none, and the mapping from the
samplers' unit interval to run values."""

import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml

from bmdlab.catalog import load_catalog
from bmdlab.errors import BmdlabError
from bmdlab.sensitivity.space import MODEL_RANGES, Factor, default_space, fallbacks, with_range

SCENARIO = (
    "japan-2017-thaad"  # units: kongo-class, thaad-battery, pac-3-fire-unit; raid: 50 Nodong, 100 Scud-ER, 50 Musudan
)
UNITS = ("kongo-class", "thaad-battery", "pac-3-fire-unit")
MISSILES = ("nodong", "scud-er", "musudan")


def _catalog(tmp_path: Path, change) -> Path:
    """A copy of the built-in catalog with ``change(units, missiles)`` applied to its YAML."""
    cdir = tmp_path / "catalog"
    shutil.copytree(Path(str(resources.files("bmdlab.catalog") / "data")), cdir)
    data = {f: yaml.safe_load((cdir / f"{f}.yaml").read_text(encoding="utf-8")) for f in ("units", "missiles")}
    change(data["units"]["units"], data["missiles"]["missiles"])
    for f, d in data.items():
        (cdir / f"{f}.yaml").write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return cdir


def _set(entry: dict, field: str, value: float, plausible: list[float] | None) -> None:
    entry[field]["value"] = value
    if plausible is None:
        entry[field].pop("plausible", None)
        entry[field].pop("plausible_basis", None)
    else:
        entry[field].update(plausible=plausible, plausible_basis="set by the test")


def _by_name(factors):
    return {f.name: f for f in factors}


def test_ranges_come_from_the_catalogs_plausible_ranges(tmp_path):
    def change(units, missiles):
        for key, channels, avail, delay in (
            ("kongo-class", (2, [2, 12]), (0.5, [0.33, 0.5]), (60, [30, 120])),
            ("thaad-battery", (2, [2, 8]), (0.9, [0.8, 0.95]), (30, [20, 60])),
            ("pac-3-fire-unit", (9, [6, 9]), (0.85, [0.7, 0.9]), (15, [10, 30])),
        ):
            _set(units[key], "fire_channels", channels[0], channels[1])
            _set(units[key], "availability", avail[0], avail[1])
            _set(units[key], "reaction_time", delay[0], delay[1])
        for key, value, plausible in (
            ("nodong", 0.667, [0.5, 0.8]),
            ("scud-er", 0.833, [0.6, 0.9]),
            ("musudan", 0.2, [0.1, 0.5]),
        ):
            missiles[key]["reliability"] = {
                "value": value,
                "unit": "fraction",
                "source": missiles[key]["range"]["source"],
                "year": 2017,
                "confidence": "derived",
            }
            _set(missiles[key], "reliability", value, plausible)

    f = _by_name(default_space(load_catalog(_catalog(tmp_path, change)), SCENARIO))
    # fire channels: one position in every unit's own range (0-1), the ranges named in the basis
    q = f["fire_channels_quantile"]
    assert (q.low, q.high) == (0.0, 1.0)
    assert "kongo-class 2-12" in q.basis and "thaad-battery 2-8" in q.basis and "pac-3-fire-unit 6-9" in q.basis
    # availability: the ships' share and the land units' availability, each the envelope of its units' ranges
    assert (f["sea_availability"].low, f["sea_availability"].high) == (0.33, 0.5)
    assert (f["land_availability"].low, f["land_availability"].high) == (0.7, 0.95)
    assert (f["track_delay_s"].low, f["track_delay_s"].high) == (10.0, 120.0)
    assert f["track_delay_s"].levels == 4
    # missile reliability: the raid's weighted means (50 Nodong, 100 Scud-ER, 50 Musudan)
    lo = (50 * 0.5 + 100 * 0.6 + 50 * 0.1) / 200
    hi = (50 * 0.8 + 100 * 0.9 + 50 * 0.5) / 200
    assert (f["missile_reliability"].low, f["missile_reliability"].high) == pytest.approx((lo, hi))
    for name in (
        "fire_channels_quantile",
        "sea_availability",
        "land_availability",
        "track_delay_s",
        "missile_reliability",
    ):
        assert f[name].source == "catalog" and f[name].missing == ()
    assert f["sspk_quantile"].low == 0.05 and f["sspk_quantile"].high == 0.95
    assert f["limit_crossing"].kind == "switch" and f["limit_min_flight_time"].kind == "switch"
    assert fallbacks(f.values()) == ["cost_scale"]  # every price at once maps to no one catalog value
    assert "missiles" not in f  # the raid size is the analyst's input, never a factor


def test_a_factor_without_catalog_ranges_falls_back_to_its_model_range_and_says_so(tmp_path):
    def change(units, missiles):
        for key in UNITS:
            _set(units[key], "fire_channels", units[key]["fire_channels"]["value"], None)
            _set(units[key], "availability", units[key]["availability"]["value"], None)
        _set(units["kongo-class"], "reaction_time", 60, [30, 90])
        _set(units["thaad-battery"], "reaction_time", 30, None)
        _set(units["pac-3-fire-unit"], "reaction_time", 15, None)
        for key in MISSILES:
            missiles[key].pop("reliability", None)

    f = _by_name(default_space(load_catalog(_catalog(tmp_path, change)), SCENARIO))
    for name in ("fire_channels_scale", "sea_availability", "land_availability", "missile_reliability"):
        assert (f[name].low, f[name].high, f[name].basis) == MODEL_RANGES[name]
        assert f[name].source == "model"
    assert "fire_channels_quantile" not in f  # no unit has a range to take a position in: the scale instead
    assert set(f["fire_channels_scale"].missing) == set(UNITS)
    assert set(f["missile_reliability"].missing) == set(MISSILES)
    # one unit has a range: that one is used, the others are named as missing
    assert (f["track_delay_s"].low, f["track_delay_s"].high, f["track_delay_s"].source) == (30.0, 90.0, "catalog")
    assert set(f["track_delay_s"].missing) == {"thaad-battery", "pac-3-fire-unit"}
    assert "no plausible range yet: thaad-battery, pac-3-fire-unit" in f["track_delay_s"].basis
    assert fallbacks(f.values()) == [
        "fire_channels_scale",
        "sea_availability",
        "land_availability",
        "missile_reliability",
        "cost_scale",
    ]


def test_the_unit_interval_maps_to_equally_likely_values():
    x = (np.arange(100_000) + 0.5) / 100_000  # a fine uniform grid of the unit interval
    levels = Factor("d", "track_delay_s", 30.0, 120.0, levels=4)
    counts = {v: 0 for v in (30.0, 60.0, 90.0, 120.0)}
    for v in map(levels.value, x):
        counts[v] += 1
    assert set(counts.values()) == {25_000}
    whole = Factor("n", "decoys", 0, 2, kind="integer")
    got = [whole.value(v) for v in x]
    assert [got.count(k) for k in (0, 1, 2)] == pytest.approx([100_000 / 3] * 3, abs=1)
    switch = Factor("s", "limit_crossing", 0, 1, kind="switch")
    assert [switch.value(v) for v in (0.0, 0.49, 0.5, 1.0)] == ["off", "off", "on", "on"]
    # the Morris grid {0, 1/3, 2/3, 1} lands on the four levels one to one
    assert [levels.value(k / 3) for k in range(4)] == [30.0, 60.0, 90.0, 120.0]
    cont = Factor("a", "availability", 0.2, 0.9)
    assert cont.value(0.0) == 0.2 and cont.value(1.0) == 0.9 and cont.value(0.5) == pytest.approx(0.55)


def test_bad_factors_are_one_line_errors():
    with pytest.raises(BmdlabError, match="kind 'float' must be one of"):
        Factor("a", "availability", 0.0, 1.0, kind="float")
    with pytest.raises(BmdlabError, match="must be finite with low <= high"):
        Factor("a", "availability", 1.0, 0.0)
    with pytest.raises(BmdlabError, match="levels must be at least 2"):
        Factor("a", "availability", 0.0, 1.0, levels=1)
    with pytest.raises(BmdlabError, match="no factor 'channels'"):
        with_range([Factor("a", "availability", 0.0, 1.0)], "channels", 1, 2, "mine")
    mine = with_range([Factor("a", "availability", 0.0, 1.0)], "a", 0.5, 0.8, "an analyst's range")
    assert (mine[0].low, mine[0].high, mine[0].source) == (0.5, 0.8, "analyst")
