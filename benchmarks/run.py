"""bmdlab benchmarks: speed targets live here, never in the unit tests.

Run: ``python benchmarks/run.py`` (prints a table; exits 1 if a target is missed). ``--quick`` skips the
slowest rows (2 km coverage, the study, the published-footprint checks, the server).

Each row gives the wall time, the CPU seconds of the work (this process and the processes it ran), the CPU
seconds as a multiple of the machine reference (a fixed pure-NumPy workload, the first row, so that runs on
different machines or on a busy one compare), the target, and, where the work's unavoidable arithmetic can
be counted, its floor: the element operations counted, at the arithmetic reference's throughput (the second
row: simple element-wise NumPy arithmetic).

Targets (issue #23, the 2-core development machine, fan cache warm): coverage against the whole 2017 threat
(``japan-2017-aegis-ashore``) <= 5 CPU-s at 10 km, <= 15 at 5 km, <= 90 at 2 km; the study at 5 km, with its
robustness stage (issue #24: Morris for three architectures, Sobol' for the headline leakers), <= 300 s wall
(five minutes) and <= 450 CPU-s, <= 1,000 MB; ``bmdlab uncertainty japan-2017-aegis-ashore`` (Morris, 10
trajectories, 500 trials, 2 workers) <= 30 s wall; ``bmdlab raid japan-2017-baseline --trials 100`` <= 1.5 s wall and <= 300
MB; the server's rows in ``benchmarks/serve.py``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Element operations of the arithmetic reference: 10 x (a * b + c) over 5 M doubles (two each), the
#: throughput at which the floors are stated (NumPy's, for simple element-wise arithmetic).
ARITHMETIC_OPERATIONS = 10 * 2 * 5_000_000
#: Floor model of a coverage (issue #23's count): ~100 operations per trajectory sample (Kepler's equation,
#: the orbit-plane rotation, the altitude) and ~34 per sample-defender pair, a sample inside a unit's altitude
#: window on one of its candidate trajectories (ground angle, fly-out lookup, crossing geometry, the scan).
OPS_PER_SAMPLE, OPS_PER_PAIR = 100, 34


@dataclass
class Row:
    name: str
    wall: float  #: [s]
    cpu: float  #: [s], this process and its children
    target_cpu: float | None = None
    target_wall: float | None = None
    floor: float | None = None  #: [CPU-s] at the reference's throughput
    note: str = ""
    peak_mb: float | None = None  #: largest process's peak memory [MB]
    target_mb: float | None = None

    def missed(self) -> bool:
        over = [
            (self.target_cpu, self.cpu),
            (self.target_wall, self.wall),
            (self.target_mb, self.peak_mb),
        ]
        return any(t is not None and v is not None and v > t for t, v in over)


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, repeat: int = 3) -> tuple[float, float]:
    """Best wall time of ``repeat`` runs [s], and the CPU seconds of that run."""
    best = (np.inf, np.inf)
    for _ in range(repeat):
        c0, t0 = _cpu(), time.perf_counter()
        fn()
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        best = min(best, (wall, cpu))
    return best


_COMMAND = """
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": kids.ru_utime + kids.ru_stime,
                  "peak_mb": kids.ru_maxrss / 1024, "rc": rc}))
"""


def command(argv: list[str]) -> dict:
    """Run a command in a fresh process tree: its wall time, CPU seconds and peak memory (largest process)."""
    out = subprocess.run([sys.executable, "-c", _COMMAND, *argv], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    if got["rc"] != 0:
        raise SystemExit(f"benchmark command failed ({got['rc']}): {' '.join(argv)}")
    return got


def coverage_counts(setup, grid) -> tuple[int, int]:
    """Trajectory samples and sample-defender pairs of a coverage (counted on a separate, untimed run)."""
    from bmdlab.coverage.national import national_coverage
    from bmdlab.defense import kernel

    counts = [0, 0]
    real = kernel.opportunities

    def counting(track, rows, span, scan, ready, unit, doctrine):
        # the samples inside the unit's altitude window on its candidate trajectories: what must be looked at
        lo, hi = np.maximum(span[0], scan[0][rows]), np.minimum(span[1], scan[1][rows])
        counts[1] += int(np.maximum(hi - lo, 0).sum())
        return real(track, rows, span, scan, ready, unit, doctrine)

    kernel.opportunities = counting
    try:
        cov = national_coverage(setup, grid, workers=1)
    finally:
        kernel.opportunities = real
    counts[0] = int(cov.reach.sum()) * 140  # samples per trajectory (bmdlab.defense.engage.sample)
    return counts[0], counts[1]


def coverage_rows(reference_rate: float, quick: bool) -> list[Row]:
    from bmdlab.assembly import assemble
    from bmdlab.catalog import builtin_catalog
    from bmdlab.coverage.national import national_coverage, national_coverages
    from bmdlab.geo.grid import land_grid
    from bmdlab.scenario import load_scenario

    cat = builtin_catalog()
    aa = assemble(load_scenario("japan-2017-aegis-ashore", cat), cat)
    national_coverage(aa, land_grid(40.0))  # warm: fans from the cache, the kernel compiled
    samples, pairs = coverage_counts(aa, land_grid(10.0))
    floor10 = (OPS_PER_SAMPLE * samples + OPS_PER_PAIR * pairs) / reference_rate
    cells10 = len(land_grid(10.0))
    rows = []
    for res, target in ((10.0, 5.0), (5.0, 15.0), (2.0, 90.0)):
        if quick and res < 5:
            continue
        g = land_grid(res)
        wall, cpu = timed(lambda g=g: national_coverage(aa, g), 1)
        floor = floor10 * len(g) / cells10
        note = f"{samples / 1e6:.1f} M samples, {pairs / 1e6:.0f} M pairs at 10 km" if res == 10 else ""
        rows.append(
            Row(
                f"coverage japan-2017-aegis-ashore, {res:g} km ({len(g):,} cells)", wall, cpu, target, None, floor, note
            )
        )
    names = ("japan-2017-baseline", "japan-2017-aegis-ashore", "japan-2017-thaad")
    three = [assemble(load_scenario(n, cat), cat) for n in names]
    wall, cpu = timed(lambda: national_coverages(three, land_grid(5.0)), 1)
    rows.append(Row("coverage of 3 architectures in one pass, 5 km", wall, cpu))
    return rows


def engine_rows() -> list[Row]:
    from bmdlab.assembly import Overrides, assemble
    from bmdlab.assembly.setup import with_missiles
    from bmdlab.catalog import builtin_catalog
    from bmdlab.coverage.siting_study import SitingQuery, optimise_sites
    from bmdlab.defense.engage import flyout_parameters
    from bmdlab.defense.flyout import build_fan
    from bmdlab.engagement.raid import plan_raid
    from bmdlab.engagement.scenario_raid import RaidRun, run_scenario_raid
    from bmdlab.geo.sphere import EARTH_RADIUS, destination
    from bmdlab.scenario import load_scenario
    from bmdlab.trajectory import FlightShape, ballistic_trajectory

    rows = []
    rng = np.random.default_rng(0)
    n = 100_000
    lat0, lon0 = np.radians(39.2), np.radians(125.7)
    lat2, lon2 = destination(lat0, lon0, rng.uniform(0, 2 * np.pi, n), rng.uniform(200e3, 4000e3, n) / EARTH_RADIUS)
    wall, cpu = timed(lambda: ballistic_trajectory(lat0, lon0, lat2, lon2, burn_time=110.0))
    rows.append(Row("100k minimum-energy trajectories (with boost)", wall, cpu, 5.0))
    depressed = FlightShape("depressed", apogee=100e3)
    wall, cpu = timed(lambda: ballistic_trajectory(lat0, lon0, lat2, lon2, burn_time=110.0, shape=depressed), 1)
    rows.append(Row("100k depressed trajectories (apogee search)", wall, cpu, 20.0))
    t = ballistic_trajectory(lat0, lon0, lat2[:10_000], lon2[:10_000], burn_time=110.0)
    wall, cpu = timed(lambda: t.state(np.linspace(0, 1, 100)[None, :] * t.flight_time[:, None]))
    rows.append(Row("state of 10k trajectories x 100 times", wall, cpu, 5.0))
    cat = builtin_catalog()
    fans = {}
    for key, i in cat.interceptors.items():  # build_fan itself is not cached (flyout_fan is)
        p = flyout_parameters(i, key)
        fans[key] = timed(lambda p=p, i=i: build_fan(p, max_ground_range=i.max_range.si(), max_altitude=i.max_intercept_altitude.si()), 1)  # fmt: skip
    slowest = max(fans, key=lambda k: fans[k][1])
    rows.append(Row(f"fly-out fan built from scratch, slowest of {len(fans)} ({slowest})", *fans[slowest], 2.0))
    base = assemble(load_scenario("japan-2017-baseline", cat), cat)
    wall, cpu = timed(lambda: optimise_sites(base, SitingQuery("thaad-battery", population_target=0.95)), 1)
    rows.append(Row("smallest THAAD count for 95 % of people (10 km grid, 30 km sites)", wall, cpu, 60.0))
    aa = assemble(load_scenario("japan-2017-aegis-ashore", cat), cat)
    aa200 = with_missiles(aa, 200)
    wall, cpu = timed(lambda: plan_raid(aa200))
    rows.append(Row("raid: plan 200 missiles vs aegis-ashore", wall, cpu, 10.0))
    plan = plan_raid(aa200)
    effects = assemble(aa.scenario, cat, Overrides(missiles=200, common_mode=0.3))
    wall, cpu = timed(lambda: run_scenario_raid(effects, RaidRun(trials=10_000, seed=0), plan=plan))
    rows.append(Row("raid: 200 missiles, 10,000 trials, every effect on", wall, cpu, 10.0))
    rows += atmospheric_rows(cat, (lat0, lon0, lat2, lon2))
    return rows


def atmospheric_rows(cat, points) -> list[Row]:
    """The quasi-ballistic and boost-glide flights: a flight family from scratch, then many flights from it."""
    from bmdlab.trajectory import atmospheric as atm
    from bmdlab.trajectory import max_range

    rows = []
    for key in ("kn-23", "hwasong-16b"):
        veh, top = atm.Vehicle.of(cat.missiles[key]), max_range(cat.missiles[key])
        wall, cpu = timed(lambda veh=veh, top=top: atm.family_to_range.__wrapped__(veh, top), 1)
        rows.append(Row(f"flight family from scratch: {key} to {top / 1e3:,.0f} km (RK4, 40 flights)", wall, cpu, 5.0))
    veh, top = atm.Vehicle.of(cat.missiles["hwasong-16b"]), max_range(cat.missiles["hwasong-16b"])
    lat0, lon0, lat2, lon2 = points[0], points[1], points[2][:10_000], points[3][:10_000]
    atm.family_to_range(veh, top)
    wall, cpu = timed(lambda: atm.atmospheric_trajectory(veh, top, lat0, lon0, lat2, lon2))
    rows.append(Row("10k boost-glide trajectories from the cached family", wall, cpu, 2.0))
    return rows


def command_rows(quick: bool) -> list[Row]:
    bmdlab = [sys.executable, "-m", "bmdlab"]
    got = command([*bmdlab, "raid", "japan-2017-baseline", "--trials", "100"])
    rows = [
        Row(
            "bmdlab raid japan-2017-baseline --trials 100",
            got["wall"],
            got["cpu"],
            None,
            1.5,
            peak_mb=got["peak_mb"],
            target_mb=300.0,
        )  # fmt: skip
    ]
    got = command([*bmdlab, "raid", "japan-2028", "--trials", "2000"])
    rows.append(Row("bmdlab raid japan-2028 --trials 2000 (23 missiles, three flight classes)", got["wall"], got["cpu"], None, 15.0, peak_mb=got["peak_mb"]))  # fmt: skip
    got = command([*bmdlab, "scenario", "validate", "japan-2017-thaad"])
    rows.append(Row("bmdlab scenario validate japan-2017-thaad", got["wall"], got["cpu"], peak_mb=got["peak_mb"]))
    if not quick:
        with tempfile.TemporaryDirectory() as d:
            got = command([*bmdlab, "study", "japan-2017", "--out", str(Path(d) / "out")])
        rows.append(Row("the study japan-2017, 5 km", got["wall"], got["cpu"], 450.0, 300.0, peak_mb=got["peak_mb"], target_mb=1000.0))  # fmt: skip
        got = command([*bmdlab, "uncertainty", "japan-2017-aegis-ashore", "--samples", "10", "--trials", "500", "--workers", "2"])  # fmt: skip
        rows.append(Row("bmdlab uncertainty japan-2017-aegis-ashore (Morris, r=10)", got["wall"], got["cpu"], None, 30.0, peak_mb=got["peak_mb"]))  # fmt: skip
    return rows


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    x, y, z = np.random.default_rng(0).uniform(0.0, 1.0, (3, 5_000_000))
    ref_wall, ref_cpu = timed(lambda: [np.sqrt(np.sin(x) + 1.0) for _ in range(10)])
    arith_wall, arith_cpu = timed(lambda: [x * y + z for _ in range(10)])
    reference_rate = ARITHMETIC_OPERATIONS / arith_cpu
    rows = [
        Row("machine reference: 10 x sin+sqrt of 5M doubles", ref_wall, ref_cpu),
        Row(
            f"arithmetic reference: 10 x (a*b+c) of 5M doubles ({reference_rate / 1e9:.2f} G ops/s)",
            arith_wall,
            arith_cpu,
        ),
    ]
    rows += coverage_rows(reference_rate, quick)
    rows += engine_rows()
    rows += command_rows(quick)
    here = Path(__file__).parent
    if not quick:
        import runpy

        from bmdlab.catalog import builtin_catalog
        from bmdlab.coverage.published_footprints import footprint_checks

        wall, cpu = timed(lambda: footprint_checks(builtin_catalog(), resolution_km=20.0), 1)
        rows.append(Row("published-footprint checks (12 cases x 7 models, 20 km)", wall, cpu, 150.0))
        for name, sec, target in runpy.run_path(str(here / "serve.py"))["summary_rows"]():
            rows.append(Row(name, sec, np.nan, None, target))
    return report(rows, ref_cpu)


def report(rows: list[Row], ref_cpu: float) -> int:
    head = f"{'benchmark':66s} {'wall s':>7s} {'CPU s':>7s} {'x ref':>6s} {'MB':>5s} {'target':>22s} {'floor':>6s} {'x':>6s}"
    print(head)
    ok = True
    for r in rows:
        pairs = ((r.target_cpu, " cpu"), (r.target_wall, " wall"), (r.target_mb, " MB"))
        targets = " / ".join(f"{v:g}{u}" for v, u in pairs if v is not None)
        mb = "" if r.peak_mb is None else f"{r.peak_mb:5.0f}"
        floor = "" if r.floor is None else f"{r.floor:6.2f} {r.cpu / r.floor:6.1f}x"
        cpu = "" if not np.isfinite(r.cpu) else f"{r.cpu:7.2f} {r.cpu / ref_cpu:6.1f}"
        flag = "  MISSED" if r.missed() else ""
        ok &= not r.missed()
        print(f"{r.name[:66]:66s} {r.wall:7.2f} {cpu:>14s} {mb:>5s} {targets:>22s} {floor:>13s}{flag}")
        if r.note:
            print(f"    ({r.note})")
    print(f"CPU s: this process and the processes it ran; x ref: CPU s over the reference's {ref_cpu:.2f} CPU s")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main(sys.argv[1:]))
