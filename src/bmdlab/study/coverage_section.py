"""The coverage section of the Japan 2017 study: three architectures and the article's claims.

Computations only; the report template and :mod:`bmdlab.study.figures` draw them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import Setup, assemble
from bmdlab.bounds import CANDIDATE_SPACING_KM
from bmdlab.catalog import Catalog
from bmdlab.coverage.national import Coverage, national_coverages
from bmdlab.coverage.over_time import coverage_over_time, ships_to_match
from bmdlab.coverage.published_footprints import variant_models
from bmdlab.coverage.siting_study import SitingQuery, optimise_sites, shared_coverages
from bmdlab.coverage.summary import coverage_summary
from bmdlab.defense.engage import DEFAULT_MODEL, EngagementModel, make_defender
from bmdlab.defense.footprint import FootprintThreat, defended_footprint
from bmdlab.geo.region import REGION_NAMES, grid_regions
from bmdlab.numbers import percent, round_share
from bmdlab.scenario import load_scenario
from bmdlab.sensitivity.model import CoverageMemo
from bmdlab.study.verdict_rules import COVERAGE_HOLDS, count_verdict, coverage_verdict, gaps_verdict

ARCHITECTURES = ("japan-2017-baseline", "japan-2017-aegis-ashore", "japan-2017-thaad")
#: Grid of the THAAD count against the 2017 debate's threat (a check beside the main count). [km]
DEBATE_SITING_RESOLUTION_KM = 20.0

#: The article's coverage claims (Japan Times / press, 2017) that the section tests.
CLAIMS = {
    "pac3": "PAC-3 batteries cover only tens of kilometres.",
    "destroyers": "Japan's four Aegis BMD destroyers and its PAC-3 batteries leave gaps.",
    "aegis_ashore": "Two Aegis Ashore sites are seen as capable of covering Japan in its entirety.",
    "thaad": "Using THAAD would require at least six batteries to cover the same area.",
}


def _mask(cov: Coverage, pred) -> np.ndarray:
    return np.array([bool(pred(d)) for d in cov.defenders])


def _fractions(cov: Coverage, mask: np.ndarray) -> dict[str, float]:
    land, pop = cov.fractions(cov.defended(defenders=mask)) if mask.any() else (0.0, 0.0)
    return {"land_fraction": round_share(land), "population_fraction": round_share(pop)}


@dataclass(frozen=True)
class Siting:
    """The THAAD siting of the coverage section: its grid [km], the candidates' spacing [km], and whether the
    count against the debate's threat is also computed."""

    resolution_km: float = 10.0
    candidate_spacing_km: float = 30.0
    debate: bool = True

    def query(self) -> SitingQuery:
        """The smallest THAAD count for 99 % of Japan's land, on this grid and spacing."""
        return SitingQuery(
            "thaad-battery",
            land_target=0.99,
            resolution_km=self.resolution_km,
            candidate_spacing_km=self.candidate_spacing_km,
        )


def coverage_section(
    catalog: Catalog,
    cities: list[dict[str, Any]],
    resolution_km: float = 5.0,
    progress=None,
    siting: Siting = Siting(),
    model: EngagementModel | None = None,
    coverages: list[Coverage] | None = None,
    candidates: Coverage | None = None,
) -> tuple[dict[str, Any], dict[str, Coverage]]:
    """Run the three architectures, the subsets behind each claim, and the THAAD siting.

    ``model`` replaces the scenarios' engagement model (default: theirs, the physical fly-out with
    every limit); ``coverages``, the three architectures' coverages under it when the caller computed them
    (:func:`architecture_setups`, on the ``resolution_km`` grid); ``candidates``, the THAAD candidates' coverage
    of the siting when the caller computed it (:func:`bmdlab.coverage.siting_study.shared_coverages`). Returns the JSON-ready results and the
    coverage objects (for the maps).
    """
    tick = progress or (lambda *_: None)
    ov = _overrides(model)
    setups = architecture_setups(catalog, model)
    covs: dict[str, Coverage] = {}
    summaries: dict[str, dict[str, Any]] = {}
    computed = national_coverages(setups, resolution_km) if coverages is None else coverages
    for name, setup, cov in zip(ARCHITECTURES, setups, computed):
        covs[name] = cov
        summaries[name] = coverage_summary(cov, cities).to_dict() | {"description": setup.scenario.description}
        # the headline shares never stored as exactly 1 (or 0) unless they are (the summary rounds to 4 decimals)
        summaries[name].update(_fractions(cov, np.ones(len(cov.defenders), bool)))
        tick(name)
    subsets = _claim_subsets(covs, catalog)
    subsets["rotation"] = _rotation(covs, setups, catalog)
    used = setups[0].model  # the baseline's (every architecture's)
    subsets["pac3_footprint"] = _pac3_footprint(catalog, used)
    tick("pac-3 footprint")
    subsets.update(_thaad_sitings(catalog, setups[0], siting.query(), ov, debate=siting.debate, candidates=candidates))
    tick("thaad siting")
    panels = _panels(covs, subsets, catalog)
    return {
        "resolution_km": resolution_km,
        "architectures": summaries,
        "subsets": subsets,
        "claims": _verdicts(summaries, subsets, catalog),
        "headline": headline(summaries, subsets),
        "engagement_model": {"flyout": used.flyout, "limits": sorted(used.limits), "label": used.label()},
        "panels": list(panels),
    }, covs | {"panels": panels}


def _overrides(model: EngagementModel | None) -> Overrides | None:
    return None if model is None else Overrides(flyout=model.flyout, limits=model.limits, rcs_scale=model.rcs_scale)


def architecture_setups(catalog: Catalog, model: EngagementModel | None = None) -> list[Setup]:
    """The three architectures of the claims (:data:`ARCHITECTURES`), assembled under ``model`` (default: theirs)."""
    return [assemble(load_scenario(name, catalog), catalog, _overrides(model)) for name in ARCHITECTURES]


def _claim_subsets(covs: dict[str, Coverage], catalog: Catalog) -> dict[str, Any]:
    """The parts of each architecture behind the claims: the ships, the PAC-3 units, each ship alone, the two
    Aegis Ashore sites, the six THAAD batteries, and the Nansei islands' share of each."""
    base, aa, th = covs["japan-2017-baseline"], covs["japan-2017-aegis-ashore"], covs["japan-2017-thaad"]
    ships = _mask(base, lambda d: catalog.units[d.unit].basing == "sea")
    pac3 = _mask(base, lambda d: d.unit == "pac-3-fire-unit")
    sites = _mask(aa, lambda d: d.unit == "aegis-ashore")
    return {
        "baseline_ships_only": _fractions(base, ships),
        "baseline_pac3_only": _fractions(base, pac3),
        "baseline_pac3_units": int(pac3.sum()),
        "baseline_single_ship": _each(base, ships),
        "aegis_ashore_two_sites_only": _fractions(aa, sites),
        "aegis_ashore_each_site": _each(aa, sites),
        "thaad_six_batteries_only": _fractions(th, _mask(th, lambda d: d.unit == "thaad-battery")),
        "nansei": _nansei(base, aa, th, sites),
        "aegis_ashore_two_sites_regions": _regions(aa, sites),
    }


def _regions(cov: Coverage, mask: np.ndarray) -> dict[str, dict[str, float]]:
    """Each region's land and people covered by the units of ``mask``: defended, or reached by no threat."""
    regions = grid_regions(cov.grid)
    defended = cov.defended(defenders=mask)
    out = {}
    for i, name in enumerate(REGION_NAMES):
        cells = regions == i
        if not cells.any():
            continue
        parts = cov.breakdown(defended, cells=cells)
        out[name] = {
            k: round_share(parts["defended"][k] + parts["not threatened"][k])
            for k in ("land_fraction", "population_fraction")
        }
    return out


#: The ship class whose rotation the study follows, and the architecture it is compared with.
ROTATING_FLEET = "kongo-class"


def _rotation(covs: dict[str, Coverage], setups: list[Setup], catalog: Catalog) -> dict[str, Any]:
    """A month of the ships' rotation for each architecture (shares defended hour by hour), and the stations
    and hulls the baseline's fleet needs to defend, at every instant, the people Aegis Ashore defends at its
    worst hour (the Ministry's argument for Aegis Ashore)."""
    views = {name: coverage_over_time(covs[name], s.posture) for name, s in zip(ARCHITECTURES, setups)}
    out: dict[str, Any] = {
        "month": {name: v.summary() for name, v in views.items()},
        "series": {
            name: {
                "hours": [float(h) for h in v.hours],
                "land_fraction": [round_share(float(x)) for x in v.land],
                "population_fraction": [round_share(float(x)) for x in v.people],
            }
            for name, v in views.items()
        },
    }
    target = views["japan-2017-aegis-ashore"].people.min()
    base = setups[ARCHITECTURES.index("japan-2017-baseline")]
    if ROTATING_FLEET in base.posture.names:
        match = ships_to_match(covs["japan-2017-baseline"], base.posture, ROTATING_FLEET, float(target))
        ship = catalog.units["maya-class"]
        match["new_ship"] = {
            "unit": "maya-class",
            "unit_cost": ship.unit_cost.display(),
            "price_year": ship.unit_cost.year,
            "operating_cost_per_year": ship.operating_cost_per_year.display(),
        }
        out["ships_to_match_aegis_ashore"] = match
    return out


def _each(cov: Coverage, mask: np.ndarray) -> list[dict[str, Any]]:
    """The fractions each unit of ``mask`` defends alone, with its name."""
    every = np.arange(len(cov.defenders))
    return [_fractions(cov, every == i) | {"name": cov.defenders[i].name} for i in np.flatnonzero(mask)]


def _nansei(base: Coverage, aa: Coverage, th: Coverage, sites: np.ndarray) -> dict[str, dict[str, float]]:
    """The Nansei islands' land and people each architecture (and the two Aegis Ashore sites) defends."""
    cells = grid_regions(aa.grid) == REGION_NAMES.index("Nansei islands")
    out = {}
    for key, cov, mask in (
        ("aegis_ashore_two_sites_only", aa, sites),
        ("aegis_ashore_architecture", aa, None),
        ("baseline_architecture", base, None),
        ("thaad_architecture", th, None),
    ):
        parts = cov.breakdown(cov.defended(defenders=mask), cells=cells)
        out[key] = {
            "land_fraction": parts["defended"]["land_fraction"],
            "population_fraction": parts["defended"]["population_fraction"],
            "not_threatened_land_fraction": parts["not threatened"]["land_fraction"],
        }
    return out


def _pac3_footprint(catalog: Catalog, model: EngagementModel) -> dict[str, Any]:
    """A single PAC-3 fire unit against a Nodong (Ichigaya, Tokyo; launch from Wonsan, in range of Tokyo)."""
    ichigaya, wonsan = catalog.place("pac3-ichigaya"), catalog.place("wonsan")
    d = make_defender(
        catalog, "pac-3-fire-unit", ichigaya.lat.nominal, ichigaya.lon.nominal, name="PAC-3 Ichigaya", model=model
    )
    fp = defended_footprint(
        d, FootprintThreat(catalog.missile("nodong"), "nodong", wonsan.lat.nominal, wonsan.lon.nominal)
    )
    return {
        "unit": "pac-3-fire-unit at Ichigaya",
        "threat": "nodong from wonsan",
        "area_km2": round(fp.area_m2 / 1e6, 1),
        "max_radius_km": round(fp.max_radius_m / 1e3, 1),
        "max_shot_opportunities": fp.max_shots,
    }


def _thaad_sitings(
    catalog: Catalog,
    baseline: Setup,
    query: SitingQuery,
    overrides: Overrides | None,
    *,
    debate: bool,
    candidates: Coverage | None = None,
) -> dict[str, Any]:
    """The smallest THAAD count for 99 % of Japan's land against the 2017 threat and, with ``debate``, against
    the debate's threat (assembled with the same ``overrides``).

    The Ministry's area: the whole country against the threat of the 2017 debate (Nodong, Scud-ER), whose
    reach leaves out eastern Hokkaido and most of the Nansei islands: 99 % of the land that threat reaches
    (a second count, on the dependence table's coarser grid).
    """
    siting = optimise_sites(baseline, query, candidates=candidates, counts=False).to_dict()
    debate_query = SitingQuery(
        "thaad-battery",
        land_target=0.99,
        resolution_km=DEBATE_SITING_RESOLUTION_KM,
        candidate_spacing_km=3.0 * DEBATE_SITING_RESOLUTION_KM,
        area="threatened",
    )
    debate_siting = None
    if debate:
        nodong_scud = assemble(load_scenario("japan-2017-nodong-scud-er", catalog), catalog, overrides)
        debate_siting = optimise_sites(nodong_scud, debate_query, counts=False).to_dict()
    return {
        "thaad_smallest_count_for_99pct_land": {
            k: siting[k] for k in ("count", "land_fraction", "population_fraction", "gap", "sites")
        },
        "thaad_smallest_count_debate_threat": None
        if debate_siting is None
        else {
            k: debate_siting[k]
            for k in ("count", "land_fraction", "population_fraction", "gap", "threatened_land_fraction")
        },
    }


def _panels(covs: dict[str, Coverage], subsets: dict[str, Any], catalog: Catalog) -> dict[str, Coverage]:
    """The four maps of the claims' subsets: PAC-3 only, the best single destroyer, the two Aegis Ashore
    sites, the six THAAD batteries."""
    base, aa, th = covs["japan-2017-baseline"], covs["japan-2017-aegis-ashore"], covs["japan-2017-thaad"]
    ships = np.flatnonzero(_mask(base, lambda d: catalog.units[d.unit].basing == "sea"))
    shares = [x["population_fraction"] for x in subsets["baseline_single_ship"]]
    best_ship = int(ships[int(np.argmax(shares))])
    return {
        "PAC-3 fire units only (2017)": base.subset(_mask(base, lambda d: d.unit == "pac-3-fire-unit")),
        f"one destroyer: {base.defenders[best_ship].name}": base.subset(np.arange(len(base.defenders)) == best_ship),
        "two Aegis Ashore sites only": aa.subset(_mask(aa, lambda d: d.unit == "aegis-ashore")),
        "six THAAD batteries only": th.subset(_mask(th, lambda d: d.unit == "thaad-battery")),
    }


#: Population share every architecture must defend for coverage not to be "the problem".
COVERAGE_ENOUGH = 0.99


def headline(summaries: dict[str, dict[str, Any]], s: dict[str, Any]) -> dict[str, Any]:
    """The coverage headline, by rule: is coverage a problem for any architecture, and do the four ships alone
    reach every threatened person?"""
    weakest = min(summaries, key=lambda n: summaries[n]["population_fraction"])
    enough = summaries[weakest]["population_fraction"] >= COVERAGE_ENOUGH
    ships = s["baseline_ships_only"]["population_fraction"]
    title = "Coverage is not the problem." if enough else "Coverage is part of the problem."
    ship_text = f"with all four Aegis ships on station the upper tier alone reaches {_pct(ships)} of Japan's people" + (
        ", every city within reach of a threat."
        if ships >= COVERAGE_ENOUGH
        else ", so the PAC-3 point defences matter where the ships do not reach."
    )
    return {
        "coverage_is_enough": enough,
        "weakest_architecture": weakest,
        "title": title,
        "ships_population_fraction": ships,
        "ship_text": ship_text,
    }


def claim_changes(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """Which coverage conclusions differ between two runs of :func:`coverage_section` (e.g. the physical
    engagement model against the earlier straight-line one)."""
    b = {c["id"]: c for c in before["claims"]}
    claims = [
        {
            "id": c["id"],
            "quote": c["quote"],
            "verdict": c["verdict"],
            "verdict_before": b[c["id"]]["verdict"],
            "figure": c["figure"],
            "figure_before": b[c["id"]]["figure"],
            "changed": c["verdict"] != b[c["id"]]["verdict"],
        }
        for c in now["claims"]
        if c["id"] in b
    ]
    archs = [
        {
            "name": n,
            "population_fraction": a["population_fraction"],
            "land_fraction": a["land_fraction"],
            "population_fraction_before": before["architectures"][n]["population_fraction"],
            "land_fraction_before": before["architectures"][n]["land_fraction"],
        }
        for n, a in now["architectures"].items()
        if n in before["architectures"]
    ]
    h_now, h_before = now["headline"], before["headline"]
    return {
        "model": now["engagement_model"]["label"],
        "model_before": before["engagement_model"]["label"],
        "claims": claims,
        "architectures": archs,
        "changed_claims": [c["id"] for c in claims if c["changed"]],
        "headline": h_now["title"],
        "headline_before": h_before["title"],
        "headline_changed": h_now["coverage_is_enough"] != h_before["coverage_is_enough"],
    }


def _pct(x: float) -> str:
    return percent(x)


def _verdicts(summaries: dict[str, dict[str, Any]], s: dict[str, Any], catalog: Catalog) -> list[dict[str, str]]:
    """Each claim with the model's figure, a verdict (holds / partly / does not hold) and why."""
    return [_pac3_claim(s, catalog), _destroyers_claim(s), _aegis_ashore_claim(s, catalog), _thaad_claim(s, catalog)]


def _pac3_claim(s: dict[str, Any], catalog: Catalog) -> dict[str, str]:
    pac3_i = catalog.interceptors["pac-3-cri"]
    r = s["pac3_footprint"]["max_radius_km"]
    return {
        "id": "pac3",
        "quote": CLAIMS["pac3"],
        "figure": f"one PAC-3 fire unit (Ichigaya) against a Nodong: defended aim points out to {r:.0f} km, "
        f"{s['pac3_footprint']['area_km2']:,.0f} km²; all {s['baseline_pac3_units']} "
        f"PAC-3 units together defend {_pct(s['baseline_pac3_only']['population_fraction'])} of the population",
        "verdict": "holds" if 10 <= r < 100 else ("partly" if r < 200 else "does not hold"),
        "why": f"a lower-tier interceptor with a {pac3_i.max_intercept_altitude.display()} ceiling engages only re-entry vehicles "
        f"falling close to it.",
    }


def _destroyers_claim(s: dict[str, Any]) -> dict[str, str]:
    ships = s["baseline_ships_only"]
    best = max(s["baseline_single_ship"], key=lambda x: x["population_fraction"])
    month = s["rotation"]["month"]["japan-2017-baseline"]
    fleet = month["posture"]["fleets"][0] if month["posture"]["fleets"] else None
    land, people = month["land_fraction"]["min"], month["population_fraction"]["min"]
    rule = gaps_verdict(land, people)
    rota = (
        ""
        if fleet is None
        else f"; the rotation keeps {fleet['expected_on_station']:g} of {fleet['hulls']} ships on station on average "
        f"(at least {fleet['stations_always_manned']}), and at its worst hour the architecture defends "
        f"{percent(land)} of the land and {percent(people)} of the people"
    )
    return {
        "id": "destroyers",
        "quote": CLAIMS["destroyers"],
        "figure": f"all four destroyers on station: {percent(ships['land_fraction'])} of Japan's land, "
        f"{percent(ships['population_fraction'])} of its people; the best single station ({best['name']}) "
        f"{percent(best['population_fraction'])}{rota}",
        "verdict": rule["verdict"],
        "why": f"{rule['rule']}, at the worst hour of a month of the ships' rotation (bmdlab.defense.posture: one to "
        "two of four ships on station, NHK 2019). Keeping ships on watch around the clock is the debate's real "
        "constraint; PAC-3 covers only its cities.",
    }


def _aegis_ashore_claim(s: dict[str, Any], catalog: Catalog) -> dict[str, str]:
    iia = catalog.interceptors["sm-3-iia"]
    aa = s["aegis_ashore_two_sites_only"]
    rule = coverage_verdict(aa["land_fraction"], aa["population_fraction"], s["aegis_ashore_two_sites_regions"])
    weak = rule["weakest_region"]
    if weak is None:
        weak_text = ""
    elif min(weak["land_fraction"], weak["population_fraction"]) >= COVERAGE_HOLDS:
        weak_text = f"; every region at least {percent(COVERAGE_HOLDS, 0)} covered (the weakest, {weak['name']})"
    else:
        weak_text = (
            f"; the weakest region, {weak['name']}, {percent(weak['land_fraction'])} of its land and "
            f"{percent(weak['population_fraction'])} of its people covered"
            + (
                " (the Japan Times' government source, Nov 2017, said the Nansei islands fall outside)"
                if weak["name"] == "Nansei islands"
                else ""
            )
        )
    return {
        "id": "aegis_ashore",
        "quote": CLAIMS["aegis_ashore"],
        "figure": f"Araya + Mutsumi alone: {percent(aa['land_fraction'])} of Japan's land, "
        f"{percent(aa['population_fraction'])} of its people{weak_text}",
        "verdict": rule["verdict"],
        "why": f"{rule['rule']} (a region's land and people that no threat reaches count as covered). Two SM-3 IIA "
        f"sites ({iia.burnout_speed.display()}, {iia.max_range.display()} range) against the 2017 threat (Nodong, "
        "Scud-ER, Pukguksong-2, Musudan and Hwasong-12, minimum-energy and lofted).",
    }


THAAD_CLAIMED = 6  #: "at least six batteries"


def _thaad_claim(s: dict[str, Any], catalog: Catalog) -> dict[str, str]:
    thaad_i = catalog.interceptors["thaad"]
    k = s["thaad_smallest_count_for_99pct_land"]
    rule = count_verdict(k["count"], THAAD_CLAIMED)
    six = s["thaad_six_batteries_only"]
    deb = s.get("thaad_smallest_count_debate_threat")
    debate_text = (
        ""
        if deb is None
        else f"; against the debate's Nodong/Scud-ER threat, {deb['count']} for 99 % of the land it reaches "
        f"({_pct(deb['threatened_land_fraction'])} of Japan's land)"
    )
    return {
        "id": "thaad",
        "quote": CLAIMS["thaad"],
        "figure": f"smallest THAAD count for 99 % of Japan's land against the 2017 threat: {k['count']} (gap {percent(k['gap'])})"
        f"{debate_text}; six optimally sited batteries defend {_pct(six['land_fraction'])} of the land, "
        f"{_pct(six['population_fraction'])} of its people",
        "verdict": rule["verdict"],
        "ratio": rule["ratio"],
        "why": f"{rule['rule']}. A THAAD interceptor reaches {thaad_i.max_range.display()} from its battery, so covering "
        f"Japan's arc takes several; the model needs {k['count']} with optimal siting against this threat, "
        f"{rule['ratio']:g} times the claimed six.",
    }


def claim_dependence(
    catalog: Catalog,
    cities: list[dict[str, Any]],
    resolution_km: float = 20.0,
    progress=None,
    sections: dict[str, Any] | None = None,
    memo: CoverageMemo | None = None,
) -> dict[str, Any]:
    """Each coverage verdict and figure with each engagement limit switched off in turn (and all of them),
    and with the earlier straight-line engagement model.

    Runs :func:`coverage_section` on a coarse grid (``resolution_km``; the THAAD siting on the same grid
    with candidates three cells apart) for the default engagement model and each variant of
    :func:`bmdlab.coverage.published_footprints.variant_models`. ``depends_on`` lists, per claim, the
    physical-fly-out variants under which its verdict differs from the default's. ``sections``, if
    given, receives the full section of each variant (the study compares ``default`` with
    ``straight-line`` in "what changed", both on this grid). ``memo`` keeps the architectures' coverage
    fractions (for the study's tornado and sweep, when this grid is theirs).
    """
    models = {"default": DEFAULT_MODEL} | dict(variant_models())
    siting = Siting(resolution_km, min(3.0 * resolution_km, CANDIDATE_SPACING_KM.high), debate=False)
    # every model's three architectures and THAAD candidates in one pass: each threat flown once for all
    setups = [s for m in models.values() for s in architecture_setups(catalog, m)]
    n = len(ARCHITECTURES)
    every, candidates = shared_coverages(
        setups, [(s, siting.query()) for s in setups[::n]], resolution_km, counts=False
    )
    if memo is not None:
        for s, c in zip(setups, every):
            memo.add(s, c)
    runs = {}
    for i, (name, m) in enumerate(models.items()):
        sec, _ = coverage_section(
            catalog,
            cities,
            resolution_km=resolution_km,
            siting=siting,
            model=m,
            coverages=every[i * n : (i + 1) * n],
            candidates=candidates[i],
        )
        if sections is not None:
            sections[name] = sec
        runs[name] = {c["id"]: {"verdict": c["verdict"], "figure": c["figure"]} for c in sec["claims"]}
        runs[name]["_thaad_count"] = sec["subsets"]["thaad_smallest_count_for_99pct_land"]["count"]
        runs[name]["_headline"] = sec.get("headline", {}).get("title")
        if progress:
            progress(name)
    claims = [c for c in runs["default"] if not c.startswith("_")]
    depends = {
        c: [
            v
            for v in models
            if v != "default"
            and models[v].flyout == "physical"
            and runs[v][c]["verdict"] != runs["default"][c]["verdict"]
        ]
        for c in claims
    }
    return {"resolution_km": resolution_km, "variants": list(models), "runs": runs, "depends_on": depends}
