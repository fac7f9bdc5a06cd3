"""Benchmark of ``bmdlab serve``: how long a drag takes to come back as a new map.

Starts a real server (``bmdlab serve --no-warm --no-browser`` on a free port), loads the
japan-2017-thaad scenario once per grid (the first load flies every trajectory), then drags units
the way the page does (POST /api/coverage with the unit's new ``at``) and times each round trip:
request, incremental coverage, summary, GeoJSON layers and the JSON response.

Targets (issue #23, this 2-core machine, fan cache warm): the first map at 10 km in <= 5 s; dragging a land
battery (THAAD from Kyushu to Shikoku) in <= 0.3 s at 10 km and <= 0.8 s at 5 km; dragging a destroyer,
whose long-range radar cues every other unit, in <= 1.5 s at 5 km. Requests carry the server's token
(``GET /api/token``), as the page's do.

Run: ``python benchmarks/serve.py`` (also run by ``python benchmarks/run.py``).
"""

from __future__ import annotations

import copy
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from bmdlab.web.options import TOKEN_HEADER

#: Targets [s] by grid [km]: first map, THAAD drag, destroyer drag (None: reported without a target).
FIRST_MAP = {10.0: 5.0, 5.0: None}
TARGETS = {10.0: 0.3, 5.0: 0.8}
DESTROYER = {10.0: None, 5.0: 1.5}
#: THAAD site 1 (Kyushu) to four places on Shikoku and back toward Kyushu; the last is the issue's example.
THAAD_MOVES = [(33.55, 133.53), (33.84, 132.77), (34.07, 134.55), (33.2, 131.5), (33.8, 133.5)]
KONGO_MOVES = [(38.0, 135.0), (37.0, 133.0)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict, token: str) -> tuple[float, dict]:
    data = json.dumps(body).encode()
    headers = {"content-type": "application/json", TOKEN_HEADER: token}
    req = urllib.request.Request(url, data=data, headers=headers)
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            out = json.load(r)
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"benchmark request refused: {exc.code} {exc.read().decode()[:300]}") from None
    return time.perf_counter() - t0, out


def _moved(sc: dict, index: int, lat: float, lon: float) -> dict:
    sc = copy.deepcopy(sc)
    sc["architecture"]["units"][index]["at"] = {"lat": lat, "lon": lon}
    return sc


def measure() -> list[tuple[str, float, float | None]]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bmdlab", "serve", "--port", str(port), "--no-browser", "--no-warm"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        with urllib.request.urlopen(base + "/api/scenarios/japan-2017-thaad") as r:
            sc = json.load(r)["scenario"]
        with urllib.request.urlopen(base + "/api/token") as r:
            token = json.load(r)["token"]
        units = sc["architecture"]["units"]
        thaad = next(i for i, u in enumerate(units) if u["unit"] == "thaad-battery")
        kongo = next(i for i, u in enumerate(units) if u["unit"] == "kongo-class")
        rows = []
        for res in (10.0, 5.0):
            first, _ = _post(base + "/api/coverage", {"scenario": sc, "resolution_km": res}, token)
            rows.append((f"serve: first map japan-2017-thaad, {res:g} km", first, FIRST_MAP[res]))
            times = [
                _post(base + "/api/coverage", {"scenario": _moved(sc, thaad, *p), "resolution_km": res}, token)[0]
                for p in THAAD_MOVES
            ]
            rows.append(
                (
                    f"serve: drag a THAAD battery, {res:g} km (worst of {len(times)}; median "
                    f"{statistics.median(times):.2f} s)",
                    max(times),
                    TARGETS[res],
                )
            )
            ktimes = [
                _post(base + "/api/coverage", {"scenario": _moved(sc, kongo, *p), "resolution_km": res}, token)[0]
                for p in KONGO_MOVES
            ]
            rows.append((f"serve: drag a destroyer (cues every unit), {res:g} km (worst)", max(ktimes), DESTROYER[res]))
        return rows
    finally:
        proc.terminate()
        proc.wait(30)


def summary_rows() -> list[tuple[str, float, float | None]]:
    """Rows for benchmarks/run.py."""
    return measure()


if __name__ == "__main__":
    ok = True
    for name, sec, target in measure():
        flag = "" if target is None or sec <= target else "  MISSED"
        ok &= target is None or sec <= target
        print(f"{name:78s} {sec:8.3f} {'-' if target is None else f'{target:.1f}':>6s}{flag}")
    sys.exit(0 if ok else 1)
