"""Monte Carlo of a saturation raid against an architecture (vectorised over trials, seeded).

The raid is the analyst's input (salvos, aim points, timing); bmdlab never optimises it. The
defence side:

1. Each threat missile is flown to its aim point; each unit's *sequential shot opportunities* on it
   come from the engagement engine (:func:`bmdlab.defense.shots.engage`), as in the coverage.
2. Threats are engaged in the order the defence can first shoot at them. For each threat, units
   fire in tier order (upper tier first, then lower tier; within a tier the earliest opportunity
   first), one opportunity at a time: ``shoot-look-shoot`` fires one interceptor per opportunity
   and looks before the next; ``salvo`` fires two per opportunity (``salvo-2``, its older name, is accepted). Magazines deplete across the
   raid; a unit with an empty magazine cannot fire.
3. Each interceptor kills with probability ``reliability x SSPK``; a missile arrives with
   probability ``missile_reliability`` (per threat: by default its type's catalog reliability, from
   its flight record; :func:`bmdlab.assembly.setup.missile_reliability`), and one that fails draws no fire (it fails in boost, before
   the defence commits, and releases no decoys); decoys of an arriving missile that the defence
   fails to discriminate draw fire exactly like a warhead (they are engaged first, as the defence
   cannot tell them apart). :func:`bmdlab.engagement.analytic.raid_odds` uses the same convention.

The trials of a block (:data:`TRIAL_BLOCK`) advance together: the loops run over threats and
opportunities, each step a NumPy operation over the block's trials. Every draw comes from a stream
keyed by the seed, the block and what it decides (:mod:`bmdlab.engagement.streams`), and blocks
leave exact tallies (:mod:`bmdlab.engagement.tally`), so memory does not grow with the trial count,
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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from bmdlab import bounds
from bmdlab.assembly.setup import Asset, Setup, UnitValues
from bmdlab.catalog import Catalog
from bmdlab.defense.engage import Defender
from bmdlab.defense.posture import Posture
from bmdlab.defense.shots import MissileLaunch, engage, fly, network
from bmdlab.engagement.analytic import RaidConditions, common_mode_beta, doctrine_name
from bmdlab.engagement.streams import (
    ARRIVE,
    COMMON,
    DECOYS,
    KILL,
    TRIAL_BLOCK,
    Streams,
    on_station_draws,
    stream_key,
    unit_keys,
)
from bmdlab.engagement.tally import RaidTally
from bmdlab.errors import BmdlabError
from bmdlab.lazy import lazy_module
from bmdlab.scenario import salvo_aims

if TYPE_CHECKING:
    from scipy import stats
else:
    stats = lazy_module("scipy.stats")  # imported by the first raid with decoys

#: Default memory budget of a raid [bytes] (4 GiB; ``memory_budget_gib`` changes it).
DEFAULT_MEMORY_BUDGET = 4 * 2**30


def raid_doctrine(doctrine: str, parameter: str = "doctrine") -> str:
    """A scenario raid's doctrine: :data:`bmdlab.bounds.RAID_DOCTRINES` (``salvo-2`` accepted for ``salvo``)."""
    d = bounds.DOCTRINE_ALIASES.get(doctrine, doctrine)
    if d not in bounds.RAID_DOCTRINES:
        raise BmdlabError(f"{parameter}: unknown doctrine '{doctrine}'; use one of {', '.join(bounds.RAID_DOCTRINES)}")
    return d


@dataclass(frozen=True)
class RaidMissile:
    """One missile of the raid: what, from where, at which asset, when."""

    missile: str
    launch_area: str
    asset: int  #: index into the asset list
    launch_time: float  #: [s] after the first launch


@dataclass(frozen=True)
class RaidPlan:
    """Threats, assets and each unit's opportunities on each threat (the deterministic part)."""

    threats: tuple[RaidMissile, ...]
    assets: tuple[Asset, ...]
    defenders: tuple[Defender, ...]
    opportunities: NDArray[np.int64]  #: (defenders, threats)
    first_time: NDArray[np.float64]  #: (defenders, threats) earliest intercept [s], inf if none
    launch_open: NDArray[np.float64] | None = None  #: (defenders, threats) earliest launch [s]
    launch_close: NDArray[np.float64] | None = None  #: (defenders, threats) latest launch that intercepts [s]
    kill_assessment: float = 0.0  #: [s] from an intercept to the look that decides the next shot
    flight_time: NDArray[np.float64] | None = None  #: (defenders, threats) flight to the latest intercept [s]


def threat_reliabilities(plan: RaidPlan, by_missile: dict[str, float]) -> tuple[float, ...] | None:
    """Each threat's probability of working, in the plan's order, from ``missile key -> reliability``
    (:attr:`bmdlab.assembly.setup.RaidSetup.reliability_by_missile`); None when the map is empty."""
    if not by_missile:
        return None
    return tuple(float(by_missile[t.missile]) for t in plan.threats)


def expand_salvos(salvos: Sequence[dict[str, Any]], assets: Sequence[Asset], catalog: Catalog) -> list[RaidMissile]:
    """Turn salvos into missiles: aim points round-robin over the salvo's assets within range.

    A salvo is ``{count, missile, launch_area, aim (asset names, optional), launch_spread_s}``;
    without ``aim`` the missiles go round-robin over every asset in range, most valuable first.
    Launch times are spread evenly over ``launch_spread_s``.
    """
    threats: list[RaidMissile] = []
    for k, s in enumerate(salvos):
        idx = salvo_aims(k, s, list(assets), catalog)
        spread = float(s.get("launch_spread_s", 0.0))
        for m in range(s["count"]):
            threats.append(
                RaidMissile(s["missile"], s["launch_area"], int(idx[m % idx.size]), spread * m / max(1, s["count"]))
            )
    return threats


def plan_raid(setup: Setup) -> RaidPlan:
    """The deterministic part of an assembled scenario's raid: its missiles, assets and each unit's shot
    opportunities and launch windows on each missile (:func:`bmdlab.defense.shots.engage`)."""
    raid, catalog = setup.require_raid(), setup.catalog
    threats = expand_salvos(raid.salvos, raid.assets, catalog)
    defenders = setup.defenders
    shape = (len(defenders), len(threats))
    opp = np.zeros(shape, dtype=np.int64)
    first, l_open = np.full(shape, np.inf), np.full(shape, np.inf)
    l_close, flight = np.full(shape, -np.inf), np.full(shape, np.nan)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, t in enumerate(threats):
        groups.setdefault((t.missile, t.launch_area), []).append(i)
    for (mkey, akey), idx in groups.items():
        place = catalog.place(akey)
        launch = MissileLaunch(catalog.missile(mkey), (np.radians(place.lat.nominal), np.radians(place.lon.nominal)))
        aims = [raid.assets[threats[i].asset] for i in idx]
        batch = fly(launch, np.radians([a.lat for a in aims]), np.radians([a.lon for a in aims]))
        net = network(defenders, setup.sensors, launch, cueing=setup.timeline.cueing)
        table = engage(batch, net, setup.timeline, windows=True)
        t0 = np.array([threats[i].launch_time for i in idx])
        engaged = table.shots > 0
        opp[:, idx] = table.shots
        first[:, idx] = np.where(engaged, table.first_intercept + t0, np.inf)
        l_open[:, idx] = np.where(engaged, table.launch_open + t0, np.inf)
        l_close[:, idx] = np.where(engaged, table.launch_close + t0, -np.inf)
        flight[:, idx] = np.where(engaged, table.flight_time, np.nan)
    return RaidPlan(
        tuple(threats),
        tuple(raid.assets),
        tuple(defenders),
        opp,
        first,
        l_open,
        l_close,
        float(setup.timeline.kill_assessment),
        flight,
    )


@dataclass(frozen=True)
class UnitArrays:
    """Each unit's numbers for the Monte Carlo, in the plan's order (:class:`bmdlab.assembly.setup.UnitValues`)."""

    sspk: NDArray[np.float64]  #: single-shot kill probability [-]
    reliability: NDArray[np.float64]  #: interceptor reliability [-]
    availability: NDArray[np.float64]  #: probability of being on station in a trial [-]
    fire_channels: NDArray[np.int64]  #: engagements at once (0: no limit)
    c2_time: NDArray[np.float64]  #: C2 decision time per engagement [s] (0: none)
    common_mode: NDArray[np.float64]  #: correlation of one interceptor type's shots [-]
    posture: Posture | None = None  #: ships' rotation (None: every unit on station on its own)

    @classmethod
    def of(cls, units: Sequence[UnitValues], posture: Posture | None = None) -> UnitArrays:
        def col(name: str, dtype: Any = float) -> NDArray[Any]:
            return np.array([getattr(u, name) for u in units], dtype=dtype)

        return cls(
            col("sspk"),
            col("reliability"),
            col("availability"),
            col("fire_channels", np.int64),
            col("c2_time"),
            col("common_mode"),
            posture,
        )

    @classmethod
    def uniform(
        cls,
        n: int,
        *,
        sspk: Any,
        reliability: Any = 1.0,
        availability: Any = 1.0,
        fire_channels: Any = 0,
        c2_time: Any = 0.0,
        common_mode: Any = 0.0,
    ) -> UnitArrays:
        """``n`` units with these values (scalars or arrays of ``n``)."""

        def col(x: Any, dtype: Any = float) -> NDArray[Any]:
            return np.broadcast_to(np.asarray(x, dtype=dtype), (n,)).copy()

        return cls(
            col(sspk), col(reliability), col(availability), col(fire_channels, np.int64), col(c2_time), col(common_mode)
        )

    def check(self, n: int) -> None:
        """One-line errors for arrays of the wrong length or values out of range."""
        if self.availability.shape != (n,) or not np.all((self.availability >= 0.0) & (self.availability <= 1.0)):
            raise BmdlabError("availability: one probability per unit, each in [0, 1]")
        rho = self.common_mode
        if rho.shape != (n,) or not np.all([bounds.COMMON_MODE.contains(x) for x in rho]):
            raise BmdlabError(f"common_mode: one correlation per unit, each {bounds.COMMON_MODE.describe()}")
        if self.sspk.shape != (n,) or self.reliability.shape != (n,):
            raise BmdlabError("sspk: one kill probability and one reliability per unit")


@dataclass(frozen=True)
class RaidOptions:
    """How to run a raid's Monte Carlo (what the analyst chose; the raid itself is the plan)."""

    trials: int
    seed: int
    doctrine: str = "shoot-look-shoot"  #: shoot-look-shoot or salvo (two per opportunity)
    conditions: RaidConditions = RaidConditions()  #: missile reliability, decoys, their discrimination
    #: probability that each threat works, in the plan's order (None: ``conditions.missile_reliability`` for all)
    threat_reliability: tuple[float, ...] | None = None
    capacity: bool = True  #: honour fire channels and C2 decision times
    fire_rate_limits: bool = True  #: apply each unit's timing (launch interval; with capacity, channels and C2)
    memory_budget: int = DEFAULT_MEMORY_BUDGET  #: [bytes]; a raid that needs more is refused before it starts
    keep_trials: bool = False  #: keep every trial's leakers and surviving value (paired comparisons)
    keep_magazines: bool = False  #: keep every trial's magazines at the end (campaigns)
    wave: int = 0  #: a campaign's wave: a different wave draws from different streams
    progress: Callable[[int, int], None] | None = None  #: ``progress(trials_done, trials)`` after each block


@dataclass(frozen=True)
class RaidStart:
    """Where a raid starts from, when not from full magazines with every unit drawn on station."""

    inventory: NDArray[np.int64] | None = None  #: interceptors per unit, (defenders,) or (trials, defenders)
    on_station: NDArray[np.bool_] | None = None  #: (trials, defenders) which units are on station
    allocation: NDArray[np.int64] | None = None  #: (defenders, threats) most rounds a unit may fire at a threat


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
            "use fewer missiles, units or assets, or raise the budget (`memory_budget_gib`)"
        )


def simulate_raid(plan: RaidPlan, units: UnitArrays, options: RaidOptions, start: RaidStart | None = None) -> RaidTally:
    r"""Run the raid ``options.trials`` times, in blocks of :data:`~bmdlab.engagement.streams.TRIAL_BLOCK` trials.

    Each unit fires in tier order at each threat, in the order the defence can first engage the threats
    (module docstring); each interceptor kills with probability ``reliability x sspk`` [1]_. With a
    unit's ``common_mode`` :math:`\rho > 0`, in each trial its interceptor type's per-shot kill probability
    is drawn once from :func:`~bmdlab.engagement.analytic.common_mode_beta` (mean ``reliability x sspk``),
    shared by every unit firing that type: a flaw common to all rounds (Skellam 1948's beta-binomial);
    units with the same interceptor must have the same value. With ``capacity`` a unit runs at most its
    fire channels' engagements at once (a channel is held from an engagement's first launch to its last
    intercept plus the kill assessment) and its C2 node decides on one engagement at a time, first come
    first served. Each unit is on station in a trial with its availability (or as ``start.on_station``
    says); ``start.allocation`` caps the rounds each unit fires at each threat (a preferential-defence
    allocation, :mod:`bmdlab.engagement.preferential`).

    Draws are keyed by purpose (:mod:`bmdlab.engagement.streams`), so two architectures run on the same
    seed share the threats' fates and the draws of the units they share: common random numbers, which
    make a paired difference far more precise than independent runs.
    """
    raid = _Raid(plan, units, options, start or RaidStart())
    acc = _Accumulator(raid)
    done = 0
    for b in range(-(-options.trials // TRIAL_BLOCK)):
        m = min(TRIAL_BLOCK, options.trials - done)
        block = _Block(raid, b, done, m)
        leak = block.run()
        acc.add(block, leak)
        done += m
        if options.progress is not None:
            options.progress(done, options.trials)
    return acc.tally()


class _Raid:
    """What every block of a raid shares: the plan's arrays, each unit's numbers and timing, the order
    threats are served in and who shoots at each (checked once)."""

    def __init__(self, plan: RaidPlan, units: UnitArrays, options: RaidOptions, start: RaidStart):
        doctrine = doctrine_name(options.doctrine)
        trials = bounds.TRIALS.check("trials", options.trials)
        n_def, n_threat, n_asset = len(plan.defenders), len(plan.threats), len(plan.assets)
        units.check(n_def)
        channels = units.fire_channels if options.capacity else np.zeros(n_def, dtype=np.int64)
        check_memory(
            raid_memory_bytes(n_threat, n_asset, n_def, trials, int(channels.sum())),
            options.memory_budget,
            f"a raid of {n_threat:,} missiles on {n_asset:,} assets against {n_def:,} units",
        )
        self.plan, self.units, self.options, self.doctrine = plan, units, options, doctrine
        self.inventory = self._inventory(start.inventory, trials, n_def)
        self.on_station = self._on_station(start.on_station, trials, n_def)
        self.allocation = self._allocation(start.allocation, n_def, n_threat)
        self.pk_shot = units.sspk * units.reliability
        self.arrive_p = self._arrive(options, n_threat)
        self.per_opp = 1 if doctrine == "shoot-look-shoot" else 2
        self.interval = np.array([d.launch_interval for d in plan.defenders], float)
        self.channels = channels
        self.c2 = units.c2_time if options.capacity else np.zeros(n_def)
        timed = options.fire_rate_limits and plan.launch_open is not None
        self.timed = timed and bool(np.any(self.interval > 0) or np.any(channels > 0) or np.any(self.c2 > 0))
        self.order = self._order(n_def, n_threat)
        tier_rank = np.array([0 if d.tier == "upper" else 1 for d in plan.defenders])
        self.shooters_of = []
        for j in range(n_threat):
            s = np.flatnonzero(plan.opportunities[:, j] > 0)
            self.shooters_of.append(s[np.lexsort((plan.first_time[s, j], tier_rank[s]))])
        self.keys = unit_keys(plan.defenders)
        self.shared = self._shared()

    def _order(self, n_def: int, n_threat: int) -> NDArray[np.intp]:
        """Threats in the order the defence can first engage them (with timing: first launch; else first intercept)."""
        plan = self.plan
        if not self.timed:
            first_any = plan.first_time.min(axis=0) if n_def else np.full(n_threat, np.inf)
            return np.argsort(first_any, kind="stable")
        # the interceptor's flight to intercept; launched just in time for the earliest intercept
        flight = (
            np.zeros(plan.first_time.shape) if plan.flight_time is None else np.nan_to_num(plan.flight_time, nan=0.0)
        )
        flight = np.maximum(flight, 0.0)
        with np.errstate(invalid="ignore"):
            just_in_time = np.where(np.isfinite(plan.first_time), plan.first_time - flight, -np.inf)
        self.cycle = flight + plan.kill_assessment  # launch to the look that decides the next shot
        self.earliest = np.maximum(plan.launch_open, just_in_time)  # (defenders, threats) first launch of an engagement
        return np.argsort(self.earliest.min(axis=0) if n_def else np.zeros(n_threat), kind="stable")

    @staticmethod
    def _arrive(options: RaidOptions, n_threat: int) -> NDArray[np.float64]:
        """Each threat's probability of working: ``options.threat_reliability``, else the conditions' one value."""
        rel = options.threat_reliability
        p = np.full(n_threat, options.conditions.missile_reliability) if rel is None else np.asarray(rel, float)
        if p.shape != (n_threat,) or not np.all((p >= 0.0) & (p <= 1.0)):
            raise BmdlabError(f"missile_reliability: one probability in [0, 1] per threat ({n_threat})")
        return p

    def _inventory(self, inventory: NDArray[np.int64] | None, trials: int, n_def: int) -> NDArray[np.int64]:
        start = np.array([d.inventory for d in self.plan.defenders] if inventory is None else inventory, dtype=np.int64)
        if start.shape not in ((n_def,), (trials, n_def)) or np.any(start < 0):
            raise BmdlabError("inventory: give interceptors >= 0 per unit, shape (units,) or (trials, units)")
        return start

    @staticmethod
    def _on_station(on_station: NDArray[np.bool_] | None, trials: int, n_def: int) -> NDArray[np.bool_] | None:
        if on_station is None:
            return None
        on_station = np.asarray(on_station, bool)
        if on_station.shape != (trials, n_def):
            raise BmdlabError(f"on_station: shape must be (trials, units) = ({trials}, {n_def})")
        return on_station

    @staticmethod
    def _allocation(allocation: NDArray[np.int64] | None, n_def: int, n_threat: int) -> NDArray[np.int64] | None:
        if allocation is None:
            return None
        allocation = np.asarray(allocation)
        if allocation.shape != (n_def, n_threat) or np.any(allocation < 0):
            raise BmdlabError(f"allocation: interceptors >= 0 per unit and threat, shape ({n_def}, {n_threat})")
        return allocation

    def _shared(self) -> dict[str, tuple[list[int], float, float]]:
        """Interceptor type -> (its units, mean per-shot kill probability, correlation) where correlated."""
        shared: dict[str, tuple[list[int], float, float]] = {}
        rho = self.units.common_mode
        for d, dfn in enumerate(self.plan.defenders):
            if rho[d] > 0.0:
                members, mean, r = shared.setdefault(dfn.interceptor, ([], self.pk_shot[d], rho[d]))
                if r != rho[d] or mean != self.pk_shot[d]:
                    raise BmdlabError(
                        f"common_mode: units firing {dfn.interceptor} need one kill probability and one correlation"
                    )
                members.append(d)
        return shared


@dataclass
class _Slot:
    """When a unit can begin an engagement in each trial, and the channel and C2 decision it uses."""

    begin: NDArray[np.float64]
    decided: NDArray[np.float64] | None = None
    channel: NDArray[np.intp] | None = None


class _Block:
    """The state of one block of ``m`` trials as the raid's threats are served (magazines, the units on
    station, each unit's last launch, C2 queue and fire channels)."""

    def __init__(self, raid: _Raid, b: int, done: int, m: int):
        self.raid, self.m, self.rows = raid, m, np.arange(m)
        opt, n_def = raid.options, len(raid.plan.defenders)
        self.rng = Streams(opt.seed, b, m, opt.wave)
        start = raid.inventory
        self.mag = (np.tile(start, (m, 1)) if start.ndim == 1 else start[done : done + m]).copy()
        self.mag_start = self.mag.copy()
        if raid.on_station is not None:
            self.here = raid.on_station[done : done + m]
        else:
            units = raid.units
            self.here = on_station_draws(opt.seed, raid.keys, units.availability, m, opt.wave, done, units.posture)
        self.last_launch = np.full((m, n_def), -np.inf)
        self.c2_free = np.full((m, n_def), -np.inf)
        limited = np.flatnonzero(raid.channels > 0) if raid.timed else []
        self.chan_start = {d: np.full((m, int(raid.channels[d])), np.inf) for d in limited}
        self.chan_end = {d: np.full((m, int(raid.channels[d])), -np.inf) for d in limited}
        self.pk_trial = self._common_mode() if raid.shared else None

    def _common_mode(self) -> NDArray[np.float64]:
        """This block's per-trial kill probability of each unit, correlated types drawn once per trial."""
        raid, m = self.raid, self.m
        pk = np.tile(raid.pk_shot, (m, 1))
        for itype, (members, mean, r) in raid.shared.items():
            a, b = common_mode_beta(mean, r)
            g = self.rng.generator(COMMON, stream_key(itype))
            pk[:, members] = (g.beta(a, b, size=m) if 0.0 < mean < 1.0 else np.full(m, mean))[:, None]
        return pk

    def run(self) -> NDArray[np.bool_]:
        """Serve every threat (and its unrecognised decoys); return which threats leak, (m, threats)."""
        raid, opt = self.raid, self.raid.options.conditions
        leak = np.zeros((self.m, len(raid.plan.threats)), dtype=bool)
        for j in raid.order:
            arrives = self.rng.draw(ARRIVE, 0, j) < raid.arrive_p[j]  # a failed missile draws no fire
            if opt.decoys:
                # decoys not recognised: binomial(decoys, 1 - discrimination), by inversion of the threat's draw
                u = self.rng.draw(DECOYS, 0, j)
                fooled = stats.binom.ppf(u, opt.decoys, 1.0 - opt.discrimination).astype(np.int64)
                for k in range(opt.decoys):
                    self.engage(arrives & (fooled > k), j, k + 1)  # a decoy draws fire like a warhead
            leak[:, j] = self.engage(arrives, j, 0)
        return leak

    def engage(self, alive: NDArray[np.bool_], j: int, obj: int) -> NDArray[np.bool_]:
        """Every unit that can shoot at threat ``j`` fires, in tier order; ``obj`` 0 is the warhead, k a decoy.
        Returns the trials in which the object survives."""
        raid = self.raid
        for d in raid.shooters_of[j]:
            ready = alive & self.here[:, d] & (self.mag[:, d] > 0)
            cap = None if raid.allocation is None else np.full(self.m, raid.allocation[d, j], dtype=np.int64)
            if cap is not None:
                ready &= cap > 0
            if not ready.any():
                continue
            slot = self._begin(d, j) if raid.timed else None
            alive = self._fire(d, j, obj, alive, cap, slot)
        return alive

    def _begin(self, d: int, j: int) -> _Slot:
        """When unit ``d`` can begin engaging threat ``j``: its earliest launch, after its C2 node's last
        decision, its launch interval and a free fire channel."""
        raid = self.raid
        slot = _Slot(np.full(self.m, raid.earliest[d, j]))
        if raid.c2[d] > 0:  # one decision at a time at the unit's C2 node, c2 seconds each
            slot.decided = np.maximum(raid.plan.launch_open[d, j], self.c2_free[:, d] + raid.c2[d])
            slot.begin = np.maximum(slot.begin, slot.decided)
        if raid.interval[d] > 0:  # the launch interval paces the engagements a unit opens
            close = np.abs(slot.begin - self.last_launch[:, d]) < raid.interval[d]
            slot.begin = np.where(close, self.last_launch[:, d] + raid.interval[d], slot.begin)
        if raid.channels[d] > 0:  # a channel whose engagements do not overlap [begin, begin + cycle]
            c_start, c_end = self.chan_start[d], self.chan_end[d]
            fits = (slot.begin[:, None] >= c_end) | (slot.begin[:, None] + raid.cycle[d, j] <= c_start)
            any_fit = fits.any(axis=1)
            slot.channel = np.where(any_fit, fits.argmax(axis=1), c_end.argmin(axis=1))
            slot.begin = np.where(any_fit, slot.begin, np.maximum(slot.begin, c_end[self.rows, slot.channel]))
        return slot

    def _fire(
        self, d: int, j: int, obj: int, alive: NDArray[np.bool_], cap: NDArray[np.int64] | None, slot: _Slot | None
    ) -> NDArray[np.bool_]:
        """Unit ``d`` takes its opportunities on threat ``j`` (one or two rounds each, looking between),
        spends its rounds and, with timing, books its C2 decision, launches and channel."""
        raid, plan = self.raid, self.raid.plan
        t_launch = None if slot is None else slot.begin
        first_launch, last = np.full(self.m, np.nan), np.full(self.m, np.nan)
        engaged = np.zeros(self.m, dtype=bool)
        for k in range(int(plan.opportunities[d, j])):
            n_fire = np.where(alive & self.here[:, d], np.minimum(raid.per_opp, self.mag[:, d]), 0)
            if cap is not None:
                n_fire = np.minimum(n_fire, cap)
            if t_launch is not None:
                n_fire = np.where(t_launch <= plan.launch_close[d, j], n_fire, 0)
                if k == 0:
                    first_launch = np.where(n_fire > 0, t_launch, first_launch)
                last = np.where(n_fire > 0, t_launch + (n_fire - 1) * raid.interval[d], last)
                t_launch = last + raid.cycle[d, j]  # the next shot comes after this one's look
            if not n_fire.any():
                break
            engaged |= n_fire > 0
            self.mag[:, d] -= n_fire
            if cap is not None:
                cap -= n_fire
            p = raid.pk_shot[d] if self.pk_trial is None else self.pk_trial[:, d]
            killed = self.rng.draw(KILL, int(raid.keys[d]), j, k + (obj << 16)) < 1.0 - (1.0 - p) ** n_fire
            alive = alive & ~killed
        if slot is not None and engaged.any():
            self._book(d, j, slot, engaged, first_launch, last)
        return alive

    def _book(
        self,
        d: int,
        j: int,
        slot: _Slot,
        engaged: NDArray[np.bool_],
        first_launch: NDArray[np.float64],
        last: NDArray[np.float64],
    ) -> None:
        """Record an engagement's C2 decision, last launch and the channel it held (first launch to its last
        intercept and look; a channel keeps the hull of its engagements, gaps inside it unused)."""
        raid = self.raid
        if raid.c2[d] > 0:
            self.c2_free[:, d] = np.where(engaged, slot.decided, self.c2_free[:, d])
        if raid.interval[d] > 0:
            self.last_launch[:, d] = np.where(engaged, last, self.last_launch[:, d])
        if raid.channels[d] > 0:
            rows, c = self.rows, slot.channel
            c_start, c_end = self.chan_start[d], self.chan_end[d]
            c_start[rows, c] = np.where(engaged, np.minimum(first_launch, c_start[rows, c]), c_start[rows, c])
            c_end[rows, c] = np.where(engaged, np.maximum(last + raid.cycle[d, j], c_end[rows, c]), c_end[rows, c])


class _Accumulator:
    """The raid's exact tallies, block by block (:class:`~bmdlab.engagement.tally.RaidTally`)."""

    def __init__(self, raid: _Raid):
        plan, opt = raid.plan, raid.options
        n_def, n_threat = len(plan.defenders), len(plan.threats)
        self.raid = raid
        self.leaker_counts = np.zeros(n_threat + 1, dtype=np.int64)
        self.expended_counts = np.zeros(1, dtype=np.int64)  # grows to the most interceptors fired in a trial
        self.leak_sum = np.zeros(n_threat)
        self.surviving_sum = 0.0
        self.expended_sum, self.exhausted_sum, self.on_station_sum = np.zeros(n_def), np.zeros(n_def), np.zeros(n_def)
        self.done = 0
        self.per_trial = np.empty(opt.trials, dtype=np.int32) if opt.keep_trials else None
        self.value_per_trial = np.empty(opt.trials, dtype=np.float32) if opt.keep_trials else None
        self.mags_end = np.empty((opt.trials, n_def), dtype=np.int32) if opt.keep_magazines else None
        values = np.array([a.value for a in plan.assets], float)
        self.values = values / values.max() if values.size and values.max() > 0 else values  # weights; no overflow
        self.total_value = float(self.values.sum())
        self.asset_of = np.array([t.asset for t in plan.threats], dtype=np.int64)
        self.by_asset = np.argsort(self.asset_of, kind="stable")
        self.hit_assets, self.first_of_asset = np.unique(self.asset_of[self.by_asset], return_index=True)

    def add(self, block: _Block, leak: NDArray[np.bool_]) -> None:
        m, lo = block.m, self.done
        n_leak = leak.sum(axis=1)
        self.leaker_counts += np.bincount(n_leak, minlength=self.leaker_counts.size)
        self.leak_sum += leak.sum(axis=0)
        if self.total_value > 0 and leak.shape[1]:
            hit = np.logical_or.reduceat(leak[:, self.by_asset], self.first_of_asset, axis=1)  # (m, assets hit)
            surviving = 1.0 - (hit @ self.values[self.hit_assets]) / self.total_value
        else:
            surviving = np.ones(m)
        self.surviving_sum += float(surviving.sum())
        if self.per_trial is not None and self.value_per_trial is not None:
            self.per_trial[lo : lo + m] = n_leak
            self.value_per_trial[lo : lo + m] = surviving
        if self.mags_end is not None:
            self.mags_end[lo : lo + m] = block.mag
        used = block.mag_start - block.mag
        h = np.bincount(used.sum(axis=1))
        if h.size > self.expended_counts.size:
            self.expended_counts = np.pad(self.expended_counts, (0, h.size - self.expended_counts.size))
        self.expended_counts[: h.size] += h
        self.expended_sum += used.sum(axis=0)
        self.exhausted_sum += ((block.mag == 0) & block.here).sum(axis=0)
        self.on_station_sum += block.here.sum(axis=0)
        self.done += m

    def tally(self) -> RaidTally:
        raid, trials = self.raid, self.raid.options.trials
        n_asset = len(raid.plan.assets)
        return RaidTally(
            trials=trials,
            seed=raid.options.seed,
            doctrine=raid.doctrine,
            leaker_counts=self.leaker_counts,
            leakers_per_asset=np.bincount(self.asset_of, weights=self.leak_sum, minlength=n_asset) / trials,
            surviving_value_mean=self.surviving_sum / trials,
            expended_mean=self.expended_sum / trials,
            expended_counts=self.expended_counts,
            exhausted_fraction=self.exhausted_sum / trials,
            on_station_fraction=self.on_station_sum / trials,
            leakers_per_trial=self.per_trial,
            surviving_value_per_trial=self.value_per_trial,
            magazines_end=self.mags_end,
        )


__all__ = [
    "DEFAULT_MEMORY_BUDGET",
    "RaidMissile",
    "RaidOptions",
    "RaidPlan",
    "RaidStart",
    "UnitArrays",
    "check_memory",
    "expand_salvos",
    "plan_raid",
    "raid_doctrine",
    "raid_memory_bytes",
    "simulate_raid",
    "threat_reliabilities",
]
