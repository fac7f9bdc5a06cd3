"""The costs, trade-offs and sensitivity sections of the Japan 2017 study, and its claims on money.

Computations only; the report template and :mod:`bmdlab.plotting.costs` draw them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bmdlab.catalog import Catalog
from bmdlab.cost.architecture import architecture_cost
from bmdlab.cost.budget import optimise_budget
from bmdlab.catalog.money import value_to_jpy
from bmdlab.cost.options import tradeoff_options
from bmdlab.cost.tradeoff import evaluate_options
from bmdlab.coverage.national import Coverage
from bmdlab.sensitivity.sweep import grid, run_sweep
from bmdlab.sensitivity.tornado import tornado

CLAIMS = {
    "aegis_ashore_cost": "Aegis Ashore batteries cost ¥80 billion each and two would be enough to cover Japan.",
    "thaad_cost": "Using THAAD, however, would require at least six batteries costing over ¥100 billion each.",
    "public": "Fewer than 20 % of the public accept higher defence spending.",
}
#: The study's sweep: architecture x raid size x kill probability (test-record quantile).
SWEEP_AXES = {"scenario": ["japan-2017-baseline", "japan-2017-aegis-ashore", "japan-2017-thaad"],
              "missiles": [50, 100, 200], "sspk_quantile": [0.05, 0.5, 0.95]}


def _bn(x: float) -> str:
    return f"¥{x / 1e9:,.0f} bn"


def cost_section(catalog: Catalog, coverages: dict[str, Coverage], *, work: Path, resolution_km: float, seed: int,
                 trials: int = 4000, progress=None) -> dict[str, Any]:
    """Costs of the three architectures, the trade-off over the option set, a budget optimum,
    the tornado and the sweep. ``coverages`` maps option keys to coverage already computed."""
    tick = progress or (lambda *_: None)
    opts = tradeoff_options(catalog)
    costs = {o.key: architecture_cost(o.scenario, catalog).to_dict() for o in opts[:3]}
    trade = evaluate_options(catalog, opts, trials=trials, seed=seed, resolution_km=resolution_km, coverages=coverages,
                             progress=tick)
    tr = trade.to_dict()
    by = {r["key"]: r for r in tr["options"]}
    inc = {k: by[k]["cost"]["total"]["jpy"] - by["baseline"]["cost"]["total"]["jpy"] for k in ("aegis-ashore", "thaad")}
    budgets = {k: optimise_budget(catalog, v, missiles=200, trials=trials, seed=seed) for k, v in inc.items()}
    tick("budget")
    cdir = None if catalog.origin == "built-in" else catalog.origin
    torn = {k: tornado({"scenario": k, "missiles": 200}, trials=2000, seed=seed, catalog_dir=cdir) for k in ("japan-2017-aegis-ashore",)}
    tick("tornado")
    from bmdlab.sensitivity.tornado import swing

    t = torn["japan-2017-aegis-ashore"]
    ranking = {m: [{"label": lab, "low": lo, "high": hi} for lab, lo, hi in swing(t, m)]
               for m in ("expected_leakers", "jpy_per_surviving_value_point")}
    points = grid(SWEEP_AXES)
    rows = run_sweep(points, work / "sweep.duckdb", trials=2000, seed=seed, workers=1, catalog_hash=catalog.hash,
                     catalog_dir=cdir)
    tick("sweep")
    return {"costs": costs, "tradeoff": tr, "budgets": budgets, "incremental_cost_jpy": inc,
            "tornado": torn, "tornado_ranking": ranking, "sweep": {"axes": SWEEP_AXES, "trials": 2000, "seed": seed, "file": "sweep.duckdb", "runs": rows},
            "claims": _verdicts(catalog, costs, tr, budgets)}


def _verdicts(catalog: Catalog, costs: dict[str, Any], tr: dict[str, Any], budgets: dict[str, Any]) -> list[dict[str, str]]:
    econ = catalog.economics
    aa_unit = catalog.units["aegis-ashore"].unit_cost
    aa_now = value_to_jpy(aa_unit, econ, 2017)
    aa_line = next(ln for ln in costs["aegis-ashore"]["lines"] if ln["unit"] == "aegis-ashore")
    th_unit = catalog.units["thaad-battery"].unit_cost
    th_line = next(ln for ln in costs["thaad"]["lines"] if ln["unit"] == "thaad-battery")
    by = {r["key"]: r for r in tr["options"]}
    big = str(max(tr["raid_sizes"]))
    aa, th, base = by["aegis-ashore"], by["thaad"], by["baseline"]
    out = [{
        "id": "aegis_ashore_cost", "quote": CLAIMS["aegis_ashore_cost"],
        "figure": f"purchase {_bn(aa_now)} per site (Ministry of Defense, July 2018, {aa_unit.year} yen, without launchers, "
                  f"site works or missiles; about ¥80 bn was the 2017 estimate); two sites with 24 SM-3 IIA each, one reload "
                  f"and 30 years of operation: {_bn(aa_line['total']['jpy'])}. Against {big} missiles they cut expected "
                  f"leakers from {base['raids'][big]['expected_leakers']:.0f} to {aa['raids'][big]['expected_leakers']:.0f}",
        "verdict": "partly",
        "why": "the coverage half holds (the coverage section: two sites reach all threatened land), but the price rose by "
               "two thirds within a year of the claim and excludes the interceptors, which cost as much again over the "
               "life of the sites; coverage is not protection against a raid that outnumbers 48 interceptors.",
    }, {
        "id": "thaad_cost", "quote": CLAIMS["thaad_cost"],
        "figure": f"{_bn(value_to_jpy(th_unit, econ, 2017))} per battery (MOD estimate, {th_unit.year}); six batteries with 48 "
                  f"interceptors each, one reload and 30 years: {_bn(th_line['total']['jpy'])}; against {big} missiles "
                  f"expected leakers {th['raids'][big]['expected_leakers']:.0f} (vs {aa['raids'][big]['expected_leakers']:.0f} "
                  f"with Aegis Ashore)",
        "verdict": "holds",
        "why": "the published price is above ¥100 bn per battery and the coverage section finds five to six batteries for "
               "near-complete land coverage; the six batteries' 288 interceptors also make THAAD the option that stops "
               "most of a large raid - at about twice the life-cycle cost.",
    }, {
        "id": "public", "quote": CLAIMS["public"],
        "figure": f"not modelled; for scale, the cheapest added protection per point of surviving value against {big} "
                  f"missiles is shown in the trade-off table",
        "verdict": "not tested",
        "why": "public opinion is outside bmdlab's physics and costs; the model shows what each budget buys, not what "
               "voters will pay.",
    }]
    return out


__all__ = ["CLAIMS", "SWEEP_AXES", "cost_section"]
