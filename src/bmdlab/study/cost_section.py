"""The costs, trade-offs and sensitivity sections of the Japan 2017 study, and its claims on money.

Computations only; the report template and :mod:`bmdlab.plotting.costs` draw them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import Catalog
from bmdlab.catalog.money import value_to_jpy
from bmdlab.cost.architecture import architecture_cost
from bmdlab.cost.budget import optimise_budget
from bmdlab.cost.options import tradeoff_options
from bmdlab.cost.tradeoff import TradeoffRun, evaluate_options
from bmdlab.coverage.national import Coverage
from bmdlab.numbers import money, percent
from bmdlab.sensitivity.model import CoverageMemo
from bmdlab.sensitivity.sweep import SweepRun, grid, run_sweep
from bmdlab.sensitivity.tornado import swing, tornado
from bmdlab.study.verdict_rules import count_verdict

CLAIMS = {
    "aegis_ashore_cost": "Aegis Ashore batteries cost ¥80 billion each and two would be enough to cover Japan.",
    "thaad_cost": "Using THAAD, however, would require at least six batteries costing over ¥100 billion each.",
    "public": "Fewer than 20 % of the public accept higher defence spending.",
}
#: Grid of the trade-off's coverage figures (seven options; the coverage section's maps use a finer one). [km]
TRADEOFF_RESOLUTION_KM = 10.0
#: The study's sweep: architecture x raid size x kill probability (test-record quantile).
SWEEP_AXES = {
    "scenario": ["japan-2017-baseline", "japan-2017-aegis-ashore", "japan-2017-thaad"],
    "missiles": [50, 100, 200],
    "sspk_quantile": [0.05, 0.5, 0.95],
}

#: Monte Carlo trials of each trade-off option's raid and of the budget optimum's check.
TRADEOFF_TRIALS = 4000


def _bn(x: float) -> str:
    """Yen by the report's money rule (:func:`bmdlab.numbers.money`); the claims' sentences say the price year."""
    return money(x, None)


def cost_section(
    catalog: Catalog,
    coverages: dict[str, Coverage],
    *,
    work: Path,
    resolution_km: float,
    seed: int,
    progress=None,
    coverage: dict[str, Any] | None = None,
    memo: CoverageMemo | None = None,
) -> dict[str, Any]:
    """Costs of the three architectures, the trade-off over the option set, a budget optimum,
    the tornado and the sweep. ``coverages`` maps option keys to coverage already computed; ``coverage``
    (the study's coverage section) gives the coverage verdicts and the THAAD count the cost claims use;
    ``memo`` the coverages and raid plans the study computed already (the tornado and the sweep add theirs)."""
    tick = progress or (lambda *_: None)
    opts = tradeoff_options(catalog)
    costs = {o.key: architecture_cost(assemble(o.scenario, catalog)).to_dict() for o in opts[:3]}
    trade_res = max(TRADEOFF_RESOLUTION_KM, resolution_km)  # seven options: a coarser grid than the maps'
    same_grid = {k: c for k, c in coverages.items() if c.grid.resolution_km == trade_res}
    trade = evaluate_options(
        opts,
        catalog,
        TradeoffRun(
            trials=TRADEOFF_TRIALS, seed=seed, resolution_km=trade_res, planner=None if memo is None else memo.plan
        ),
        coverages=same_grid,
        progress=tick,
    )
    tr = trade.to_dict()
    by = {r["key"]: r for r in tr["options"]}
    inc = {k: by[k]["cost"]["total"]["jpy"] - by["baseline"]["cost"]["total"]["jpy"] for k in ("aegis-ashore", "thaad")}
    budgets = {
        k: optimise_budget(catalog, v, missiles=200, trials=TRADEOFF_TRIALS, seed=seed).to_dict()
        for k, v in inc.items()
    }
    tick("budget")
    cdir = None if catalog.origin == "built-in" else catalog.origin
    torn = {
        k: tornado({"scenario": k, "missiles": 200}, trials=2000, seed=seed, catalog_dir=cdir, memo=memo)
        for k in ("japan-2017-aegis-ashore",)
    }
    tick("tornado")
    t = torn["japan-2017-aegis-ashore"]
    ranking = {
        m: [{"label": lab, "low": lo, "high": hi} for lab, lo, hi in swing(t, m)]
        for m in ("expected_leakers", "jpy_per_surviving_value_point")
    }
    points = grid(SWEEP_AXES)
    sweep_run = SweepRun(trials=2000, seed=seed, workers=1, catalog_hash=catalog.hash, catalog_dir=cdir)
    rows = run_sweep(points, work / "sweep.duckdb", sweep_run, memo=memo)
    tick("sweep")
    return {
        "costs": costs,
        "tradeoff": tr,
        "budgets": budgets,
        "incremental_cost_jpy": inc,
        "tornado": torn,
        "tornado_ranking": ranking,
        "sweep": {"axes": SWEEP_AXES, "trials": 2000, "seed": seed, "file": "sweep.duckdb", "runs": rows},
        "claims": _verdicts(catalog, costs, tr, budgets, *_coverage_findings(coverage)),
    }


def _coverage_findings(coverage: dict[str, Any] | None) -> tuple[dict[str, dict[str, Any]], int | None]:
    """The coverage section's claims by id and its smallest THAAD count (none without a coverage section)."""
    if coverage is None:
        return {}, None
    count = coverage["subsets"]["thaad_smallest_count_for_99pct_land"]["count"]
    return {c["id"]: c for c in coverage["claims"]}, count


#: A quoted price "holds" when the catalog's price, in yen of the claim's year, is within this share of it.
PRICE_TOLERANCE = 0.20


def combine(parts: list[bool]) -> str:
    """The rule for a claim with several parts: *holds* if every part holds, *does not hold* if none
    does, *partly* otherwise."""
    return "holds" if all(parts) else ("does not hold" if not any(parts) else "partly")


def aegis_ashore_cost_verdict(price_jpy: float, claimed_jpy: float, covers_japan: bool) -> tuple[str, dict[str, bool]]:
    """ "¥80 billion each and two would be enough to cover Japan": the price part (the catalog's price
    within :data:`PRICE_TOLERANCE` of the claim) and the coverage part (the coverage section's verdict)."""
    parts = {"price": abs(price_jpy / claimed_jpy - 1.0) <= PRICE_TOLERANCE, "coverage": covers_japan}
    return combine(list(parts.values())), parts


def thaad_cost_verdict(
    count: int, claimed_count: int, price_jpy: float, claimed_min_jpy: float
) -> tuple[str, dict[str, bool]]:
    """ "At least six batteries costing over ¥100 billion each": the count part (the model's smallest
    count for all of Japan within a factor of 1.5 of the claimed count: :func:`bmdlab.study.verdict_rules.count_verdict`)
    and the price part (above the claimed floor)."""
    parts = {"count": count_verdict(count, claimed_count)["verdict"] == "holds", "price": price_jpy > claimed_min_jpy}
    return combine(list(parts.values())), parts


def _verdicts(
    catalog: Catalog,
    costs: dict[str, Any],
    tr: dict[str, Any],
    budgets: dict[str, Any],
    coverage_claims: dict[str, dict[str, Any]] | None = None,
    thaad_count: int | None = None,
) -> list[dict[str, str]]:
    """The money claims, each verdict by a rule above from the figures it prints."""
    econ = catalog.economics
    coverage_claims = coverage_claims or {}
    aa_unit = catalog.units["aegis-ashore"].unit_cost
    aa_now = value_to_jpy(aa_unit, econ, 2017)
    aa_claim = econ.claims["aegis-ashore-per-site-2017"].nominal
    aa_line = next(ln for ln in costs["aegis-ashore"]["lines"] if ln["unit"] == "aegis-ashore")
    th_unit = catalog.units["thaad-battery"].unit_cost
    th_now = value_to_jpy(th_unit, econ, 2017)
    th_claim = econ.claims["thaad-per-battery-2017"].nominal
    th_line = next(ln for ln in costs["thaad"]["lines"] if ln["unit"] == "thaad-battery")
    by = {r["key"]: r for r in tr["options"]}
    big = str(max(tr["raid_sizes"]))
    aa, th, base = by["aegis-ashore"], by["thaad"], by["baseline"]
    aa_cov = coverage_claims.get("aegis_ashore", {}).get("verdict")
    v_aa, p_aa = aegis_ashore_cost_verdict(aa_now, aa_claim, aa_cov == "holds")
    added = {k: by[k]["cost"]["total"]["jpy"] - base["cost"]["total"]["jpy"] for k in ("aegis-ashore", "thaad")}
    ratio_added = added["thaad"] / added["aegis-ashore"] if added["aegis-ashore"] > 0 else float("nan")
    ratio_whole = th["cost"]["total"]["jpy"] / aa["cost"]["total"]["jpy"]
    interceptors_share = (
        1.0 - aa_line["acquisition"]["jpy"] / aa_line["total"]["jpy"] if aa_line["total"]["jpy"] else 0.0
    )
    out = [
        {
            "id": "aegis_ashore_cost",
            "quote": CLAIMS["aegis_ashore_cost"],
            "figure": f"purchase {_bn(aa_now)} per site (catalog, {aa_unit.year} price in 2017 yen; the claim: {_bn(aa_claim)}); "
            f"two sites with their interceptors, one reload and 30 years of operation: {_bn(aa_line['total']['jpy'])}, "
            f"of which {percent(interceptors_share, 0)} is interceptors and operation, not the purchase. Against {big} missiles they cut expected leakers "
            f"from {base['raids'][big]['expected_leakers']:.0f} to {aa['raids'][big]['expected_leakers']:.0f}",
            "verdict": v_aa,
            "price_jpy": round(aa_now),
            "claimed_price_jpy": round(aa_claim),
            "why": f"price part {'holds' if p_aa['price'] else 'does not hold'} (catalog price {aa_now / aa_claim - 1:+.0%} "
            f"from the claim; rule: within {PRICE_TOLERANCE:.0%}); coverage part "
            f"{'holds' if p_aa['coverage'] else 'does not hold'} (the coverage section's verdict: {aa_cov or 'not run'}). "
            f"Coverage is not protection against a raid larger than the sites' magazines.",
        }
    ]
    count = thaad_count if thaad_count is not None else 6
    v_th, p_th = thaad_cost_verdict(count, 6, th_now, th_claim)
    out.append(
        {
            "id": "thaad_cost",
            "quote": CLAIMS["thaad_cost"],
            "figure": f"{_bn(th_now)} per battery (catalog, {th_unit.year} price in 2017 yen; the claim: over {_bn(th_claim)}); "
            f"smallest count for 99 % of Japan's land: {count}; six batteries with their interceptors, one reload and "
            f"30 years: {_bn(th_line['total']['jpy'])}; against {big} missiles expected leakers "
            f"{th['raids'][big]['expected_leakers']:.0f} (vs {aa['raids'][big]['expected_leakers']:.0f} with Aegis Ashore). "
            f"Over 30 years THAAD adds {ratio_added:.1f} times the cost that Aegis Ashore adds to the 2017 baseline "
            f"({ratio_whole:.2f} times the whole architecture's cost)",
            "verdict": v_th,
            "price_jpy": round(th_now),
            "claimed_price_jpy": round(th_claim),
            "why": f"count part {'holds' if p_th['count'] else 'does not hold'} ({count} batteries for all of Japan, "
            f"{count / 6:.1f} times the claimed six; rule: within a factor of 1.5); "
            f"price part {'holds' if p_th['price'] else 'does not hold'} (catalog price {_bn(th_now)} against the "
            f"claimed floor of {_bn(th_claim)}).",
        }
    )
    out.append(
        {
            "id": "public",
            "quote": CLAIMS["public"],
            "figure": f"not modelled; for scale, the cheapest added protection per point of surviving value against {big} "
            f"missiles is shown in the trade-off table",
            "verdict": "not tested",
            "why": "public opinion is outside bmdlab's physics and costs; the model shows what each budget buys, not what "
            "voters will pay.",
        }
    )
    return out


__all__ = [
    "CLAIMS",
    "PRICE_TOLERANCE",
    "SWEEP_AXES",
    "aegis_ashore_cost_verdict",
    "combine",
    "cost_section",
    "thaad_cost_verdict",
]
