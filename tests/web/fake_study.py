"""A stand-in for `bmdlab study japan-2017` in the server's tests: the same progress events (JSON lines
on stdout with ``--progress-events``, as :class:`bmdlab.study.japan2017.StudyProgress` writes them), log
lines and output files, in a fraction of a second per stage (``--stage-seconds``), so the study job's
progress, cancellation and file serving can be tested without the five-minute study.

``--stages N`` runs only the first N stages (the server must take the stage count from the events);
``--helper`` starts a child process that outlives nothing (it sleeps; the real study's coverage workers
are such children), so a test can check that cancelling the job stops the whole process group.

Usage: python fake_study.py [--stage-seconds S] [--stages N] [--fail] [--helper] --out DIR --resolution-km R
       [--progress-events]
"""

import argparse
import json
import subprocess
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


def events(stages: int):
    def event(stage: int, label: str, done: int, total: int = 2) -> None:
        frac = (stage - 1 + done / total) / stages
        print(
            json.dumps(
                {
                    "stage": stage,
                    "stages": stages,
                    "key": f"s{stage}",
                    "label": label,
                    "done": done,
                    "total": total,
                    "fraction": round(frac, 4),
                }
            ),
            flush=True,
        )

    return event


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--resolution-km", type=float, required=True)
    p.add_argument("--stage-seconds", type=float, default=0.05)
    p.add_argument("--fail", action="store_true")
    p.add_argument("--progress-events", action="store_true")
    p.add_argument("--stages", type=int, default=len(STAGES))
    p.add_argument("--helper", action="store_true")
    a = p.parse_args()
    stages = STAGES[: a.stages]
    if a.helper:  # a child of the study, named after its output folder (tests look for it by that name)
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", a.out])
    say = events(len(stages)) if a.progress_events else (lambda *_: None)
    print("fake study: starting", flush=True)  # stdout also carries lines that are not events
    for i, stage in enumerate(stages):
        line(f"{stage}: started (0/2)")
        say(i + 1, stage, 0)
        time.sleep(a.stage_seconds)
        line(f"{stage}: 1/2 after {a.stage_seconds:.0f} s")
        say(i + 1, stage, 1)
        if a.fail and i == 3:
            print("error: coverage: the stand-in failed on purpose", file=sys.stderr, flush=True)
            return 2
        time.sleep(a.stage_seconds)
        line(f"{stage}: done 2/2 in {a.stage_seconds:.1f} s")
        say(i + 1, stage, 2)
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
    print(f"report: {out / 'report.html'}")
    print(f"results: {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
