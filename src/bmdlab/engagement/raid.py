"""Monte Carlo of a saturation raid against an architecture (vectorised over trials, seeded).

The raid is the analyst's input (salvos, aim points, timing); bmdlab never optimises it. The
defence side:

1. Each threat missile is flown to its aim point; each unit's *sequential shot opportunities* on it
   come from the coverage timeline (:func:`bmdlab.defense.engage.shot_opportunities`).
2. Threats are engaged in the order the defence can first shoot at them. For each threat, units
   fire in tier order (upper tier first, then lower tier; within a tier the earliest opportunity
   first), one opportunity at a time: ``shoot-look-shoot`` fires one interceptor per opportunity
   and looks before the next; ``salvo-2`` fires two per opportunity. Magazines deplete across the
   raid; a unit with an empty magazine cannot fire.
3. Each interceptor kills with probability ``reliability x SSPK``; a missile arrives with
   probability ``missile_reliability``; decoys that the defence fails to discriminate draw fire
   exactly like a warhead (they are engaged first, as the defence cannot tell them apart).

All trials advance together: the loops run over threats and opportunities, each step a NumPy
operation over the trials. Every result records the seed.

References
----------
.. [1] D. A. Wilkening, Science & Global Security 8 (2000) 183-215 (the closed forms the tests
       compare this simulation with; see :mod:`bmdlab.engagement.analytic`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.catalog import Catalog
from bmdlab.defense.engage import Defender, Sensor, sample, shot_opportunities
from bmdlab.errors import BmdlabError
from bmdlab.trajectory import max_range, missile_trajectory
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle

DOCTRINES = ("shoot-look-shoot", "salvo-2")


@dataclass(frozen=True)
class Threat:
    """One missile of the raid: what, from where, at which asset, when."""

    missile: str
    launch_area: str
    asset: int  #: index into the asset list
    launch_time: float  #: [s] after the first launch


@dataclass(frozen=True)
class Asset:
    name: str
    lat: float  #: [deg]
    lon: float  #: [deg]
    value: float


@dataclass(frozen=True)
class RaidPlan:
    """Threats, assets and each unit's opportunities on each threat (the deterministic part)."""

    threats: tuple[Threat, ...]
    assets: tuple[Asset, ...]
    defenders: tuple[Defender, ...]
    opportunities: NDArray[np.int64]  #: (defenders, threats)
    first_time: NDArray[np.float64]  #: (defenders, threats) earliest intercept [s], inf if none
    launch_open: NDArray[np.float64] | None = None  #: (defenders, threats) earliest launch [s]
    launch_close: NDArray[np.float64] | None = None  #: (defenders, threats) latest launch that intercepts [s]


def expand_salvos(salvos: list[dict[str, Any]], assets: list[Asset], catalog: Catalog) -> list[Threat]:
    """Turn salvos into missiles: aim points round-robin over the salvo's assets within range.

    A salvo is ``{count, missile, launch_area, aim (asset names, optional), launch_spread_s}``;
    without ``aim`` the missiles go round-robin over every asset in range, most valuable first.
    Launch times are spread evenly over ``launch_spread_s``.
    """
    by_name = {a.name: i for i, a in enumerate(assets)}
    threats: list[Threat] = []
    for k, s in enumerate(salvos):
        mis = catalog.missile(s["missile"])
        place = catalog.place(s["launch_area"])
        names = s.get("aim") or [a.name for a in sorted(assets, key=lambda a: -a.value)]
        for n in names:
            if n not in by_name:
                raise BmdlabError(f"raid.salvos.{k}.aim: unknown asset '{n}'; use names from raid.assets")
        idx = np.array([by_name[n] for n in names])
        dist = EARTH_RADIUS * central_angle(np.radians(place.lat.nominal), np.radians(place.lon.nominal),
                                            np.radians([assets[i].lat for i in idx]), np.radians([assets[i].lon for i in idx]))
        idx = idx[dist <= max_range(mis)]
        if s["count"] > 0 and idx.size == 0:
            raise BmdlabError(f"raid.salvos.{k}: no aim point within the {mis.name}'s range from {place.name}; choose nearer assets or another missile")
        spread = float(s.get("launch_spread_s", 0.0))
        for m in range(s["count"]):
            threats.append(Threat(s["missile"], s["launch_area"], int(idx[m % idx.size]), spread * m / max(1, s["count"])))
    return threats


def plan_raid(catalog: Catalog, threats: list[Threat], assets: list[Asset], defenders: list[Defender],
              sensors: list[Sensor], *, track_delay: float | None, kill_assessment: float, cue_latency: float,
              min_elevation: float, cueing: bool, max_shots: int) -> RaidPlan:
    """Each unit's sequential shot opportunities and first intercept time on each threat."""
    n = len(threats)
    opp = np.zeros((len(defenders), n), dtype=np.int64)
    first = np.full((len(defenders), n), np.inf)
    l_open = np.full((len(defenders), n), np.inf)
    l_close = np.full((len(defenders), n), -np.inf)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, t in enumerate(threats):
        groups.setdefault((t.missile, t.launch_area), []).append(i)
    for (mkey, akey), idx in groups.items():
        place = catalog.place(akey)
        aims = [assets[threats[i].asset] for i in idx]
        traj = missile_trajectory(catalog.missile(mkey), np.radians(place.lat.nominal), np.radians(place.lon.nominal),
                                  np.radians([a.lat for a in aims]), np.radians([a.lon for a in aims]), strict=False)
        s = sample(traj)
        shots, t_first, t_open, t_close = shot_opportunities(s, defenders, cue_sensors=sensors, track_delay=track_delay,
                                            kill_assessment=kill_assessment, cue_latency=cue_latency,
                                            min_elevation=min_elevation, cueing=cueing, max_shots=max_shots,
                                            return_first=True, missile=catalog.missile(mkey),
                                            launch=(np.radians(place.lat.nominal), np.radians(place.lon.nominal)))
        ok = np.isfinite(traj.flight_time)
        launch = np.array([threats[i].launch_time for i in idx])
        opp[:, idx] = np.where(ok, shots, 0)
        engaged = ok & (shots > 0)
        first[:, idx] = np.where(engaged, t_first + launch, np.inf)
        l_open[:, idx] = np.where(engaged, t_open + launch, np.inf)
        l_close[:, idx] = np.where(engaged, t_close + launch, -np.inf)
    return RaidPlan(tuple(threats), tuple(assets), tuple(defenders), opp, first, l_open, l_close)


@dataclass(frozen=True)
class RaidResult:
    """Distribution of a raid's outcome over the Monte Carlo trials."""

    trials: int
    seed: int
    doctrine: str
    leakers: NDArray[np.int64]  #: (trials,)
    leakers_per_asset: NDArray[np.float64]  #: (assets,) expected
    surviving_value_fraction: NDArray[np.float64]  #: (trials,)
    expended: NDArray[np.int64]  #: (trials, defenders)
    exhausted: NDArray[np.bool_]  #: (trials, defenders) magazine empty at the end
    extra: dict = field(default_factory=dict)

    def summary(self, plan: RaidPlan, interceptor_cost: dict[str, float]) -> dict[str, Any]:
        lk = self.leakers
        t = self.trials
        mean = float(lk.mean())
        half = 1.96 * float(lk.std(ddof=1)) / np.sqrt(t) if t > 1 else float("nan")
        p0 = float(np.mean(lk == 0))
        p0_half = 1.96 * np.sqrt(max(p0 * (1 - p0), 1e-300) / t)
        by_type: dict[str, float] = {}
        for d_i, d in enumerate(plan.defenders):
            by_type[d.interceptor] = by_type.get(d.interceptor, 0.0) + float(self.expended[:, d_i].mean())
        cost = sum(by_type[k] * interceptor_cost.get(k, float("nan")) for k in by_type)
        exhausted_units = [plan.defenders[i].name for i in np.flatnonzero(self.exhausted.mean(axis=0) > 0.5)]
        return {
            "missiles": len(plan.threats),
            "trials": t,
            "seed": self.seed,
            "doctrine": self.doctrine,
            "expected_leakers": round(mean, 4),
            "expected_leakers_ci95": [round(mean - half, 4), round(mean + half, 4)],
            "leakers_p05": int(np.percentile(lk, 5)),
            "leakers_median": int(np.median(lk)),
            "leakers_p95": int(np.percentile(lk, 95)),
            "p_zero_leakers": round(p0, 5),
            "p_zero_leakers_ci95": [round(max(0.0, p0 - p0_half), 5), round(min(1.0, p0 + p0_half), 5)],
            "expected_surviving_value_fraction": round(float(self.surviving_value_fraction.mean()), 5),
            "interceptors_expended": {k: round(v, 3) for k, v in by_type.items()},
            "interceptors_expended_total": round(float(self.expended.sum(axis=1).mean()), 3),
            "interceptor_cost_expended": round(cost, 0),
            "interceptor_cost_currency": "USD",
            "units_exhausted": exhausted_units,
            "threats_never_engaged": int(np.sum(plan.opportunities.sum(axis=0) == 0)),
            "leakers_per_asset": {a.name: round(float(x), 4) for a, x in zip(plan.assets, self.leakers_per_asset) if x > 0},
        }


def simulate_raid(plan: RaidPlan, *, sspk: NDArray[np.float64], reliability: NDArray[np.float64], trials: int, seed: int,
                  doctrine: str = "shoot-look-shoot", missile_reliability: float = 1.0, decoys: int = 0,
                  discrimination: float = 1.0, inventory: NDArray[np.int64] | None = None,
                  fire_rate_limits: bool = True) -> RaidResult:
    """Run the raid ``trials`` times.

    Parameters
    ----------
    plan : RaidPlan
        Threats, assets and opportunities.
    sspk, reliability : ndarray, shape (defenders,)
        Single-shot kill probability and reliability of each unit's interceptor. [1]
    trials, seed : int
        Monte Carlo trials and the seed of :func:`numpy.random.default_rng`.
    doctrine : {'shoot-look-shoot', 'salvo-2'}
    missile_reliability : float
        Probability that a missile works and arrives. [1]
    decoys, discrimination : int, float
        Decoys per missile and the probability that each is recognised as a decoy.
    inventory : ndarray, optional
        Interceptors per unit at the start (default: each unit's magazine).
    fire_rate_limits : bool
        Apply each unit's launch interval: a unit busy until after the last launch time that still
        intercepts a threat loses that shot (needs the plan's launch windows).
    """
    if doctrine not in DOCTRINES:
        raise BmdlabError(f"--doctrine: unknown doctrine '{doctrine}'; use one of {', '.join(DOCTRINES)}")
    if trials < 1:
        raise BmdlabError(f"--trials: {trials} must be at least 1")
    rng = np.random.default_rng(seed)
    n_def = len(plan.defenders)
    mag = np.tile(np.array([d.inventory for d in plan.defenders] if inventory is None else inventory, dtype=np.int64), (trials, 1))
    start = mag.copy()
    pk_shot = np.asarray(sspk, float) * np.asarray(reliability, float)
    per_opp = 1 if doctrine == "shoot-look-shoot" else 2
    tier_rank = np.array([0 if d.tier == "upper" else 1 for d in plan.defenders])
    first_any = plan.first_time.min(axis=0) if n_def else np.full(len(plan.threats), np.inf)
    order = np.argsort(first_any, kind="stable")
    leak = np.zeros((trials, len(plan.threats)), dtype=bool)
    interval = np.array([d.launch_interval for d in plan.defenders], float)
    limit = fire_rate_limits and plan.launch_open is not None and bool(np.any(interval > 0))
    next_free = np.full((trials, n_def), -np.inf)

    def engage(alive: NDArray[np.bool_], j: int) -> NDArray[np.bool_]:
        shooters = np.flatnonzero(plan.opportunities[:, j] > 0)
        shooters = shooters[np.lexsort((plan.first_time[shooters, j], tier_rank[shooters]))]
        for d in shooters:
            for _ in range(int(plan.opportunities[d, j])):
                n_fire = np.where(alive, np.minimum(per_opp, mag[:, d]), 0)
                if limit:
                    t_launch = np.maximum(next_free[:, d], plan.launch_open[d, j])
                    n_fire = np.where(t_launch <= plan.launch_close[d, j], n_fire, 0)
                    next_free[:, d] = np.where(n_fire > 0, t_launch + n_fire * interval[d], next_free[:, d])
                if not n_fire.any():
                    break
                mag[:, d] -= n_fire
                killed = rng.random(trials) < 1.0 - (1.0 - pk_shot[d]) ** n_fire
                alive = alive & ~killed
        return alive

    for j in order:
        if decoys:
            fooled = rng.binomial(decoys, 1.0 - discrimination, size=trials)
            for k in range(decoys):
                engage(fooled > k, j)  # a decoy draws fire like a warhead
        arrives = rng.random(trials) < missile_reliability
        leak[:, j] = engage(arrives, j)

    values = np.array([a.value for a in plan.assets], float)
    asset_of = np.array([t.asset for t in plan.threats], dtype=np.int64)
    hits = np.zeros((trials, len(plan.assets)), dtype=np.int64)
    for a in range(len(plan.assets)):
        hits[:, a] = leak[:, asset_of == a].sum(axis=1)
    surviving = ((hits == 0) * values).sum(axis=1) / values.sum() if values.sum() > 0 else np.ones(trials)
    return RaidResult(
        trials=trials, seed=seed, doctrine=doctrine, leakers=leak.sum(axis=1),
        leakers_per_asset=hits.mean(axis=0), surviving_value_fraction=surviving,
        expended=start - mag, exhausted=mag == 0,
    )
