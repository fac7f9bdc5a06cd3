"""WTA benchmark per instance class: the heuristic's gap to the best known value, its certified gap, times.

    python benchmarks/wta.py          # the table (about two to three minutes)

Classes: Ahuja et al. (2007) random instances (``random_instance``, 10x10 to 200x200); instances with
several identical weapons per type (``typed_instance``: types x weapons per type x targets); and
target-rich random instances (more targets than weapons). The best known value is the exact method's
proven optimum where it proves one within its time limit, else the better of the two methods' values.
Per class the table gives the heuristic's largest and mean gap to it, its largest certified gap
``(objective - bound) / objective`` (the bound the heuristic proves itself), the largest times of
both methods, and how many instances the exact method proved.

``summary_rows()`` is what ``benchmarks/run.py`` reports: the heuristic on 200 x 200 (target <= 1 s),
the exact method on 20 x 20 (target: seconds) and the exact method on the same 200 x 200 instance,
whose proven bound gives the heuristic's true gap there.
"""

from __future__ import annotations

import sys

from bmdlab.engagement.wta import random_instance, solve_wta, typed_instance


def summary_rows() -> list[tuple[str, float, float]]:
    v, pk = random_instance(20, 20, seed=1)
    ex20 = solve_wta(v, pk, method="exact")
    v, pk = random_instance(200, 200, seed=1)
    heur = solve_wta(v, pk, method="heuristic")
    ex200 = solve_wta(v, pk, method="exact", time_limit=180.0)
    true_gap = (heur.objective - ex200.bound) / heur.objective
    return [
        (f"wta heuristic 200x200 (vs proven bound {100 * true_gap:.3f} %)", heur.seconds, 1.0),
        (f"wta exact 20x20 ({'optimal' if ex20.optimal else f'gap {100 * ex20.gap:.3f} %'})", ex20.seconds, 10.0),
        (f"wta exact 200x200 ({'optimal' if ex200.optimal else f'gap {100 * ex200.gap:.3f} %'})", ex200.seconds, 180.0),
    ]


#: (class, label, instance maker, seeds, exact time limit [s])
CLASSES = [
    ("Ahuja random", "10x10", lambda s: random_instance(10, 10, seed=s), 5, 60.0),
    ("Ahuja random", "20x20", lambda s: random_instance(20, 20, seed=s), 5, 60.0),
    ("Ahuja random", "40x40", lambda s: random_instance(40, 40, seed=s), 3, 60.0),
    ("Ahuja random", "80x80", lambda s: random_instance(80, 80, seed=s), 2, 60.0),
    ("Ahuja random", "200x200", lambda s: random_instance(200, 200, seed=s), 1, 180.0),
    ("typed", "5 types x 5 / 10", lambda s: typed_instance(5, 5, 10, seed=s), 5, 60.0),
    ("typed", "8 types x 5 / 20", lambda s: typed_instance(8, 5, 20, seed=s), 5, 60.0),
    ("typed", "4 types x 25 / 50", lambda s: typed_instance(4, 25, 50, seed=s), 3, 60.0),
    ("typed", "10 types x 10 / 50", lambda s: typed_instance(10, 10, 50, seed=s), 3, 60.0),
    ("typed", "20 types x 10 / 200", lambda s: typed_instance(20, 10, 200, seed=s), 2, 60.0),
    ("target-rich", "20x80", lambda s: random_instance(20, 80, seed=s), 5, 30.0),
    ("target-rich", "50x200", lambda s: random_instance(50, 200, seed=s), 3, 30.0),
    ("target-rich", "typed 10x5 / 100", lambda s: typed_instance(10, 5, 100, seed=s), 3, 30.0),
]


def run_class(make, seeds: int, exact_limit: float) -> dict[str, float]:
    gaps, certified, heur_s, exact_s, proved = [], [], [], [], 0
    for seed in range(1, seeds + 1):
        v, pk = make(seed)
        h = solve_wta(v, pk, method="heuristic")
        e = solve_wta(v, pk, method="exact", time_limit=exact_limit)
        best = e.objective if e.optimal else min(e.objective, h.objective)
        proved += e.optimal
        gaps.append(0.0 if best <= 0 else (h.objective - best) / best)
        certified.append(h.gap)
        heur_s.append(h.seconds)
        exact_s.append(e.seconds)
    return {
        "n": seeds,
        "max_gap": max(gaps),
        "mean_gap": sum(gaps) / len(gaps),
        "certified": max(certified),
        "heur_s": max(heur_s),
        "exact_s": max(exact_s),
        "proved": proved,
    }


def main() -> int:
    print(
        f"{'class':12s} {'instances':20s} {'n':>2s} {'heur gap max':>12s} {'mean':>7s} {'certified max':>13s} "
        f"{'heur s max':>10s} {'exact s max':>11s} {'proved':>6s}"
    )
    for cls, label, make, seeds, limit in CLASSES:
        r = run_class(make, seeds, limit)
        print(
            f"{cls:12s} {label:20s} {r['n']:2d} {100 * r['max_gap']:11.3f}% {100 * r['mean_gap']:6.3f}% "
            f"{100 * r['certified']:12.3f}% {r['heur_s']:10.3f} {r['exact_s']:11.2f} {r['proved']:3d}/{r['n']}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
