"""Does the trade-off's Pareto frontier rest on Monte Carlo noise? (issue #14: it must not change
between 4,000 and 16,000 trials.)

Runs the seven trade-off options (10 km coverage, computed once) at 4,000 and 16,000 trials on the
study's seed, with common random numbers and the paired frontier (bmdlab.cost.tradeoff), and prints
each raid size's frontier at both counts, the unpaired (point-estimate) frontier for contrast, and
the time. Usage: ``python benchmarks/pareto_stability.py [--trials 4000,16000]``.
"""

from __future__ import annotations

import argparse
import time

from bmdlab.assembly import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.cost.options import tradeoff_options
from bmdlab.cost.tradeoff import TradeoffRun, evaluate_options, pareto_front
from bmdlab.coverage.national import national_coverages
from bmdlab.defaults import DEFAULT_SEED


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trials", default="4000,16000")
    args = ap.parse_args()
    counts = [int(x) for x in args.trials.split(",")]
    cat = builtin_catalog()
    opts = tradeoff_options(cat)
    setups = [assemble(o.scenario, cat) for o in opts]
    covs = dict(zip((o.key for o in opts), national_coverages(setups, 10.0)))
    fronts = {}
    for n in counts:
        t = time.perf_counter()
        res = evaluate_options(opts, cat, TradeoffRun(trials=n, seed=DEFAULT_SEED), coverages=covs)
        took = time.perf_counter() - t
        for size in res.raid_sizes:
            paired = res.frontier(raid=size)
            point = [
                r.key
                for r, m in zip(
                    res.rows,
                    pareto_front(
                        [r.cost_total_jpy for r in res.rows],
                        [res.effect(r, "expected_surviving_value_fraction", size) for r in res.rows],
                    ),
                )
                if m
            ]
            fronts[(n, size)] = paired
            print(f"{n:>6} trials, raid {size:>3}: paired frontier {paired}; point-estimate frontier {point}")
        print(f"{n:>6} trials: {took:.1f} s for {len(opts)} options x {len(res.raid_sizes)} raid sizes")
    stable = all(fronts[(counts[0], s)] == fronts[(c, s)] for c in counts[1:] for s in res.raid_sizes)
    print("frontier stable across trial counts:", stable)
    return 0 if stable else 1


if __name__ == "__main__":
    raise SystemExit(main())
