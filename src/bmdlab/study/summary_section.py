"""The report's first screen: the article the study tests, and one row per claim of it.

Each row gives the claim, the verdict, the model's figure with its Monte Carlo 95 % interval (where the
figure comes from sampling) and its range over the assumptions' plausible values (from the robustness
section, the published price ranges or the defence-favourable corner). Computed from the study's results
(the dictionary written to ``results.json``), so a saved study can be summarised again without rerunning it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bmdlab.catalog import Catalog
from bmdlab.numbers import money, percent, share_ci

#: The article whose claims the study tests: its catalog source and date (the claims' quotes are in the sections).
ARTICLE_SOURCE = "asahi-2017-06-23-bmd"
ARTICLE_DATE = "2017-06-23"
NO_SAMPLING = "no sampling"

Row = tuple[str, str, str]


def article(catalog: Catalog) -> dict[str, Any]:
    """The article the study's claims come from, as the catalog records it: outlet, date, what it reported.

    The catalog records no headline or author for it (its source note says so); ``about`` is the catalog's
    description of the report.
    """
    src = catalog.sources[ARTICLE_SOURCE]
    year, month, day = (int(x) for x in ARTICLE_DATE.split("-"))
    months = "January February March April May June July August September October November December".split()
    return {
        "source": ARTICLE_SOURCE,
        "outlet": src.publisher,
        "date": ARTICLE_DATE,
        "date_text": f"{day} {months[month - 1]} {year}",
        "about": src.title.strip("[]").split(": ", 1)[-1],
        "headline": None,
        "author": None,
        "url": src.url,
        "note": src.note or "",
    }


def summary_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per claim of the article: quote, verdict, robustness label, and the three figure columns.

    ``results`` is the study's results (``results.json``): its ``claims``, ``coverage``, ``raids``, ``costs``
    and ``robustness``. A claim without a rule below gets its figure from the claim itself.
    """
    rows = []
    for c in results["claims"]:
        rule = _RULES.get(c["id"])
        figure, interval, spread = rule(results) if rule else (c["figure"].split(";")[0], "", "")
        rob = c.get("robustness") or {}
        rows.append(
            {
                "id": c["id"],
                "quote": c["quote"],
                "verdict": c["verdict"],
                "robustness": rob.get("label") or "",
                "robustness_basis": "; ".join(x for x in (rob.get("threshold"), rob.get("basis")) if x),
                "figure": figure,
                "monte_carlo": interval,
                "assumptions": spread,
            }
        )
    return rows


def _headlines(results: dict[str, Any], metric: str) -> dict[str, dict[str, Any]]:
    return {h["architecture"]: h for h in results["robustness"]["headlines"] if h["metric"] == metric}


def _people_span(results: dict[str, Any], architecture: str) -> str:
    h = _headlines(results, "defended_population_fraction").get(architecture)
    if h is None:
        return ""
    return f"people defended {percent(h['space']['p5'])} to {percent(h['space']['p95'])} (5th-95th percentile)"


def _limits_spread(results: dict[str, Any], claim_id: str) -> str:
    """How often the claim's verdict stays the same as each engagement limit with assumed values is switched off."""
    claim = next((x for x in results["claims"] if x["id"] == claim_id), {})
    share = (claim.get("robustness") or {}).get("share")
    if share is None:
        return ""
    return f"same verdict in {percent(share, 0)} of the cases with each assumed engagement limit off in turn"


def _pac3(results: dict[str, Any]) -> Row:
    s = results["coverage"]["subsets"]
    fp, alone = s["pac3_footprint"], s["baseline_pac3_only"]
    return (
        f"one fire unit defends aim points out to {fp['max_radius_km']:.0f} km ({fp['area_km2']:,.0f} km²); "
        f"all {s['baseline_pac3_units']} together {percent(alone['population_fraction'])} of the people",
        NO_SAMPLING,
        _limits_spread(results, "pac3"),
    )


def _destroyers(results: dict[str, Any]) -> Row:
    s = results["coverage"]["subsets"]
    month = s["rotation"]["month"]["japan-2017-baseline"]["population_fraction"]
    return (
        f"all four ships on station: {percent(s['baseline_ships_only']['population_fraction'])} of the people; "
        f"at the rotation's worst hour {percent(month['min'])}",
        NO_SAMPLING,
        _people_span(results, "japan-2017-baseline") + " (whole 2017 architecture)",
    )


def _aegis_ashore(results: dict[str, Any]) -> Row:
    s = results["coverage"]["subsets"]
    aa = s["aegis_ashore_two_sites_only"]
    name, weak = min(s["aegis_ashore_two_sites_regions"].items(), key=lambda kv: kv[1]["population_fraction"])
    return (
        f"two sites alone: {percent(aa['population_fraction'])} of the people, {percent(aa['land_fraction'])} of "
        f"the land; {name} {percent(weak['population_fraction'])} of its people",
        NO_SAMPLING,
        _people_span(results, "japan-2017-aegis-ashore") + " (with the ships and PAC-3)",
    )


def _thaad(results: dict[str, Any]) -> Row:
    s = results["coverage"]["subsets"]
    six = s["thaad_six_batteries_only"]
    return (
        f"{s['thaad_smallest_count_for_99pct_land']['count']} batteries for 99 % of the land; six defend "
        f"{percent(six['land_fraction'])} of it",
        NO_SAMPLING,
        _limits_spread(results, "thaad"),
    )


def _hit_probability(results: dict[str, Any]) -> Row:
    runs = results["raids"]["runs"]
    small = str(min(int(n) for n in next(iter(runs.values()))))
    best = max(runs, key=lambda a: runs[a][small]["p_zero_leakers"])
    x = runs[best][small]
    lo, hi = x["p_zero_leakers_ci95"]
    claim = next((c for c in results["claims"] if c["id"] == "hit_probability"), {})
    corners = (claim.get("robustness") or {}).get("corners", {})
    top = max((v["p_zero_leakers"] for v in corners.values()), default=None)
    return (
        f"P(all {small} missiles stopped), best architecture ({best.replace('japan-2017-', '')}): "
        f"{percent(x['p_zero_leakers'])}",
        share_ci(x["p_zero_leakers"], lo, hi) + f", {x['trials']:,} trials",
        "" if top is None else f"at most {percent(top)} at the defence-favourable corner of the plausible space",
    )


def _saturation(results: dict[str, Any]) -> Row:
    heads = _headlines(results, "expected_leakers")
    n = results["robustness"]["raid"]
    low = min(heads.values(), key=lambda h: h["monte_carlo"]["value"])
    high = max(heads.values(), key=lambda h: h["monte_carlo"]["value"])

    def mc(h: dict[str, Any]) -> str:
        a, b = h["monte_carlo"]["ci95"]
        return f"{a:.1f} to {b:.1f} ({h['architecture'].replace('japan-2017-', '')})"

    p5 = min(h["space"]["p5"] for h in heads.values())
    p95 = max(h["space"]["p95"] for h in heads.values())
    return (
        f"expected leakers of a {n}-missile raid: {low['monte_carlo']['value']:.0f} to {high['monte_carlo']['value']:.0f}",
        f"{mc(low)}; {mc(high)}; {low['monte_carlo']['trials']:,} trials",
        f"leakers {p5:.0f} to {p95:.0f} (5th-95th percentile over the three architectures)",
    )


def _cost(claim_id: str, key: str, what: str) -> Callable[[dict[str, Any]], Row]:
    def row(results: dict[str, Any]) -> Row:
        c = results["costs"]
        total = c["costs"][key]
        year = total["price_year"]
        claim = next((x for x in results["claims"] if x["id"] == claim_id), {})
        price = (
            f"{money(claim['price_jpy'], None)} each (the claim: {money(claim['claimed_price_jpy'], None)}); "
            if "price_jpy" in claim
            else ""
        )
        low, high = total["total_range"]["low"]["jpy"], total["total_range"]["high"]["jpy"]
        return (
            f"{price}{what} over {total['years']} years add {money(c['incremental_cost_jpy'][key], year)}",
            NO_SAMPLING,
            "no published price range"
            if low == high
            else f"architecture {money(low, None)} to {money(high, None)} over the published prices",
        )

    return row


_RULES: dict[str, Callable[[dict[str, Any]], Row]] = {
    "pac3": _pac3,
    "destroyers": _destroyers,
    "aegis_ashore": _aegis_ashore,
    "thaad": _thaad,
    "hit_probability": _hit_probability,
    "saturation": _saturation,
    "aegis_ashore_cost": _cost("aegis_ashore_cost", "aegis-ashore", "two sites"),
    "thaad_cost": _cost("thaad_cost", "thaad", "six batteries"),
}


__all__ = ["ARTICLE_DATE", "ARTICLE_SOURCE", "NO_SAMPLING", "article", "summary_rows"]
