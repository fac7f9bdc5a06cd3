"""The raid section of the Japan 2017 study: saturation raids against the three architectures."""

from __future__ import annotations

from typing import Any

from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import assemble, default_sspk
from bmdlab.catalog import Catalog
from bmdlab.defaults import DEFAULT_SEED as SEED
from bmdlab.engagement.launch_capacity import simultaneous_capacity
from bmdlab.engagement.scenario_raid import RaidRun, run_scenario_raid
from bmdlab.numbers import percent
from bmdlab.scenario import load_scenario
from bmdlab.sensitivity.model import CoverageMemo
from bmdlab.study.coverage_section import ARCHITECTURES
from bmdlab.study.verdict_rules import imperfect_interceptor_verdict

RAID_SIZES = (50, 100, 200)

CLAIMS = {
    "hit_probability": "A hit probability of 100 percent cannot be expected.",
    "saturation": "North Korea is now able to fire 200 missiles simultaneously at Japan.",
}


def raid_section(
    catalog: Catalog,
    sizes: tuple[int, ...] = RAID_SIZES,
    trials: int = 10_000,
    seed: int = SEED,
    progress=None,
    per_trial: dict[str, Any] | None = None,
    memo: CoverageMemo | None = None,
) -> dict[str, Any]:
    """Raids of each size against each architecture (the scenarios' default raid, scaled).

    ``per_trial``, if given, receives each architecture's per-trial leakers at the largest size (for
    the paired comparisons of :mod:`bmdlab.study.realism_section`). ``memo`` keeps the raids' plans (the
    study's sweep flies the same raids).
    """
    runs: dict[str, dict[str, Any]] = {}
    for name in ARCHITECTURES:
        scen = load_scenario(name, catalog)
        runs[name] = {}
        for n in sizes:
            keep = per_trial is not None and n == max(sizes)
            setup, run = assemble(scen, catalog, Overrides(missiles=n)), RaidRun(trials, seed, keep_trials=keep)
            out = run_scenario_raid(setup, run, plan=None if memo is None else memo.plan(setup, run))
            runs[name][str(n)] = out.to_dict()
            if keep:
                per_trial[name] = out.tally.leakers_per_trial
        if progress:
            progress(name)
    sspk = {k: round(default_sspk(i), 3) for k, i in catalog.interceptors.items()}
    threat = load_scenario(ARCHITECTURES[0], catalog).threat.all_missiles
    capacity = simultaneous_capacity(catalog, threat)  # every missile of the built-in threat reaches Japan
    return {
        "sizes": list(sizes),
        "trials": trials,
        "seed": seed,
        "runs": runs,
        "default_sspk": sspk,
        "launch_capacity": capacity,
        "claims": _verdicts(
            runs, sspk, sizes, capacity, {k: tuple(i.test_record.value) for k, i in catalog.interceptors.items()}
        ),
    }


def _verdicts(
    runs: dict[str, dict[str, Any]],
    sspk: dict[str, float],
    sizes: tuple[int, ...],
    capacity: dict[str, Any],
    test_records: dict[str, tuple[float, float]] | None = None,
) -> list[dict[str, str]]:
    test_records = test_records or {}
    small, big = str(min(sizes)), str(max(sizes))
    best_small = max(runs, key=lambda a: runs[a][small]["p_zero_leakers"])
    p0 = runs[best_small][small]["p_zero_leakers"]
    hi = max(sspk.values())
    rule = imperfect_interceptor_verdict(p0)
    records = ", ".join(
        f"{k} {int(h)}/{int(n)}"
        for k, (h, n) in sorted(test_records.items(), key=lambda kv: -kv[1][0] / max(kv[1][1], 1))[:2]
    )
    out = [
        {
            "id": "hit_probability",
            "quote": CLAIMS["hit_probability"],
            "figure": f"single-shot kill probabilities from the test records range {min(sspk.values()):.2f}-{hi:.2f}; "
            + (
                f"even the best architecture ({best_small}) stops every one of {small} missiles in only "
                f"{percent(p0)} of trials"
                if p0 > 0
                else f"no architecture stops every one of {small} missiles in any of the "
                f"{runs[best_small][small]['trials']:,} trials"
            ),
            "verdict": rule["verdict"],
            "why": f"{rule['rule']}. Even test records such as {records} leave a chance of a miss (Laplace's rule of "
            "succession), and with many missiles the chance that all are stopped falls geometrically (Wilkening 2000).",
        }
    ]
    leak = {a: runs[a][big] for a in runs}
    lo_a = min(leak, key=lambda a: leak[a]["expected_leakers"])
    hi_a = max(leak, key=lambda a: leak[a]["expected_leakers"])
    out.append(saturation_verdict(capacity, claimed=200, raid=leak[lo_a], lo=(lo_a, leak[lo_a]), hi=(hi_a, leak[hi_a])))
    return out


def saturation_rule(launchers: int, claimed: int) -> str:
    """*holds* if ``launchers`` can fire ``claimed`` missiles at once, *partly* if at least half, else *does not hold*."""
    return "holds" if launchers >= claimed else ("partly" if launchers >= claimed / 2 else "does not hold")


def saturation_verdict(capacity: dict[str, Any], claimed: int, raid: dict[str, Any], lo, hi) -> dict[str, str]:
    """The saturation claim, from the catalog's launcher counts (the rule): *holds* if the launchers
    of the missiles that reach Japan can fire ``claimed`` missiles at once, *partly* if at least half,
    else *does not hold*; with the raid results at that size beside it."""
    total, low = capacity["total"], capacity.get("total_low", capacity["total"])
    verdict = saturation_rule(total, claimed)
    pools = "; ".join(
        f"{p.get('reaching', p['launchers'])} for {', '.join(p['missiles'])}"
        + (f" ({p['reaching_low']} at the low end)" if p.get("reaching_low") not in (None, p.get("reaching")) else "")
        for p in capacity["pools"].values()
    )
    unknown = capacity["no_launcher_count"]
    working = capacity.get("expected_working")
    lc = raid.get("launch_check", {})
    return {
        "id": "saturation",
        "quote": CLAIMS["saturation"],
        "figure": f"launchers of missiles that reach Japan, able to fire at once (catalog; the 2012 U.S. DoD upper "
        f"estimates): {total} ({pools}); {low} at the lower ends of the published counts"
        f"{'; no count for ' + ', '.join(unknown) if unknown else ''}"
        + (
            f"; of {total} fired, {working:.0f} expected to fly (each type's flight-record reliability; "
            f"{capacity.get('expected_working_low', working):.0f} of {low})"
            if working is not None
            else ""
        )
        + f". Against a raid of {raid['missiles']} the expected leakers range from {lo[1]['expected_leakers']:.0f} "
        f"({lo[0]}) to {hi[1]['expected_leakers']:.0f} ({hi[0]}); P(zero leakers) at best {percent(lo[1]['p_zero_leakers'])}",
        "verdict": verdict,
        "why": (
            f"rule: holds if the launchers can fire {claimed} at once, partly from half of that. {total} launchers "
            f"{'can' if total >= claimed else 'cannot'} fire {claimed} missiles in one salvo (one missile per launcher: "
            f"no open source gives a reload time, and the salvos of 2016-2017 used one launcher per missile) - but only "
            f"if every Scud-family launcher carries a Scud-ER; at the lower ends of the published counts ({low} "
            f"launchers) the verdict would be '{saturation_rule(low, claimed)}'. The default raid fits the launchers: "
            f"{lc.get('reason', 'not checked')}. Against such a raid the defence's magazines, not its coverage, set the "
            f"leakers."
        ),
    }
