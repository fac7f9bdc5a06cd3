"""One-at-a-time sensitivity (tornado): each input at its low and high value, the others at base.

The default ranges are the open-literature uncertainty of each input:

* kill probability: the 5th and 95th percentiles of each interceptor's test-record posterior;
* raid size: half and one and a half times the base raid;
* decoys: none, or two per missile of which each is recognised with probability 0.5;
* detection to launch delay: 30 s and 120 s for every unit (base: the catalog's per-unit times);
* missile reliability, fire channels, the ships' share on station and the land units' availability: the
  ranges of the uncertainty analysis's factors (:func:`bmdlab.sensitivity.space.default_space`), derived
  from the catalog's plausible ranges (each missile's flight record; each unit's channels from the
  demonstrated lower bound to its magazine; one to two of four ships on station, NHK 2019);
* costs: 0.7 and 1.5 times every price (the spread of the published Aegis Ashore estimates, ¥80 bn
  in 2017 to ¥134 bn in 2018, is about this wide);
* the engagement model: the straight-line fly-out of earlier bmdlab versions against the physical
  one, each engagement limit off and on (the limits' values are mostly assumed, see the catalog),
  and the threats' radar cross-section at a tenth and ten times its assumed 0.1 m^2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bmdlab import __version__
from bmdlab.catalog import Catalog, builtin_catalog, load_catalog
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.sensitivity.model import METRICS, CoverageMemo, check_point, evaluate, point_setup
from bmdlab.sensitivity.space import default_space

#: The factors of the uncertainty analysis a tornado also varies, with their labels.
SPACE_ROWS = {
    "missile_reliability": "missile reliability",
    "fire_channels_quantile": "fire channels (each unit's range)",
    "sea_availability": "ships' share on station",
    "land_availability": "land units' availability",
}


def default_ranges(
    base: dict[str, Any], catalog: Catalog | None = None
) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(name, label, low changes, high changes) of the default tornado (the space's factors of ``catalog``, default
    the built-in one)."""
    point = check_point(base)
    n = int(point["missiles"])
    factors = {f.name: f for f in default_space(catalog or builtin_catalog(), str(point["scenario"]))}
    space = [
        (
            name,
            _label(label, factors[name]),
            {name: factors[name].low},
            {name: factors[name].high},
        )
        for name, label in SPACE_ROWS.items()
        if name in factors
    ]
    return space + [
        ("sspk_quantile", "kill probability (test-record 5-95 %)", {"sspk_quantile": 0.05}, {"sspk_quantile": 0.95}),
        ("missiles", f"raid size ({n // 2}-{3 * n // 2})", {"missiles": n // 2}, {"missiles": 3 * n // 2}),
        ("decoys", "decoys (0 or 2 per missile, 50 % recognised)", {"decoys": 0}, {"decoys": 2, "discrimination": 0.5}),
        ("track_delay_s", "detection-to-launch delay (30-120 s)", {"track_delay_s": 30.0}, {"track_delay_s": 120.0}),
        ("cost_scale", "all prices (x0.7-x1.5)", {"cost_scale": 0.7}, {"cost_scale": 1.5}),
        ("flyout", "fly-out (straight-line / physical)", {"flyout": "straight-line"}, {"flyout": "physical"}),
        (
            "limit_crossing",
            "hit-to-kill crossing limit (off / on)",
            {"limit_crossing": "off"},
            {"limit_crossing": "on"},
        ),
        (
            "limit_min_flight_time",
            "minimum flight time (off / on)",
            {"limit_min_flight_time": "off"},
            {"limit_min_flight_time": "on"},
        ),
        (
            "limit_launcher_elevation",
            "launcher elevation limit (off / on)",
            {"limit_launcher_elevation": "off"},
            {"limit_launcher_elevation": "on"},
        ),
        (
            "limit_field_of_view",
            "radar field of view (off / on)",
            {"limit_field_of_view": "off"},
            {"limit_field_of_view": "on"},
        ),
        ("rcs_scale", "threat RCS (x0.1-x10)", {"rcs_scale": 0.1}, {"rcs_scale": 10.0}),
    ]


def tornado(
    base: dict[str, Any],
    *,
    trials: int = 2000,
    seed: int = DEFAULT_SEED,
    ranges=None,
    catalog_dir: str | None = None,
    progress: Callable[[str], None] | None = None,
    memo: CoverageMemo | None = None,
) -> dict[str, Any]:
    """Metrics at the base point and at each input's low and high value.

    Returns
    -------
    dict
        ``base`` (the checked base point), ``base_metrics``, ``rows`` (per input: ``parameter``,
        ``label``, ``low``, ``high``, ``low_metrics``, ``high_metrics``), ``metrics`` (their names)
        and the provenance: ``trials``, ``seed``, ``catalog_hash``, ``bmdlab_version``. Each
        metrics dict has its cost's ``price_year``. ``memo`` holds coverages and plans already computed (a
        study's) and keeps this tornado's.
    """
    base = check_point(base)
    catalog = builtin_catalog() if catalog_dir is None else load_catalog(catalog_dir)
    ranges = list(ranges or default_ranges(base, catalog))
    points = [base] + [check_point({**base, **x}) for _, _, lo, hi in ranges for x in (lo, hi)]
    memo = memo or CoverageMemo()
    memo.fill([point_setup(pt, catalog) for pt in points])  # every coverage in one pass over the threats
    at_base = evaluate(base, trials=trials, seed=seed, catalog_dir=catalog_dir, memo=memo)
    rows = []
    for name, label, lo, hi in ranges:
        lo_m = evaluate({**base, **lo}, trials=trials, seed=seed, catalog_dir=catalog_dir, memo=memo)
        hi_m = evaluate({**base, **hi}, trials=trials, seed=seed, catalog_dir=catalog_dir, memo=memo)
        rows.append(
            {"parameter": name, "label": label, "low": lo, "high": hi, "low_metrics": lo_m, "high_metrics": hi_m}
        )
        if progress:
            progress(name)
    return {
        "base": {k: v for k, v in base.items()},
        "base_metrics": at_base,
        "rows": rows,
        "metrics": list(METRICS),
        "trials": trials,
        "seed": seed,
        "catalog_hash": catalog.hash,
        "bmdlab_version": __version__,
    }


def _label(label: str, f: Any) -> str:
    return label if f.name.endswith("_quantile") else f"{label} ({f.low:.3g}-{f.high:.3g})"


def swing(result: dict[str, Any], metric: str) -> list[tuple[str, float, float]]:
    """(label, low-end value, high-end value) per input for one metric, largest swing first."""
    rows = [(r["label"], r["low_metrics"][metric], r["high_metrics"][metric]) for r in result["rows"]]
    return sorted(rows, key=lambda t: -abs(t[2] - t[1]))


__all__ = ["default_ranges", "swing", "tornado"]
