"""Monte Carlo of a saturation raid against an architecture (vectorised over trials, seeded).

The raid is the analyst's input (salvos, aim points, timing); bmdlab never optimises it. The
defence side:

1. Each threat missile is flown to its aim point; each unit's *sequential shot opportunities* on it
   come from the coverage timeline (:func:`bmdlab.defense.engage.shot_opportunities`).
2. Threats are engaged in the order the defence can first shoot at them. For each threat, units
   fire in tier order (upper tier first, then lower tier; within a tier the earliest opportunity
   first), one opportunity at a time: ``shoot-look-shoot`` fires one interceptor per opportunity
   and looks before the next; ``salvo`` fires two per opportunity (``salvo-2``, its older name, is accepted). Magazines deplete across the
   raid; a unit with an empty magazine cannot fire.
3. Each interceptor kills with probability ``reliability x SSPK``; a missile arrives with
   probability ``missile_reliability``, and one that fails draws no fire (it fails in boost, before
   the defence commits, and releases no decoys); decoys of an arriving missile that the defence
   fails to discriminate draw fire exactly like a warhead (they are engaged first, as the defence
   cannot tell them apart). :func:`bmdlab.engagement.analytic.raid_odds` uses the same convention.

The trials of a block (:data:`TRIAL_BLOCK`) advance together: the loops run over threats and
opportunities, each step a NumPy operation over the block's trials. Every draw comes from a stream
keyed by the seed, the block and what it decides (a threat's arrival, a unit's shot at a threat, a
unit's availability), and blocks leave exact tallies, so memory does not grow with the trial count,
the result depends only on the seed and the trial count, and two architectures on one seed share
the draws of the threats and of the units they share (common random numbers). Every result
records the seed.

4. Engagement capacity (with ``capacity``, the default): a unit runs at most its fire channels'
   engagements at once and its C2 node decides on one engagement at a time; threats are served
   first come, first served in the order the defence can first engage them, as in queueing models
   of air-defence C2 (e.g. a queue at each C2 node). Availability: each unit is on station in a
   trial with its probability.

References
----------
.. [1] D. A. Wilkening, Science & Global Security 8 (2000) 183-215 (the closed forms the tests
       compare this simulation with; see :mod:`bmdlab.engagement.analytic`).
.. [2] J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy as
       1, 2, 3", SC'11 (2011) (Philox, the counter-based generator of the keyed streams).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab.catalog import Catalog
from bmdlab.defaults import DEFAULT_SEED  # noqa: E402,F401  (re-exported: the seed of every Monte Carlo)
from bmdlab.defense.engage import Defender, Sensor, sample, shot_opportunities
from bmdlab.errors import BmdlabError
from bmdlab.geo.sphere import EARTH_RADIUS, central_angle
from bmdlab.trajectory import max_range, missile_trajectory

DOCTRINES = ("shoot-look-shoot", "salvo")  # the names of bmdlab.engagement.analytic; "salvo-2" accepted
MAX_TRIALS = 10_000_000  #: most Monte Carlo trials one raid may run
RAID_DOCTRINES = ("shoot-look-shoot", "salvo", "preferential")  #: a scenario raid's doctrines


def raid_doctrine(doctrine: str, parameter: str = "doctrine") -> str:
    """A scenario raid's doctrine: :data:`RAID_DOCTRINES` (``salvo-2`` accepted for ``salvo``)."""
    from bmdlab.engagement.analytic import DOCTRINE_ALIASES

    d = DOCTRINE_ALIASES.get(doctrine, doctrine)
    if d not in RAID_DOCTRINES:
        raise BmdlabError(f"{parameter}: unknown doctrine '{doctrine}'; use one of {', '.join(RAID_DOCTRINES)}")
    return d


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
    kill_assessment: float = 0.0  #: [s] from an intercept to the look that decides the next shot
    flight_time: NDArray[np.float64] | None = (
        None  #: (defenders, threats) interceptor flight time to the latest intercept [s]
    )


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
        dist = EARTH_RADIUS * central_angle(
            np.radians(place.lat.nominal),
            np.radians(place.lon.nominal),
            np.radians([assets[i].lat for i in idx]),
            np.radians([assets[i].lon for i in idx]),
        )
        idx = idx[dist <= max_range(mis)]
        if s["count"] > 0 and idx.size == 0:
            raise BmdlabError(
                f"raid.salvos.{k}: no aim point within the {mis.name}'s range from {place.name}; choose nearer assets or another missile"
            )
        spread = float(s.get("launch_spread_s", 0.0))
        for m in range(s["count"]):
            threats.append(
                Threat(s["missile"], s["launch_area"], int(idx[m % idx.size]), spread * m / max(1, s["count"]))
            )
    return threats


def plan_raid(
    catalog: Catalog,
    threats: list[Threat],
    assets: list[Asset],
    defenders: list[Defender],
    sensors: list[Sensor],
    *,
    track_delay: float | None,
    kill_assessment: float,
    cue_latency: float,
    min_elevation: float,
    cueing: bool,
    max_shots: int,
) -> RaidPlan:
    """Each unit's sequential shot opportunities and first intercept time on each threat."""
    n = len(threats)
    opp = np.zeros((len(defenders), n), dtype=np.int64)
    first = np.full((len(defenders), n), np.inf)
    l_open = np.full((len(defenders), n), np.inf)
    l_close = np.full((len(defenders), n), -np.inf)
    flight = np.full((len(defenders), n), np.nan)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, t in enumerate(threats):
        groups.setdefault((t.missile, t.launch_area), []).append(i)
    for (mkey, akey), idx in groups.items():
        place = catalog.place(akey)
        aims = [assets[threats[i].asset] for i in idx]
        traj = missile_trajectory(
            catalog.missile(mkey),
            np.radians(place.lat.nominal),
            np.radians(place.lon.nominal),
            np.radians([a.lat for a in aims]),
            np.radians([a.lon for a in aims]),
            strict=False,
        )
        s = sample(traj)
        shots, t_first, t_open, t_close, t_flight = shot_opportunities(
            s,
            defenders,
            cue_sensors=sensors,
            track_delay=track_delay,
            kill_assessment=kill_assessment,
            cue_latency=cue_latency,
            min_elevation=min_elevation,
            cueing=cueing,
            max_shots=max_shots,
            return_first=True,
            missile=catalog.missile(mkey),
            launch=(np.radians(place.lat.nominal), np.radians(place.lon.nominal)),
        )
        ok = np.isfinite(traj.flight_time)
        launch = np.array([threats[i].launch_time for i in idx])
        opp[:, idx] = np.where(ok, shots, 0)
        engaged = ok & (shots > 0)
        first[:, idx] = np.where(engaged, t_first + launch, np.inf)
        l_open[:, idx] = np.where(engaged, t_open + launch, np.inf)
        l_close[:, idx] = np.where(engaged, t_close + launch, -np.inf)
        flight[:, idx] = np.where(engaged, t_flight, np.nan)
    return RaidPlan(
        tuple(threats), tuple(assets), tuple(defenders), opp, first, l_open, l_close, float(kill_assessment), flight
    )


TRIAL_BLOCK = 8192
"""Trials per block. Each block draws from its own keyed random streams (:class:`_Streams`), so a result depends on the seed and the trial count only, never on memory, and memory stays flat as
trials grow."""

DEFAULT_MEMORY_BUDGET = 4 * 2**30
"""Default memory budget of a raid [bytes] (4 GiB; ``--memory-budget-gib`` changes it)."""


def _histogram_quantile(counts: NDArray[np.int64], q: float) -> float:
    """``numpy.percentile(x, q)`` (linear interpolation) of the data whose histogram is ``counts``."""
    n = int(counts.sum())
    cum = np.cumsum(counts)
    h = (n - 1) * q / 100.0
    lo, hi = np.searchsorted(cum, [np.floor(h), np.ceil(h)], side="right")
    return float(lo + (h - np.floor(h)) * (hi - lo))


def _histogram_moments(counts: NDArray[np.int64]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof 1) of the data whose histogram is ``counts``."""
    k = np.arange(counts.size, dtype=float)
    n = float(counts.sum())
    mean = float((counts * k).sum() / n)
    var = float((counts * (k - mean) ** 2).sum() / (n - 1)) if n > 1 else float("nan")
    return mean, float(np.sqrt(var))


@dataclass(frozen=True)
class RaidTally:
    """Distribution of a raid's outcome over the Monte Carlo trials.

    The trials are kept as exact tallies, not per-trial arrays, so a result takes the same memory
    for 10 trials as for 10 million: histograms of leakers and of interceptors expended per trial
    (every mean, standard deviation and percentile follows exactly), and sums per asset and per unit.
    """

    trials: int
    seed: int
    doctrine: str
    leaker_counts: NDArray[np.int64]  #: (threats + 1,) trials in which k missiles leaked
    leakers_per_asset: NDArray[np.float64]  #: (assets,) expected leakers at each asset
    surviving_value_mean: float  #: expected fraction of asset value that no leaker reaches
    expended_mean: NDArray[np.float64]  #: (defenders,) expected interceptors fired by each unit
    expended_counts: NDArray[np.int64]  #: (most fired + 1,) trials in which k interceptors were fired
    exhausted_fraction: NDArray[np.float64]  #: (defenders,) fraction of trials that end with the magazine empty
    extra: dict = field(default_factory=dict)

    @property
    def expected_leakers(self) -> float:
        return _histogram_moments(self.leaker_counts)[0]

    @property
    def leakers_std(self) -> float:
        """Standard deviation of leakers over trials (ddof 1)."""
        return _histogram_moments(self.leaker_counts)[1]

    @property
    def p_zero_leakers(self) -> float:
        return float(self.leaker_counts[0] / self.trials)

    def leakers_percentile(self, q: float) -> float:
        """The ``q``-th percentile of leakers over trials (as :func:`numpy.percentile`, linear)."""
        return _histogram_quantile(self.leaker_counts, q)

    @property
    def expended_total_mean(self) -> float:
        return _histogram_moments(self.expended_counts)[0]

    @property
    def expended_total_std(self) -> float:
        return _histogram_moments(self.expended_counts)[1]

    @property
    def expended_total_range(self) -> tuple[int, int]:
        """Fewest and most interceptors fired in any trial."""
        used = np.flatnonzero(self.expended_counts)
        return int(used[0]), int(used[-1])

    def summary(self, plan: RaidPlan, interceptor_cost: dict[str, float]) -> dict[str, Any]:
        t = self.trials
        mean, sd = _histogram_moments(self.leaker_counts)
        half = 1.96 * sd / np.sqrt(t) if t > 1 else float("nan")
        p0 = self.p_zero_leakers
        p0_half = 1.96 * np.sqrt(max(p0 * (1 - p0), 1e-300) / t)
        by_type: dict[str, float] = {}
        for d_i, d in enumerate(plan.defenders):
            by_type[d.interceptor] = by_type.get(d.interceptor, 0.0) + float(self.expended_mean[d_i])
        cost = sum(by_type[k] * interceptor_cost.get(k, float("nan")) for k in by_type)
        exhausted_units = [plan.defenders[i].name for i in np.flatnonzero(self.exhausted_fraction > 0.5)]
        return {
            "missiles": len(plan.threats),
            "trials": t,
            "seed": self.seed,
            "doctrine": self.doctrine,
            "expected_leakers": round(mean, 4),
            "expected_leakers_ci95": [round(mean - half, 4), round(mean + half, 4)],
            "leakers_p05": int(self.leakers_percentile(5)),
            "leakers_median": int(self.leakers_percentile(50)),
            "leakers_p95": int(self.leakers_percentile(95)),
            "p_zero_leakers": round(p0, 5),
            "p_zero_leakers_ci95": [round(max(0.0, p0 - p0_half), 5), round(min(1.0, p0 + p0_half), 5)],
            "expected_surviving_value_fraction": round(self.surviving_value_mean, 5),
            "interceptors_expended": {k: round(v, 3) for k, v in by_type.items()},
            "interceptors_expended_total": round(self.expended_total_mean, 3),
            "interceptor_cost_expended": round(cost, 0),
            "interceptor_cost_currency": "USD",
            "units_exhausted": exhausted_units,
            "threats_never_engaged": int(np.sum(plan.opportunities.sum(axis=0) == 0)),
            "leakers_per_asset": {
                a.name: round(float(x), 4) for a, x in zip(plan.assets, self.leakers_per_asset) if x > 0
            },
        }


def raid_memory_bytes(threats: int, assets: int, defenders: int, trials: int = TRIAL_BLOCK, channels: int = 0) -> int:
    """Peak memory of :func:`simulate_raid` beyond the plan [bytes], for one block of trials.

    Per trial of a block: a leak flag per threat and its copy sorted by asset (2 bytes per threat), a
    hit flag per asset, per unit the magazine and its start, the last launch, the C2 queue and the
    on-station flag (41 bytes), each fire channel's start and end (16 bytes), and about ten 8-byte
    vectors of temporaries; per unit and threat, the plan's five arrays (40 bytes).
    """
    per_trial = 2 * threats + assets + 41 * defenders + 16 * channels + 80
    return int(min(trials, TRIAL_BLOCK) * per_trial + 40 * defenders * threats + 8 * (threats + assets))


def _size(n: float) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


def check_memory(need: int, budget: int, what: str) -> None:
    """Refuse work that needs more than the memory budget, with both figures."""
    if need > budget:
        raise BmdlabError(
            f"{what} needs about {_size(need)}, above the memory budget of {_size(budget)}; "
            "use fewer missiles, units or assets, or raise the budget (--memory-budget-gib)"
        )


#: Random streams of a raid: each (stream, block, unit or type, threat, shot) has its own Philox
#: counter, so a draw depends on what it is for, never on the order of the simulation's loops.
_ARRIVE, _DECOYS, _KILL, _ON_STATION, _COMMON = 1, 2, 3, 4, 5


def stream_key(name: str) -> int:
    """A stable 32-bit key of a unit or an interceptor type for the raid's random streams (CRC-32)."""
    import zlib

    return zlib.crc32(name.encode())


def unit_keys(defenders: tuple[Defender, ...] | list[Defender]) -> NDArray[np.uint64]:
    """Each unit's random-stream key: its name and unit type, so two architectures that share a unit
    share its draws (common random numbers); a repeated name gets the next occurrence's key."""
    seen: dict[str, int] = {}
    keys = []
    for d in defenders:
        base = f"{d.name}\0{d.unit}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        keys.append(stream_key(base) + (n << 32))
    return np.array(keys, dtype=np.uint64)


class _Streams:
    """Keyed uniform draws for one block of trials (Philox, Salmon et al. 2011 [2]_).

    ``draw(stream, who, threat, shot)`` gives the block's ``m`` uniforms for that purpose. The same
    seed, block, wave and keys give the same numbers in any architecture: common random numbers for
    paired comparisons (Law, *Simulation Modeling and Analysis*, 5th ed., 2015, sec. 11.2).
    """

    def __init__(self, seed: int, block: int, m: int, wave: int = 0):
        self.base = np.random.SeedSequence(seed).generate_state(2, np.uint64)
        self.block = np.uint64(block) | (np.uint64(wave) << np.uint64(32))
        self.m = m

    def generator(self, stream: int, who: int, threat: int = 0, shot: int = 0) -> np.random.Generator:
        key = self.base ^ np.array([who, self.block], dtype=np.uint64)
        counter = np.array([0, threat, shot, stream], dtype=np.uint64)
        return np.random.Generator(np.random.Philox(key=key, counter=counter))

    def draw(self, stream: int, who: int, threat: int = 0, shot: int = 0) -> NDArray[np.float64]:
        return self.generator(stream, who, threat, shot).random(self.m)


def simulate_raid(
    plan: RaidPlan,
    *,
    sspk: NDArray[np.float64],
    reliability: NDArray[np.float64],
    trials: int,
    seed: int,
    doctrine: str = "shoot-look-shoot",
    missile_reliability: float = 1.0,
    decoys: int = 0,
    discrimination: float = 1.0,
    inventory: NDArray[np.int64] | None = None,
    fire_rate_limits: bool = True,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    progress: Callable[[int, int], None] | None = None,
    keep_trials: bool = False,
    common_mode: NDArray[np.float64] | None = None,
    capacity: bool = True,
    availability: NDArray[np.float64] | None = None,
    on_station: NDArray[np.bool_] | None = None,
    allocation: NDArray[np.int64] | None = None,
    wave: int = 0,
    keep_magazines: bool = False,
) -> RaidTally:
    r"""Run the raid ``trials`` times, in blocks of :data:`TRIAL_BLOCK` trials.

    Parameters
    ----------
    plan : RaidPlan
        Threats, assets and opportunities.
    sspk, reliability : ndarray, shape (defenders,)
        Single-shot kill probability and reliability of each unit's interceptor. [1]
    trials, seed : int
        Monte Carlo trials and the seed.
    doctrine : {'shoot-look-shoot', 'salvo'}
    missile_reliability : float
        Probability that a missile works and arrives. [1]
    decoys, discrimination : int, float
        Decoys per missile and the probability that each is recognised as a decoy.
    inventory : ndarray, optional
        Interceptors per unit at the start, shape (defenders,) or (trials, defenders) (default: each
        unit's magazine).
    fire_rate_limits : bool
        Apply each unit's timing: its launch interval (a unit busy until after the last launch time
        that still intercepts a threat loses that shot), and with ``capacity`` its fire channels and
        C2 decision queue (needs the plan's launch windows).
    memory_budget : int
        Bytes the simulation may use; a raid that needs more (:func:`raid_memory_bytes`) is refused
        before it starts.
    progress : callable, optional
        Called as ``progress(trials_done, trials)`` after each block.
    keep_trials : bool
        Also keep the leakers and the surviving value fraction of every trial
        (``extra['leakers_per_trial']``, int32, and ``extra['surviving_value_per_trial']``, float32;
        8 bytes a trial), for paired comparisons.
    common_mode : ndarray, shape (defenders,), optional
        Correlation :math:`\rho` of the kill outcomes of shots by one interceptor type (0: independent
        shots, the default). In each trial the type's per-shot kill probability is drawn once from
        :func:`common_mode_beta` (mean ``reliability x sspk``), shared by every unit firing that type:
        a flaw common to all rounds of a type (Skellam 1948's beta-binomial). Units with the same
        interceptor must have the same value.
    capacity : bool
        Honour each unit's fire channels (``Defender.fire_channels`` engagements at once; a channel
        is held from an engagement's first launch to its last intercept plus the kill assessment) and
        its C2 decision time (one decision at a time per unit, ``Defender.c2_time`` each, first come
        first served in the order threats become engageable). Threats are served in the order the
        defence can first engage them.
    availability : ndarray, shape (defenders,), optional
        Probability that each unit is on station in a trial (default ``Defender.availability``);
        drawn per trial and unit.
    on_station : ndarray of bool, shape (trials, defenders), optional
        Which units are on station in each trial (overrides ``availability``; campaigns use it).
    allocation : ndarray of int, shape (defenders, threats), optional
        Most interceptors each unit may fire at each threat (a preferential-defence allocation,
        :mod:`bmdlab.engagement.preferential`); without it, as many as its opportunities allow.
    wave : int
        Index of the wave in a campaign: a different wave draws from different streams.
    keep_magazines : bool
        Keep each trial's magazines at the end (``extra['magazines_end']``, (trials, defenders)).

    Notes
    -----
    Draws are keyed by purpose (:class:`_Streams`): a threat's arrival and decoys by the threat, a
    unit's kill draws by the unit, threat and shot, availability by the unit, a common-mode factor
    by the interceptor type. Two architectures run on the same seed therefore share the threats'
    fates and the draws of the units they share: common random numbers, which make a paired
    difference far more precise than independent runs.
    """
    from scipy.stats import binom

    from bmdlab.engagement.analytic import common_mode_beta, doctrine_name

    doctrine = doctrine_name(doctrine)
    if not 1 <= trials <= MAX_TRIALS:
        raise BmdlabError(f"trials: {trials} must be between 1 and {MAX_TRIALS:,}")
    n_def, n_threat, n_asset = len(plan.defenders), len(plan.threats), len(plan.assets)
    check_memory(
        raid_memory_bytes(
            n_threat, n_asset, n_def, trials, sum(d.fire_channels for d in plan.defenders) if capacity else 0
        ),
        memory_budget,
        f"a raid of {n_threat:,} missiles on {n_asset:,} assets against {n_def:,} units",
    )
    start = np.array([d.inventory for d in plan.defenders] if inventory is None else inventory, dtype=np.int64)
    if start.shape not in ((n_def,), (trials, n_def)) or np.any(start < 0):
        raise BmdlabError("inventory: give interceptors >= 0 per unit, shape (units,) or (trials, units)")
    pk_shot = np.asarray(sspk, float) * np.asarray(reliability, float)
    per_opp = 1 if doctrine == "shoot-look-shoot" else 2
    tier_rank = np.array([0 if d.tier == "upper" else 1 for d in plan.defenders])
    first_any = plan.first_time.min(axis=0) if n_def else np.full(n_threat, np.inf)
    order = np.argsort(first_any, kind="stable")
    interval = np.array([d.launch_interval for d in plan.defenders], float)
    timed = fire_rate_limits and plan.launch_open is not None
    channels = np.array([d.fire_channels if capacity else 0 for d in plan.defenders], dtype=np.int64)
    c2 = np.array([d.c2_time if capacity else 0.0 for d in plan.defenders], float)
    timed = timed and bool(np.any(interval > 0) or np.any(channels > 0) or np.any(c2 > 0))
    if timed:  # the interceptor's flight to intercept; launched just in time for the earliest intercept
        flight = (
            np.zeros(plan.first_time.shape) if plan.flight_time is None else np.nan_to_num(plan.flight_time, nan=0.0)
        )
        flight = np.maximum(flight, 0.0)
        with np.errstate(invalid="ignore"):
            just_in_time = np.where(np.isfinite(plan.first_time), plan.first_time - flight, -np.inf)
        cycle = flight + plan.kill_assessment  # launch to the look that decides the next shot
        earliest = np.maximum(plan.launch_open, just_in_time)  # (defenders, threats) first launch of an engagement
        order = np.argsort(earliest.min(axis=0) if n_def else np.zeros(n_threat), kind="stable")
    avail = np.array([d.availability for d in plan.defenders] if availability is None else availability, float)
    if avail.shape != (n_def,) or np.any((avail < 0.0) | (avail > 1.0)) or not np.all(np.isfinite(avail)):
        raise BmdlabError("availability: one probability per unit, each in [0, 1]")
    if on_station is not None:
        on_station = np.asarray(on_station, bool)
        if on_station.shape != (trials, n_def):
            raise BmdlabError(f"on_station: shape must be (trials, units) = ({trials}, {n_def})")
    if allocation is not None:
        allocation = np.asarray(allocation)
        if allocation.shape != (n_def, n_threat) or np.any(allocation < 0):
            raise BmdlabError(f"allocation: interceptors >= 0 per unit and threat, shape ({n_def}, {n_threat})")
    shooters_of = []
    for j in range(n_threat):
        s = np.flatnonzero(plan.opportunities[:, j] > 0)
        shooters_of.append(s[np.lexsort((plan.first_time[s, j], tier_rank[s]))])
    values = np.array([a.value for a in plan.assets], float)
    values = values / values.max() if values.size and values.max() > 0 else values  # weights; no overflow
    total_value = float(values.sum())
    asset_of = np.array([t.asset for t in plan.threats], dtype=np.int64)
    by_asset = np.argsort(asset_of, kind="stable")
    hit_assets, first_of_asset = np.unique(asset_of[by_asset], return_index=True)
    keys = unit_keys(plan.defenders)

    leaker_counts = np.zeros(n_threat + 1, dtype=np.int64)
    expended_counts = np.zeros(1, dtype=np.int64)  # grows to the most interceptors fired in a trial
    leak_sum = np.zeros(n_threat)
    surviving_sum = 0.0
    expended_sum = np.zeros(n_def)
    exhausted_sum = np.zeros(n_def)
    on_station_sum = np.zeros(n_def)
    done = 0
    per_trial = np.empty(trials, dtype=np.int32) if keep_trials else None
    value_per_trial = np.empty(trials, dtype=np.float32) if keep_trials else None
    mags_end = np.empty((trials, n_def), dtype=np.int32) if keep_magazines else None
    rho = np.zeros(n_def) if common_mode is None else np.asarray(common_mode, float)
    if rho.shape != (n_def,) or np.any((rho < 0.0) | (rho >= 1.0)) or not np.all(np.isfinite(rho)):
        raise BmdlabError("common_mode: one correlation per unit, each in [0, 1)")
    shared = {}  # interceptor type -> (units, mean per-shot kill probability, correlation)
    for d, dfn in enumerate(plan.defenders):
        if rho[d] > 0.0:
            units, mean, r = shared.setdefault(dfn.interceptor, ([], pk_shot[d], rho[d]))
            if r != rho[d] or mean != pk_shot[d]:
                raise BmdlabError(
                    f"common_mode: units firing {dfn.interceptor} need one kill probability and one correlation"
                )
            units.append(d)
    for b in range(-(-trials // TRIAL_BLOCK)):
        m = min(TRIAL_BLOCK, trials - done)
        rng = _Streams(seed, b, m, wave)
        rows = np.arange(m)
        mag = (np.tile(start, (m, 1)) if start.ndim == 1 else start[done : done + m]).copy()
        mag_start = mag.copy()
        if on_station is not None:
            here = on_station[done : done + m]
        else:
            here = np.ones((m, n_def), dtype=bool)
            for d in np.flatnonzero(avail < 1.0):
                here[:, d] = rng.draw(_ON_STATION, int(keys[d])) < avail[d]
        on_station_sum += here.sum(axis=0)
        last_launch = np.full((m, n_def), -np.inf)
        c2_free = np.full((m, n_def), -np.inf)
        limited = np.flatnonzero(channels > 0) if timed else []
        chan_start = {d: np.full((m, int(channels[d])), np.inf) for d in limited}
        chan_end = {d: np.full((m, int(channels[d])), -np.inf) for d in limited}
        leak = np.zeros((m, n_threat), dtype=bool)
        pk_trial = None
        if shared:  # this block's per-trial kill probability of each correlated interceptor type
            pk_trial = np.tile(pk_shot, (m, 1))
            for itype, (units, mean, r) in shared.items():
                a, bb = common_mode_beta(mean, r)
                g = rng.generator(_COMMON, stream_key(itype))
                pk_trial[:, units] = (g.beta(a, bb, size=m) if 0.0 < mean < 1.0 else np.full(m, mean))[:, None]

        def engage(alive: NDArray[np.bool_], j: int, obj: int) -> NDArray[np.bool_]:
            for d in shooters_of[j]:
                ready = alive & here[:, d] & (mag[:, d] > 0)
                cap = None if allocation is None else np.full(m, allocation[d, j], dtype=np.int64)
                if cap is not None:
                    ready &= cap > 0
                if not ready.any():
                    continue
                if timed:
                    begin = np.full(m, earliest[d, j])
                    if c2[d] > 0:  # one decision at a time at the unit's C2 node, c2 seconds each
                        decided = np.maximum(plan.launch_open[d, j], c2_free[:, d] + c2[d])
                        begin = np.maximum(begin, decided)
                    if interval[d] > 0:  # the launch interval paces the engagements a unit opens
                        close = np.abs(begin - last_launch[:, d]) < interval[d]
                        begin = np.where(close, last_launch[:, d] + interval[d], begin)
                    if channels[d] > 0:  # a channel whose engagements do not overlap [begin, begin + cycle]
                        c_start, c_end = chan_start[d], chan_end[d]
                        fits = (begin[:, None] >= c_end) | (begin[:, None] + cycle[d, j] <= c_start)
                        any_fit = fits.any(axis=1)
                        c_idx = np.where(any_fit, fits.argmax(axis=1), c_end.argmin(axis=1))
                        begin = np.where(any_fit, begin, np.maximum(begin, c_end[rows, c_idx]))
                    t_launch = begin
                    first_launch = np.full(m, np.nan)
                    last = np.full(m, np.nan)
                engaged = np.zeros(m, dtype=bool)
                for k in range(int(plan.opportunities[d, j])):
                    n_fire = np.where(alive & here[:, d], np.minimum(per_opp, mag[:, d]), 0)
                    if cap is not None:
                        n_fire = np.minimum(n_fire, cap)
                    if timed:
                        n_fire = np.where(t_launch <= plan.launch_close[d, j], n_fire, 0)
                        if k == 0:
                            first_launch = np.where(n_fire > 0, t_launch, first_launch)
                        last = np.where(n_fire > 0, t_launch + (n_fire - 1) * interval[d], last)
                        t_launch = last + cycle[d, j]  # the next shot comes after this one's look
                    if not n_fire.any():
                        break
                    engaged |= n_fire > 0
                    mag[:, d] -= n_fire
                    if cap is not None:
                        cap -= n_fire
                    p = pk_shot[d] if pk_trial is None else pk_trial[:, d]
                    killed = rng.draw(_KILL, int(keys[d]), j, k + (obj << 16)) < 1.0 - (1.0 - p) ** n_fire
                    alive = alive & ~killed
                if timed and engaged.any():
                    if c2[d] > 0:
                        c2_free[:, d] = np.where(engaged, decided, c2_free[:, d])
                    if interval[d] > 0:
                        last_launch[:, d] = np.where(engaged, last, last_launch[:, d])
                    if channels[d] > 0:  # held from the first launch to the last intercept and its look;
                        # a channel keeps the hull of its engagements (no double booking, gaps inside it unused)
                        c_start[rows, c_idx] = np.where(
                            engaged, np.minimum(first_launch, c_start[rows, c_idx]), c_start[rows, c_idx]
                        )
                        c_end[rows, c_idx] = np.where(
                            engaged, np.maximum(last + cycle[d, j], c_end[rows, c_idx]), c_end[rows, c_idx]
                        )
            return alive

        for j in order:
            arrives = (
                rng.draw(_ARRIVE, 0, j) < missile_reliability
            )  # a missile that fails draws no fire, nor do its decoys
            if decoys:
                # decoys not recognised: binomial(decoys, 1 - discrimination), by inversion of the threat's draw
                fooled = binom.ppf(rng.draw(_DECOYS, 0, j), decoys, 1.0 - discrimination).astype(np.int64)
                for k in range(decoys):
                    engage(arrives & (fooled > k), j, k + 1)  # a decoy draws fire like a warhead
            leak[:, j] = engage(arrives, j, 0)

        n_leak = leak.sum(axis=1)
        leaker_counts += np.bincount(n_leak, minlength=n_threat + 1)
        if per_trial is not None:
            per_trial[done : done + m] = n_leak
        if mags_end is not None:
            mags_end[done : done + m] = mag
        leak_sum += leak.sum(axis=0)
        if total_value > 0 and n_threat:
            hit = np.logical_or.reduceat(leak[:, by_asset], first_of_asset, axis=1)  # (m, assets with threats)
            surviving = 1.0 - (hit @ values[hit_assets]) / total_value
        else:
            surviving = np.ones(m)
        surviving_sum += float(surviving.sum())
        if value_per_trial is not None:
            value_per_trial[done : done + m] = surviving
        used = mag_start - mag
        h = np.bincount(used.sum(axis=1))
        if h.size > expended_counts.size:
            expended_counts = np.pad(expended_counts, (0, h.size - expended_counts.size))
        expended_counts[: h.size] += h
        expended_sum += used.sum(axis=0)
        exhausted_sum += ((mag == 0) & here).sum(axis=0)
        done += m
        if progress is not None:
            progress(done, trials)

    extra: dict[str, Any] = {"on_station_fraction": on_station_sum / trials}
    if per_trial is not None:
        extra["leakers_per_trial"] = per_trial
        extra["surviving_value_per_trial"] = value_per_trial
    if mags_end is not None:
        extra["magazines_end"] = mags_end
    return RaidTally(
        trials=trials,
        seed=seed,
        doctrine=doctrine,
        leaker_counts=leaker_counts,
        leakers_per_asset=np.bincount(asset_of, weights=leak_sum, minlength=n_asset) / trials,
        surviving_value_mean=surviving_sum / trials,
        expended_mean=expended_sum / trials,
        expended_counts=expended_counts,
        exhausted_fraction=exhausted_sum / trials,
        extra=extra,
    )
