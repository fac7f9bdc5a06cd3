"""A stand-in for `bmdlab study japan-2017` in the server's tests: the same progress lines and output
files, in a fraction of a second per stage (``--stage-seconds``), so the study job's progress,
cancellation and file serving can be tested without the five-minute study.

Usage: python fake_study.py [--stage-seconds S] [--fail] --out DIR --resolution-km R
"""

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

STAGES = [
    "loading catalog and geography",
    "threat timeline (trajectories per missile)",
    "model check against observed flights",
    "coverage: three architectures, PAC-3 footprint, THAAD siting",
    "coverage verdicts with each engagement limit off and the earlier model",
    "model check: defended footprints",
    "raids: 50, 100, 200 missiles x three architectures (Monte Carlo)",
    "costs, trade-offs (7 options)",
    "figures",
    "report",
]


def line(text: str) -> None:
    print(f"{datetime.now():%Y-%m-%d %H:%M:%S} {text}", file=sys.stderr, flush=True)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--resolution-km", type=float, required=True)
    p.add_argument("--stage-seconds", type=float, default=0.05)
    p.add_argument("--fail", action="store_true")
    a = p.parse_args()
    for i, stage in enumerate(STAGES):
        line(f"{stage}: started (0/2)")
        time.sleep(a.stage_seconds)
        line(f"{stage}: 1/2 after {a.stage_seconds:.0f} s")
        if a.fail and i == 3:
            print("error: coverage: the stand-in failed on purpose", file=sys.stderr, flush=True)
            return 2
        time.sleep(a.stage_seconds)
        line(f"{stage}: done 2/2 in {a.stage_seconds:.1f} s")
    out = Path(a.out)
    out.mkdir(parents=True)
    (out / "report.html").write_text(
        "<!DOCTYPE html><title>stand-in report</title><h1>Japan 2017 (stand-in)</h1>", encoding="utf-8"
    )
    (out / "results.json").write_text(
        json.dumps(
            {
                "schema_version": 1,
                "kind": "study",
                "provenance": {"resolution_km": a.resolution_km},
                "claims": [
                    {
                        "id": "pac3",
                        "quote": "PAC-3 batteries cover only tens of kilometres.",
                        "figure": "16 km",
                        "verdict": "holds",
                        "why": "stand-in",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    (out / ".bmdlab-output").write_text("", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
