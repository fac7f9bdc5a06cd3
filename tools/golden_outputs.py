"""Write the JSON of a fixed set of bmdlab commands, to show that a refactor changes no number.

Run it on two trees (say, a commit before and after a change) and compare the folders::

    python tools/golden_outputs.py OUT_BEFORE --src /path/to/old/src
    python tools/golden_outputs.py OUT_AFTER
    python tools/golden_outputs.py --compare OUT_BEFORE OUT_AFTER

Every command runs as ``python -m bmdlab ...`` with ``PYTHONPATH`` set to ``--src`` (default: this
tree's ``src``). Provenance (``bmdlab_version``, scenario and catalog hashes, options) and timings
are left out of the comparison, every other value must be equal (floats to 1e-12 relative).
``--study`` also runs the Japan 2017 study at 20 km and compares its ``results.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

#: name -> command line after ``bmdlab`` (every one prints JSON)
COMMANDS: dict[str, list[str]] = {
    **{
        f"coverage-{s}": ["coverage", f"japan-2017-{s}", "--resolution-km", "20", "--json"]
        for s in ("baseline", "aegis-ashore", "thaad", "nodong-scud-er")
    },
    "coverage-aa-legacy": [
        "coverage",
        "japan-2017-aegis-ashore",
        "--resolution-km",
        "20",
        "--flyout",
        "straight-line",
        "--limits",
        "none",
        "--json",
    ],
    "coverage-thaad-availability": [
        "coverage",
        "japan-2017-thaad",
        "--resolution-km",
        "40",
        "--availability-samples",
        "300",
        "--json",
    ],
    "coverage-option-mix": ["coverage", "aegis-ashore-1-thaad", "--resolution-km", "40", "--json"],
    **{
        f"raid-{s}": ["raid", f"japan-2017-{s}", "--trials", "3000", "--json"]
        for s in ("baseline", "aegis-ashore", "thaad", "nodong-scud-er")
    },
    "raid-thaad-preferential": ["raid", "japan-2017-thaad", "--trials", "2000", "--doctrine", "preferential", "--json"],
    "raid-aa-common-availability": [
        "raid",
        "japan-2017-aegis-ashore",
        "--trials",
        "3000",
        "--common-mode",
        "0.3",
        "--availability",
        "0.8",
        "--json",
    ],
    "raid-thaad-nocapacity-salvo": [
        "raid",
        "japan-2017-thaad",
        "--trials",
        "2000",
        "--no-capacity",
        "--doctrine",
        "salvo",
        "--missiles",
        "120",
        "--json",
    ],
    "raid-baseline-sspk-legacy": [
        "raid",
        "japan-2017-baseline",
        "--trials",
        "2000",
        "--sspk",
        "0.6",
        "--flyout",
        "straight-line",
        "--limits",
        "none",
        "--json",
    ],
    "raid-option-16sm3": ["raid", "baseline-16-sm3", "--trials", "2000", "--json"],
    "compare-baseline-thaad": ["compare", "japan-2017-baseline", "japan-2017-thaad", "--trials", "2000", "--json"],
    "compare-aa-6ships": [
        "compare",
        "japan-2017-aegis-ashore",
        "baseline-6-ships",
        "--trials",
        "2000",
        "--availability",
        "0.7",
        "--json",
    ],
    "campaign-aa": [
        "campaign",
        "japan-2017-aegis-ashore",
        "--waves",
        "4",
        "--every-h",
        "12",
        "--missiles",
        "40",
        "--reserve",
        "sm-3-iia=24",
        "--reserve",
        "sm-3-ia=16",
        "--trials",
        "1000",
        "--json",
    ],
    "campaign-thaad-preferential": [
        "campaign",
        "japan-2017-thaad",
        "--waves",
        "3",
        "--every-h",
        "24",
        "--missiles",
        "60",
        "--trials",
        "800",
        "--doctrine",
        "preferential",
        "--json",
    ],
    **{f"cost-{s}": ["cost", f"japan-2017-{s}", "--json"] for s in ("baseline", "aegis-ashore", "thaad")},
    "cost-option-6ships": ["cost", "baseline-6-ships", "--years", "20", "--reloads", "2", "--json"],
    "footprint-thaad": [
        "footprint",
        "thaad-battery",
        "--at",
        "35.5,134.2",
        "--missile",
        "nodong",
        "--launch",
        "sunan",
        "--json",
    ],
    "footprint-kongo-lofted": [
        "footprint",
        "kongo-class",
        "--at",
        "station-sea-of-japan-central",
        "--missile",
        "nodong",
        "--launch",
        "sunan",
        "--shape",
        "lofted",
        "--apogee-km",
        "600",
        "--json",
    ],
    "site-thaad": [
        "site",
        "thaad-battery",
        "--count",
        "2",
        "--resolution-km",
        "40",
        "--candidate-spacing-km",
        "120",
        "--json",
    ],
    "trajectory": ["trajectory", "--from", "sunan", "--to", "tokyo", "--missile", "nodong", "--json"],
    "analytic": [
        "analytic",
        "--missiles",
        "50",
        "--sspk",
        "0.8",
        "--shots-per-missile",
        "2",
        "--common-mode",
        "0.3",
        "--json",
    ],
    "wta": ["wta", "--random", "12x12", "--json"],
    "tornado-aa": [
        "tornado",
        "--scenario",
        "japan-2017-aegis-ashore",
        "--missiles",
        "100",
        "--trials",
        "400",
        "--json",
    ],
    "sweep": [
        "sweep",
        "--axis",
        "scenario=japan-2017-baseline,japan-2017-thaad",
        "--axis",
        "availability=0.5,1",
        "--axis",
        "fire_channels_scale=1,3",
        "--trials",
        "400",
        "--workers",
        "1",
        "--out",
        "{tmp}/sweep.duckdb",
        "--json",
    ],
    "tradeoff": ["tradeoff", "--trials", "600", "--resolution-km", "40", "--budget-jpy", "5e11", "--json"],
    "check-footprints": ["check-footprints", "--resolution-km", "40", "--json"],
}

#: keys that record how, not what (provenance, timings, paths)
VOLATILE = {
    "provenance",
    "bmdlab_version",
    "seconds",
    "timing_s",
    "scenario_hash",
    "catalog_hash",
    "b_hash",
    "generated",
    "generated_at",
    "command",
    "out",
    "elapsed_s",
    "duration_s",
    "wall_s",
}


def run(out: Path, src: Path, names: list[str], study: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1", "COLUMNS": "200"}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            cmd = [sys.executable, "-m", "bmdlab", *(a.replace("{tmp}", tmp) for a in COMMANDS[name])]
            p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
            if p.returncode != 0:
                print(f"{name}: exit {p.returncode}: {p.stderr.strip()[-400:]}", file=sys.stderr)
                continue
            (out / f"{name}.json").write_text(p.stdout, encoding="utf-8")
            print(f"{name}: ok", file=sys.stderr)
        if study:
            cmd = [
                sys.executable,
                "-m",
                "bmdlab",
                "study",
                "japan-2017",
                "--out",
                f"{tmp}/study",
                "--resolution-km",
                "20",
            ]
            p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
            if p.returncode != 0:
                print(f"study: exit {p.returncode}: {p.stderr.strip()[-400:]}", file=sys.stderr)
            else:
                (out / "study-results.json").write_text(Path(tmp, "study", "results.json").read_text(encoding="utf-8"))
                print("study: ok", file=sys.stderr)


def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in VOLATILE}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


def differences(a, b, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: only on one side" for k in sorted(a.keys() ^ b.keys())]
        return out + [d for k in sorted(a.keys() & b.keys()) for d in differences(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items against {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        same = math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) or (math.isnan(a) and math.isnan(b))
        return [] if same else [f"{where}: {a!r} against {b!r}"]
    return [] if a == b else [f"{where}: {a!r} against {b!r}"]


def compare(before: Path, after: Path) -> int:
    bad = 0
    names = sorted({p.name for p in before.glob("*.json")} | {p.name for p in after.glob("*.json")})
    for name in names:
        pa, pb = before / name, after / name
        if not (pa.exists() and pb.exists()):
            print(f"{name}: only in {'before' if pa.exists() else 'after'}")
            bad += 1
            continue
        diffs = differences(strip(json.loads(pa.read_text())), strip(json.loads(pb.read_text())))
        print(f"{name}: {'identical' if not diffs else f'{len(diffs)} differences'}")
        for d in diffs[:20]:
            print("   ", d)
        bad += bool(diffs)
    print(f"{len(names) - bad} of {len(names)} outputs identical (provenance and timings aside)")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path)
    ap.add_argument("--src", type=Path, default=HERE / "src")
    ap.add_argument("--only", nargs="*", default=None, help="names of COMMANDS to run (default: all)")
    ap.add_argument("--study", action="store_true", help="also the study at 20 km")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        return compare(*args.compare)
    if args.out is None:
        ap.error("give OUT or --compare BEFORE AFTER")
    run(args.out, args.src.resolve(), args.only or list(COMMANDS), args.study)
    return 0


if __name__ == "__main__":
    sys.exit(main())
