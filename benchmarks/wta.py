"""WTA benchmark on the random instances of Ahuja et al. (2007): speed, bounds and the heuristic's gap.

    python benchmarks/wta.py          # the full table (a few minutes)

``summary_rows()`` is what ``benchmarks/run.py`` reports: the heuristic on 200 x 200 (target <= 1 s),
the exact method on 20 x 20 (target: seconds) and the exact method on the same 200 x 200 instance,
whose proven bound gives the heuristic's true gap there.
"""

from __future__ import annotations

import sys

from bmdlab.engagement.wta import random_instance, solve_wta


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


def main() -> int:
    sizes = [(5, 5, 5), (10, 10, 5), (20, 20, 5), (40, 40, 3), (80, 80, 3), (200, 200, 2), (400, 400, 2)]
    print(f"{'size':>9s} {'seed':>4s} {'heur s':>7s} {'heur obj':>10s} {'own bound gap':>13s} {'exact s':>8s} "
          f"{'exact obj':>10s} {'exact gap':>9s} {'heur vs exact bound':>19s}")
    for w, t, seeds in sizes:
        for seed in range(1, seeds + 1):
            v, pk = random_instance(w, t, seed=seed)
            h = solve_wta(v, pk, method="heuristic")
            line = f"{w:>4d}x{t:<4d} {seed:>4d} {h.seconds:7.3f} {h.objective:10.3f} {100 * h.gap:12.2f}%"
            if w <= 200:
                e = solve_wta(v, pk, method="exact", time_limit=180.0)
                line += (f" {e.seconds:8.2f} {e.objective:10.3f} {100 * e.gap:8.4f}% "
                         f"{100 * (h.objective - e.bound) / h.objective:18.4f}%")
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
