"""bmdlab benchmarks: speed targets live here, never in the unit tests.

Run: ``python benchmarks/run.py`` (prints a table; exits 1 if a target is missed).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def timed(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    from bmdlab.catalog import builtin_catalog
    from bmdlab.geo.grid import land_grid
    from bmdlab.geo.sphere import EARTH_RADIUS, destination
    from bmdlab.study.japan2017 import run_study
    from bmdlab.trajectory import FlightShape, ballistic_trajectory

    rng = np.random.default_rng(0)
    n = 100_000
    lat0, lon0 = np.radians(39.2), np.radians(125.7)
    lat2, lon2 = destination(lat0, lon0, rng.uniform(0, 2 * np.pi, n), rng.uniform(200e3, 4000e3, n) / EARTH_RADIUS)

    rows = []  # (name, seconds, target seconds or None)
    # a fixed pure-NumPy workload with no target: the machine's speed, to compare runs across machines
    x = rng.uniform(0.0, 1.0, 5_000_000)
    rows.append(
        (
            "machine reference: 10 x sin+sqrt of 5M doubles (no target)",
            timed(lambda: [np.sqrt(np.sin(x) + 1.0) for _ in range(10)]),
            None,
        )
    )
    rows.append(
        (
            "100k minimum-energy trajectories (with boost)",
            timed(lambda: ballistic_trajectory(lat0, lon0, lat2, lon2, burn_time=110.0)),
            5.0,
        )
    )
    rows.append(
        (
            "100k depressed trajectories (apogee bisection)",
            timed(
                lambda: ballistic_trajectory(
                    lat0, lon0, lat2, lon2, burn_time=110.0, shape=FlightShape("depressed", apogee=100e3)
                ),
                1,
            ),
            20.0,
        )
    )
    t = ballistic_trajectory(lat0, lon0, lat2[:10_000], lon2[:10_000], burn_time=110.0)
    rows.append(
        (
            "state of 10k trajectories x 100 times",
            timed(lambda: t.state(np.linspace(0, 1, 100)[None, :] * t.flight_time[:, None])),
            5.0,
        )
    )
    land_grid.cache_clear() if hasattr(land_grid, "cache_clear") else None
    rows.append(("land grid 5 km", timed(lambda: land_grid(5.0), 1), 2.0))
    rows.append(("land grid 2 km", timed(lambda: land_grid(2.0), 1), 10.0))
    from bmdlab.assembly import Overrides, assemble
    from bmdlab.assembly.setup import with_missiles
    from bmdlab.cost.budget import optimise_budget
    from bmdlab.coverage.national import national_coverage, national_coverages
    from bmdlab.coverage.siting_study import SitingQuery, optimise_sites
    from bmdlab.engagement.campaign import CampaignRun, repeated_waves, run_campaign
    from bmdlab.engagement.raid import plan_raid
    from bmdlab.engagement.scenario_raid import RaidRun, run_scenario_raid
    from bmdlab.scenario import load_scenario
    from bmdlab.sensitivity.sweep import SweepRun, grid, run_sweep

    cat = builtin_catalog()
    from bmdlab.defense.engage import flyout_parameters
    from bmdlab.defense.flyout import build_fan

    fan_s = {}
    first = cat.interceptors["pac-3-cri"]  # warm-up: the atmosphere table and imports, once per process
    rows.append(
        (
            "fly-out: first fan of a process (imports, atmosphere table; no target)",
            timed(
                lambda: build_fan(
                    flyout_parameters(first, "pac-3-cri"),
                    max_ground_range=first.max_range.si(),
                    max_altitude=first.max_intercept_altitude.si(),
                ),
                1,
            ),
            None,
        )
    )
    for key, i in cat.interceptors.items():  # build_fan itself is not cached (flyout_fan is)
        p = flyout_parameters(i, key)
        fan_s[key] = timed(
            lambda p=p, i=i: build_fan(
                p, max_ground_range=i.max_range.si(), max_altitude=i.max_intercept_altitude.si()
            ),
            1,
        )
    slowest = max(fan_s, key=fan_s.get)
    rows.append((f"fly-out fan, slowest of {len(fan_s)} interceptors ({slowest}), uncached", fan_s[slowest], 2.0))
    aa = assemble(load_scenario("japan-2017-aegis-ashore", cat), cat)
    base = assemble(load_scenario("japan-2017-baseline", cat), cat)
    debate_scenario = load_scenario("japan-2017-nodong-scud-er", cat)
    debate = assemble(debate_scenario, cat)
    legacy = assemble(debate_scenario, cat, Overrides(flyout="straight-line", limits="none"))
    g5, g2 = land_grid(5.0), land_grid(2.0)
    rows.append(
        (
            "coverage japan-2017-nodong-scud-er, 5 km, straight-line model (no target)",
            timed(lambda: national_coverage(legacy, g5), 1),
            None,
        )
    )
    rows.append(
        (
            "coverage japan-2017-nodong-scud-er, 5 km (16.7k cells x 10 threats)",
            timed(lambda: national_coverage(debate, g5), 3),
            10.0,
        )
    )
    rows.append(
        (
            "coverage japan-2017-aegis-ashore, 5 km (16.7k cells x 20 threats, lofted)",
            timed(lambda: national_coverage(aa, g5), 1),
            40.0,
        )
    )
    names = ("japan-2017-baseline", "japan-2017-aegis-ashore", "japan-2017-thaad")
    three = [assemble(load_scenario(n, cat), cat) for n in names]
    rows.append(
        (
            "coverage of 3 architectures in one pass, 5 km (20 threats)",
            timed(lambda: national_coverages(three, g5), 1),
            60.0,
        )
    )
    rows.append(
        (
            "coverage japan-2017-nodong-scud-er, 2 km (98k cells x 10 threats)",
            timed(lambda: national_coverage(debate, g2), 1),
            60.0,
        )
    )
    query = SitingQuery("thaad-battery", population_target=0.95)
    rows.append(
        (
            "smallest THAAD count for 95 % of population (10 km, 30 km sites, 20 threats)",
            timed(lambda: optimise_sites(base, query), 1),
            60.0,
        )
    )
    aa200 = with_missiles(aa, 200)
    plan = plan_raid(aa200)
    rows.append(
        (
            "raid: 200 missiles vs aegis-ashore, plan (trajectories, opportunities)",
            timed(lambda: plan_raid(aa200)),
            10.0,
        )
    )
    plain = assemble(aa.scenario, cat, Overrides(missiles=200, capacity=False, availability=1.0))
    rows.append(
        (
            "raid: 200 missiles vs aegis-ashore, 10,000 trials, no channel limit, all on station",
            timed(lambda: run_scenario_raid(plain, RaidRun(trials=10_000, seed=0), plan=plan)),
            10.0,
        )
    )
    effects = assemble(aa.scenario, cat, Overrides(missiles=200, common_mode=0.3))
    rows.append(
        (
            "raid: 200 missiles vs aegis-ashore, 10,000 trials, channels + C2 + availability + correlation 0.3",
            timed(lambda: run_scenario_raid(effects, RaidRun(trials=10_000, seed=0), plan=plan)),
            10.0,
        )
    )
    th = assemble(
        load_scenario("japan-2017-thaad", cat), cat, Overrides(missiles=200, doctrine="preferential", common_mode=0.3)
    )
    th_plan = plan_raid(th)
    rows.append(
        (
            "raid: 200 missiles vs thaad (24 units), 10,000 trials, preferential doctrine, all effects on",
            timed(lambda: run_scenario_raid(th, RaidRun(trials=10_000, seed=0), plan=th_plan)),
            10.0,
        )
    )
    waves = repeated_waves(6, 12.0, 30).model_copy(
        update={"reserve": {"sm-3-ia": 32, "sm-3-iia": 48, "pac-3-cri": 256}}
    )
    rows.append(
        (
            "campaign: 6 waves x 30 missiles vs aegis-ashore, 4,000 trials (incl. planning)",
            timed(lambda: run_campaign(aa, waves, CampaignRun(trials=4000, seed=0)), 1),
            30.0,
        )
    )
    rows.append(
        (
            "budget MILP (12 candidates, 200 missiles) + Monte Carlo check",
            timed(lambda: optimise_budget(cat, 1.0e12, trials=2000), 1),
            30.0,
        )
    )
    with tempfile.TemporaryDirectory() as d:
        pts = grid({"scenario": list(names), "missiles": [50, 100, 200]})
        run = SweepRun(trials=2000, workers=2)
        rows.append(
            (
                "sweep 9 runs x 2,000 trials, local pool (2 processes)",
                timed(lambda: run_sweep(pts, Path(d) / f"s{time.time_ns()}.duckdb", run), 1),
                60.0,
            )
        )
    from bmdlab.coverage.published_footprints import footprint_checks

    rows.append(
        (
            "published-footprint checks (12 cases x 7 engagement models, 20 km)",
            timed(lambda: footprint_checks(cat, resolution_km=20.0), 1),
            150.0,
        )
    )
    wta = Path(__file__).with_name("wta.py")
    if wta.exists():
        import runpy

        mod = runpy.run_path(str(wta))
        if "summary_rows" in mod:
            rows.extend(mod["summary_rows"]())
    serve = Path(__file__).with_name("serve.py")
    if serve.exists():
        import runpy

        rows.extend(runpy.run_path(str(serve))["summary_rows"]())
    with tempfile.TemporaryDirectory() as d:
        rows.append(
            (
                "complete study japan-2017 (5 km; target: fresh machine <= 300 s)",
                timed(lambda: run_study(Path(d) / "out", catalog=cat, command="bench"), 1),
                300.0,
            )
        )

    ok = True
    print(f"{'benchmark':52s} {'seconds':>9s} {'target':>8s}")
    for name, sec, target in rows:
        if target is None:
            print(f"{name:52s} {sec:9.3f} {'-':>8s}")
            continue
        flag = "" if sec <= target else "  MISSED"
        ok &= sec <= target
        print(f"{name:52s} {sec:9.3f} {target:8.1f}{flag}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
