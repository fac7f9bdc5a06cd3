"""The WTA heuristic on the published instances of Andersen, Pavlikov and Toffolo (2022): gap and time per class.

    python benchmarks/wta_published.py PATH          # PATH: a clone of their repository, or its data folder
    BMDLAB_WTA_INSTANCES=PATH python benchmarks/wta_published.py

The instances are not part of bmdlab (their repository is GPL): ``git clone https://github.com/tuliotoffolo/wta``.
A file ``wta_{W}x{T}x{m}.txt`` holds W weapon types of m identical weapons each against T targets, in the
text format :func:`bmdlab.engagement.wta.load_instance` reads. Their classes are the number of weapons per
type, m = 1, 2, 3 (one instance per size from 50x100 to 500x1000 in each).

The best known value of an instance is the smallest upper bound (column UB) over every approach and
setting in their ``logs/results.csv`` (CPLEX, 2 h per run; A. C. Andersen, K. Pavlikov, T. A. M. Toffolo,
Annals of Operations Research 2022, doi:10.1007/s10479-022-04525-6), read from that file when this runs
(``--results FILE`` if it is elsewhere). Some of those bounds come from their piecewise-linear
approximations and sit a few 1e-8 below the true value of the plan, so a gap of -0.000 % means "equal".

Per instance: ``solve_wta(values, kill_probability, method="heuristic")`` with its defaults (seed 0; the
search's length depends only on the instance's size, so the answer is reproducible), its gap to the best
known value, CPU seconds (``time.process_time``) and wall seconds of the call (reading the file is not
counted). Per class: instances, the largest and mean gap, the largest CPU and wall time, and whether every
instance is within 1 % of the best known value in at most 3 CPU seconds. Exit status 0 when every class
passes, 1 when one does not, 2 without instances.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from pathlib import Path

from bmdlab.engagement.wta import load_instance, solve_wta, typed_instance
from bmdlab.errors import BmdlabError

GAP_LIMIT = 0.01  #: within 1 % of the best known value
CPU_LIMIT = 3.0  #: CPU seconds per instance
NAME = re.compile(r"wta_(\d+)x(\d+)x(\d+)\.txt$")
HOW = (
    "give the folder of the Andersen-Pavlikov-Toffolo instances (PATH or BMDLAB_WTA_INSTANCES); get them with "
    "`git clone https://github.com/tuliotoffolo/wta`, then `python benchmarks/wta_published.py wta`"
)


def find_instances(root: Path) -> dict[tuple[int, int, int], Path]:
    """``(W, T, m) -> file`` for every ``wta_WxTxm.txt`` in ``root`` or ``root/data``."""
    found: dict[tuple[int, int, int], Path] = {}
    for folder in (root, root / "data"):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                match = NAME.match(path.name)
                if match and path.is_file():
                    found.setdefault((int(match[1]), int(match[2]), int(match[3])), path)
    return found


def find_results(root: Path) -> Path | None:
    for path in (root / "logs" / "results.csv", root.parent / "logs" / "results.csv", root / "results.csv"):
        if path.is_file():
            return path
    return None


def best_known(results: Path) -> dict[tuple[int, int, int], float]:
    """Smallest UB per ``(|W|, |T|, mi)`` over every block of their results table."""
    best: dict[tuple[int, int, int], float] = {}
    header: list[str] | None = None
    with open(results, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            cells = [c.strip() for c in row]
            if "|W|" in cells and "UB" in cells:
                header = cells
                continue
            if header is None or len(cells) != len(header):
                continue
            record = dict(zip(header, cells))
            try:
                key = (int(record["|W|"]), int(record["|T|"]), int(record["\\mi"]))
                upper = float(record["UB"])
            except (KeyError, ValueError):
                continue
            if upper > 0.0:
                best[key] = min(best.get(key, upper), upper)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("path", nargs="?", default=os.environ.get("BMDLAB_WTA_INSTANCES"), help="their repository")
    parser.add_argument("--results", type=Path, help="their logs/results.csv, if not under PATH")
    args = parser.parse_args(argv)
    if not args.path:
        print(f"wta_published: no instances; {HOW}")
        return 2
    root = Path(args.path).expanduser()
    instances = find_instances(root)
    if not instances:
        print(f"wta_published: no wta_WxTxm.txt files in {root} or {root / 'data'}; {HOW}")
        return 2
    results = args.results or find_results(root)
    known = best_known(results) if results is not None else {}
    print(
        f"{len(instances)} instances in {root}; best known values: "
        + (f"{len(known)} from {results}" if known else "none found (give --results logs/results.csv)")
    )
    started = time.process_time()
    solve_wta(*typed_instance(3, 2, 4, seed=1), method="heuristic")  # loads (or first compiles) the search
    print(f"search code loaded in {time.process_time() - started:.2f} CPU s (once per process; not counted)\n")

    print(
        f"{'instance':16s} {'weapons':>7s} {'targets':>7s} {'best known':>12s} {'heuristic':>12s} "
        f"{'gap':>8s} {'CPU s':>6s} {'wall s':>6s}"
    )
    rows = []
    for key in sorted(instances, key=lambda k: (k[2], k[0], k[1])):
        path = instances[key]
        try:
            values, kill_probability = load_instance(path)
        except BmdlabError as exc:
            print(f"{path.name:16s} skipped: {exc}")
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        res = solve_wta(values, kill_probability, method="heuristic")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        best = known.get(key)
        gap = None if best is None else (res.objective - best) / best
        rows.append((key, gap, cpu, wall))
        shown = "n/a" if gap is None else f"{100 * gap:+.3f}%"
        print(
            f"{path.stem:16s} {key[0] * key[2]:7d} {key[1]:7d} "
            f"{'n/a' if best is None else f'{best:.6g}':>12s} {res.objective:12.6g} {shown:>8s} {cpu:6.2f} {wall:6.2f}",
            flush=True,
        )

    print(
        f"\n{'class (weapons per type)':26s} {'instances':>9s} {'gap max':>8s} {'mean':>8s} {'CPU s max':>9s} "
        f"{'wall s max':>10s}  <= 1 % and <= 3 CPU s"
    )
    ok = True
    for m in sorted({key[2] for key, *_ in rows}):
        group = [r for r in rows if r[0][2] == m]
        gaps = [g for _, g, _, _ in group if g is not None]
        cpu_max = max(c for _, _, c, _ in group)
        wall_max = max(w for _, _, _, w in group)
        passed = len(gaps) == len(group) and max(gaps) <= GAP_LIMIT and cpu_max <= CPU_LIMIT
        ok = ok and passed
        sizes = f"{group[0][0][0] * m}x{group[0][0][1]} to {group[-1][0][0] * m}x{group[-1][0][1]}"
        print(
            f"{f'm = {m}: {sizes}':26s} {len(group):9d} "
            f"{f'{100 * max(gaps):+.3f}%' if gaps else 'n/a':>8s} "
            f"{f'{100 * sum(gaps) / len(gaps):+.3f}%' if gaps else 'n/a':>8s} {cpu_max:9.2f} {wall_max:10.2f}  "
            f"{'pass' if passed else 'FAIL'}"
        )
    missing = sorted(set(known) - set(instances), key=lambda k: (k[2], k[0], k[1]))
    if missing:
        print(
            f"\nin results.csv but not in {root}: "
            + ", ".join(f"wta_{w}x{t}x{m}" for w, t, m in missing)
            + " (not run)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
