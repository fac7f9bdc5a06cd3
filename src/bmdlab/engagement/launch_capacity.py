"""How many missiles North Korea's launchers can fire in a raid's launch window (a check on the input).

A raid is the analyst's input; this module only checks it against the catalog's launcher counts
(mobile transporter-erector-launchers, TELs), so that a raid nobody could launch is flagged, and so
that the claim "North Korea can fire 200 missiles at once" is tested against a figure rather than
assumed.

Each missile type draws on a pool of launchers: its own ``launchers`` count, or that of the missile
named by ``launchers_shared_with`` (the Scud-B, Scud-C and Scud-ER share the Scud family's TELs). A
launcher fires once within a launch window shorter than its reload cycle. No open source read for
bmdlab gives a TEL reload time; every multi-missile launch of 2016-2017 in the CNS missile-test
database (three to five missiles within a minute, or three within an hour) used one TEL per missile.
So a raid whose launch window is at most :data:`ONE_SALVO_WINDOW` can fire at most one missile per
launcher; a longer window is reported as not checked.

References
----------
.. [1] U.S. Department of Defense, Military and Security Developments Involving the DPRK 2012 (as
       reported by Yonhap / JoongAng Daily, 17 May 2013): up to 100 Scud-family, 50 Nodong and 50
       IRBM launchers - upper estimates; an earlier ROK estimate gave 40, 40 and 14.
.. [2] James Martin Center for Nonproliferation Studies, The CNS North Korea Missile Test Database
       (launch times of the salvos of 5 Sep 2016, 6 Mar 2017 and 26 Aug 2017).
"""

from __future__ import annotations

from typing import Any

from bmdlab.catalog import Catalog

#: Longest launch window [s] in which a launcher is taken to fire once (one hour: the longest
#: multi-missile event of 2016-2017 without a documented reload, CNS database).
ONE_SALVO_WINDOW = 3600.0


def launcher_pool(catalog: Catalog, missile: str) -> str | None:
    """Key of the missile whose ``launchers`` count serves ``missile``; None if no count is known."""
    m = catalog.missiles[missile]
    if m.launchers_shared_with is not None:
        return m.launchers_shared_with
    return missile if m.launchers is not None else None


def simultaneous_capacity(catalog: Catalog, missiles: list[str]) -> dict[str, Any]:
    """Missiles of these types that the launchers can fire at once (one per launcher), by pool.

    Returns the total (upper ends of the published ranges) and ``total_low`` (lower ends), the pools
    with their counts, and the missile types with no launcher count in the catalog (not counted).
    """
    pools: dict[str, dict[str, Any]] = {}
    unknown = []
    for key in dict.fromkeys(missiles):
        pool = launcher_pool(catalog, key)
        if pool is None:
            unknown.append(key)
            continue
        lv = catalog.missiles[pool].launchers
        low = min(lv.value) if isinstance(lv.value, list) else lv.value
        entry = pools.setdefault(
            pool, {"launchers": int(lv.high), "launchers_low": int(low), "source": lv.source, "missiles": []}
        )
        entry["missiles"].append(key)
    return {
        "total": sum(p["launchers"] for p in pools.values()),
        "total_low": sum(p["launchers_low"] for p in pools.values()),
        "pools": pools,
        "no_launcher_count": unknown,
    }


def raid_launch_check(catalog: Catalog, salvos: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the catalog's launchers can fire a raid's salvos within its launch window.

    ``salvos`` as in a scenario's ``raid.salvos`` (``count``, ``missile``, ``launch_spread_s``).
    ``feasible`` is True or False when every missile type has a launcher count and the window is at
    most :data:`ONE_SALVO_WINDOW`, else None (not checked), with the reason.
    """
    window = max((float(s.get("launch_spread_s", 0.0)) for s in salvos), default=0.0)
    demand: dict[str, int] = {}
    unknown = []
    for s in salvos:
        pool = launcher_pool(catalog, s["missile"])
        if pool is None:
            if s["count"] > 0:
                unknown.append(s["missile"])
            continue
        demand[pool] = demand.get(pool, 0) + int(s["count"])
    rows = []
    for pool, n in demand.items():
        have = int(catalog.missiles[pool].launchers.high)
        rows.append(
            {
                "pool": pool,
                "missiles": list(
                    dict.fromkeys(s["missile"] for s in salvos if launcher_pool(catalog, s["missile"]) == pool)
                ),
                "fired": n,
                "launchers": have,
                "within_capacity": n <= have,
            }
        )
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
            for r in rows
            if not r["within_capacity"]
        ]
        why = (
            "every missile has a launcher within the window"
            if feasible
            else "more missiles than launchers within the window: " + "; ".join(short)
        )
    return {"launch_window_s": window, "pools": rows, "feasible": feasible, "reason": why}


__all__ = ["ONE_SALVO_WINDOW", "launcher_pool", "raid_launch_check", "simultaneous_capacity"]
