"""How many missiles North Korea's launchers can fire at Japan at once (a check on a raid, not a raid).

A raid is the analyst's input; this module only checks it against the catalog's launcher counts
(mobile transporter-erector-launchers, TELs), so that a raid nobody could launch is flagged, and so
that the claim "North Korea can fire 200 missiles at once at Japan" is tested against a figure
rather than assumed.

Each missile type draws on a pool of launchers: its own ``launchers`` count, or that of the missile
named by ``launchers_shared_with`` (the Scud-B, Scud-C and Scud-ER share the Scud family's TELs). A
missile that shares a pool may also give its own ``launchers``: its share of the pool (the Scud-ER's
share of the Scud-family TELs), at most the pool. A launcher fires once within a launch window
shorter than its reload cycle. No open source read for bmdlab gives a TEL reload time; every
multi-missile launch of 2016-2017 in the CNS missile-test database (three to five missiles within a
minute, or three within an hour) used one TEL per missile. So a raid whose launch window is at most
:data:`ONE_SALVO_WINDOW` can fire at most one missile per launcher; a longer window is reported as
not checked.

What can reach Japan: a missile type counts when its catalog range (upper end) reaches at least one
of Japan's :data:`REACH_CITIES` largest cities (the default raids' aim points) from at least one of the
catalog's North Korean launch areas (great-circle distance). The Scud-B (300 km) and Scud-C (500 km)
reach none (the nearest such city is 626 km from the nearest launch area); their launchers in the
Scud-family pool are not counted, only the Scud-ER's share.

References
----------
.. [1] U.S. Department of Defense, Military and Security Developments Involving the DPRK 2012 (as
       reported by Yonhap / JoongAng Daily, 17 May 2013): up to 100 Scud-family, 50 Nodong and 50
       IRBM launchers - upper estimates; an earlier ROK estimate gave 40, 40 and 14.
.. [2] James Martin Center for Nonproliferation Studies, The CNS North Korea Missile Test Database
       (launch times of the salvos of 5 Sep 2016, 6 Mar 2017 and 26 Aug 2017).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from bmdlab.catalog import Catalog
from bmdlab.catalog.schema import Value
from bmdlab.geo.japan import largest_cities
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle
from bmdlab.trajectory.flight import max_range

#: Longest launch window [s] in which a launcher is taken to fire once (one hour: the longest
#: multi-missile event of 2016-2017 without a documented reload, CNS database).
ONE_SALVO_WINDOW = 3600.0
#: A missile "reaches Japan" when it reaches one of this many of Japan's largest cities (the default raids' aim points).
REACH_CITIES = 30


def launcher_pool(catalog: Catalog, missile: str) -> str | None:
    """Key of the missile whose ``launchers`` count serves ``missile``; None if no count is known."""
    m = catalog.missiles[missile]
    if m.launchers_shared_with is not None:
        return m.launchers_shared_with
    return missile if m.launchers is not None else None


def _ends(v: Value) -> tuple[int, int]:
    """(low, high) of a count, a ``[low, high]`` range or one number."""
    return (int(min(v.value)), int(max(v.value))) if isinstance(v.value, list) else (int(v.high), int(v.high))


@functools.cache
def _nearest_city_m(places: tuple[tuple[float, float], ...]) -> float:
    """Shortest great-circle distance [m] from any of these (lat, lon) [deg] to one of Japan's largest cities."""
    c = largest_cities(REACH_CITIES)
    lat, lon = np.radians(np.array(places)).T
    d = central_angle(lat[:, None], lon[:, None], np.radians(c.lat_deg)[None, :], np.radians(c.lon_deg)[None, :])
    return float(d.min() * EARTH_RADIUS)


def japan_distance_m(catalog: Catalog) -> float:
    """Shortest distance [m] from the catalog's North Korean launch areas to one of Japan's
    :data:`REACH_CITIES` largest cities."""
    areas = [p for p in catalog.places_of("launch-area").values() if p.country == "KP"]
    return _nearest_city_m(tuple((p.lat.nominal, p.lon.nominal) for p in areas))


def reaches_japan(catalog: Catalog, missile: str) -> bool:
    """Whether the missile's catalog range reaches one of Japan's largest cities from a catalog launch area."""
    return max_range(catalog.missiles[missile]) >= japan_distance_m(catalog)


def simultaneous_capacity(catalog: Catalog, missiles: list[str]) -> dict[str, Any]:
    """Missiles of these types that can reach Japan and that the launchers can fire at once (one per launcher).

    A pool counts its launchers that carry a missile reaching Japan: the whole pool when such a missile has
    no share of its own, else the sum of those shares (at most the pool). Returns ``total`` (upper ends of
    the published ranges) and ``total_low`` (lower ends), the pools with their counts (``launchers`` and
    ``launchers_low`` the pool's, ``reaching`` and ``reaching_low`` the launchers counted), the missile types
    that cannot reach Japan (``not_reaching_japan``, not counted) and those with no launcher count.
    ``expected_working`` (and ``_low``) weighs each pool's count by its missiles' catalog reliability (the
    flight record; the highest of a pool's types, the lowest for ``_low``; 1 without a record).
    """
    pools: dict[str, dict[str, Any]] = {}
    unknown, short = [], []
    for key in dict.fromkeys(missiles):
        pool = launcher_pool(catalog, key)
        if not reaches_japan(catalog, key):
            short.append(key)
        elif pool is None:
            unknown.append(key)
        else:
            lo, hi = _ends(catalog.missiles[pool].launchers)
            entry = pools.setdefault(
                pool,
                {
                    "launchers": hi,
                    "launchers_low": lo,
                    "source": catalog.missiles[pool].launchers.source,
                    "missiles": [],
                },
            )
            entry["missiles"].append(key)
    for pool, entry in pools.items():
        shares = [_share(catalog, k, pool) for k in entry["missiles"]]
        whole = any(s is None for s in shares)
        entry["reaching_low"] = (
            entry["launchers_low"] if whole else min(entry["launchers_low"], sum(s[0] for s in shares))
        )
        entry["reaching"] = entry["launchers"] if whole else min(entry["launchers"], sum(s[1] for s in shares))
        rel = [_reliability(catalog, k) for k in entry["missiles"]]
        entry["reliability"] = [min(rel), max(rel)]
    return {
        "total": sum(p["reaching"] for p in pools.values()),
        "total_low": sum(p["reaching_low"] for p in pools.values()),
        "expected_working": round(sum(p["reaching"] * p["reliability"][1] for p in pools.values()), 1),
        "expected_working_low": round(sum(p["reaching_low"] * p["reliability"][0] for p in pools.values()), 1),
        "pools": pools,
        "not_reaching_japan": short,
        "no_launcher_count": unknown,
        "reach_rule": f"catalog range reaches one of Japan's {REACH_CITIES} largest cities from a catalog launch "
        f"area (nearest {japan_distance_m(catalog) / 1e3:,.0f} km)",
    }


def _reliability(catalog: Catalog, missile: str) -> float:
    """The missile's catalog reliability (its flight record by Laplace's rule); 1 without one."""
    rel = catalog.missiles[missile].reliability
    return 1.0 if rel is None else rel.nominal


def _share(catalog: Catalog, missile: str, pool: str) -> tuple[int, int] | None:
    """A missile's own share (low, high) of a pool it shares with others; None when it may use the whole pool."""
    m = catalog.missiles[missile]
    return None if missile == pool or m.launchers is None else _ends(m.launchers)


def raid_launch_check(catalog: Catalog, salvos: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the catalog's launchers can fire a raid's salvos within its launch window.

    ``salvos`` as in a scenario's ``raid.salvos`` (``count``, ``missile``, ``launch_spread_s``).
    ``feasible`` is True or False when every missile type has a launcher count and the window is at
    most :data:`ONE_SALVO_WINDOW`, else None (not checked), with the reason. A missile with its own
    share of a shared pool may not fire more than that share (upper end).
    """
    window = max((float(s.get("launch_spread_s", 0.0)) for s in salvos), default=0.0)
    demand: dict[str, dict[str, int]] = {}
    unknown = []
    for s in salvos:
        pool = launcher_pool(catalog, s["missile"])
        if pool is None:
            if s["count"] > 0:
                unknown.append(s["missile"])
            continue
        by_missile = demand.setdefault(pool, {})
        by_missile[s["missile"]] = by_missile.get(s["missile"], 0) + int(s["count"])
    rows = []
    for pool, by_missile in demand.items():
        have, n = _ends(catalog.missiles[pool].launchers)[1], sum(by_missile.values())
        over = [
            f"{k} {c} > its share {share[1]}"
            for k, c in by_missile.items()
            if (share := _share(catalog, k, pool)) is not None and c > share[1]
        ]
        rows.append(
            {
                "pool": pool,
                "missiles": list(by_missile),
                "fired": n,
                "launchers": have,
                "within_capacity": n <= have and not over,
            }
        )
        if over:
            rows[-1]["over_share"] = over
    if window > ONE_SALVO_WINDOW:
        feasible, why = (
            None,
            f"launch window {window / 60:.0f} min is longer than one salvo ({ONE_SALVO_WINDOW / 60:.0f} min): reloads matter and no reload time is known",
        )
    elif unknown:
        feasible, why = None, f"no launcher count in the catalog for {', '.join(dict.fromkeys(unknown))}"
    else:
        feasible = all(r["within_capacity"] for r in rows)
        short = [
            f"{r['fired']} from the {r['pool']} pool of {r['launchers']} launchers"
            + (f" ({'; '.join(r['over_share'])})" if r.get("over_share") else "")
            for r in rows
            if not r["within_capacity"]
        ]
        why = (
            "every missile has a launcher within the window"
            if feasible
            else "more missiles than launchers within the window: " + "; ".join(short)
        )
    return {"launch_window_s": window, "pools": rows, "feasible": feasible, "reason": why}


__all__ = [
    "ONE_SALVO_WINDOW",
    "REACH_CITIES",
    "japan_distance_m",
    "launcher_pool",
    "raid_launch_check",
    "reaches_japan",
    "simultaneous_capacity",
]
