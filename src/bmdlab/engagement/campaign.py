"""Campaigns: a sequence of raid waves, magazines carried between them, reloads, and when they run out.

Each wave is the scenario's raid scaled to the wave's missile count and run by
:func:`bmdlab.engagement.raid.simulate_raid`, vectorised over trials; between waves the state of
every trial is carried:

* **Magazines** are what each unit had left at the end of the previous wave.
* **Reserve**: rounds in depots beyond the loaded magazines, per interceptor type, shared by all
  units of the type (``campaign.reserve``; default 0, so nothing is reloaded). Japan's stocks are
  not published; a reserve is the analyst's input.
* **Land units reload in place** (:attr:`~bmdlab.catalog.schema.Unit.reload_time`): a unit that has
  fired is full again (as far as the reserve allows) at the next wave that starts at least its
  reload time after the last wave it fired in.
* **Ships reload in port**: VLS cells cannot be reloaded at sea (U.S. CNO, 2017). A ship whose
  magazine falls to ``leave_station_below`` rounds leaves its station after the wave, if the
  reserve holds rounds for it, and is away for two transits and its time in port
  (``2 x port_transit_time + reload_time``); it misses every wave that starts before it is back.
* **Availability** (maintenance, crews) is drawn once per trial for the whole campaign: a unit in
  maintenance stays there for days.

Draws are keyed by wave, so a campaign's waves are independent of one another but the same seed
gives the same campaign, and two architectures share the draws of the threats and of their common
units (common random numbers).

Reported per wave: expected leakers with a 95 % interval, P(no leaker), interceptors fired, units
on station, rounds ready on station and in reserve; and per trial the time of the first wave that
meets no interceptor of a type ready on station: "the day magazines run out", per interceptor
type (median over all trials, None when more than half never run out; percentiles of the trials
that do; and the share of trials in which it happens within the campaign).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bmdlab import bounds
from bmdlab.assembly.setup import Setup, with_missiles
from bmdlab.engagement.raid import DEFAULT_MEMORY_BUDGET, RaidPlan, RaidStart, plan_raid
from bmdlab.engagement.scenario_raid import RaidOutcome, RaidRun, run_scenario_raid
from bmdlab.engagement.streams import CAMPAIGN_WAVE, on_station_draws, unit_keys
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.montecarlo import mean_ci95
from bmdlab.scenario import CampaignSpec, WaveSpec

HOUR = 3600.0


@dataclass(frozen=True)
class WaveOutcome:
    """One wave of a campaign: its raid's figures and the state of the defence at its start."""

    wave: int  #: 1, 2, ...
    at_h: float  #: launch of its first missile [h after the first wave]
    missiles: int
    expected_leakers: float
    expected_leakers_ci95: tuple[float, float]
    p_zero_leakers: float
    interceptors_expended: float  #: mean rounds fired
    units_on_station_mean: float
    rounds_ready_at_start_mean: float  #: rounds on station when the wave starts (mean)
    rounds_left_mean: float  #: rounds on station after it (mean)
    reserve_left_mean: dict[str, float]  #: interceptor type -> rounds left in depots (mean)

    @classmethod
    def of(cls, wave: int, spec: WaveSpec, raid: RaidOutcome | None, **state: Any) -> WaveOutcome:
        if raid is None:
            return cls(wave, spec.at_h, 0, 0.0, (0.0, 0.0), 1.0, 0.0, **state)
        lo, hi = raid.expected_leakers_ci95
        return cls(
            wave,
            spec.at_h,
            spec.missiles,
            round(raid.expected_leakers, 4),
            (round(lo, 4), round(hi, 4)),
            round(raid.p_zero_leakers, 5),
            round(raid.interceptors_expended_total, 3),
            **state,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "wave": self.wave,
            "at_h": self.at_h,
            "missiles": self.missiles,
            "expected_leakers": self.expected_leakers,
            "expected_leakers_ci95": list(self.expected_leakers_ci95),
            "p_zero_leakers": self.p_zero_leakers,
            "interceptors_expended": self.interceptors_expended,
            "units_on_station_mean": self.units_on_station_mean,
            "rounds_ready_at_start_mean": self.rounds_ready_at_start_mean,
            "rounds_left_mean": self.rounds_left_mean,
            "reserve_left_mean": dict(self.reserve_left_mean),
        }


@dataclass(frozen=True)
class RunOut:
    """When an interceptor type has no round ready on station: "the day magazines run out" over the trials."""

    share_of_trials_within_campaign: float  #: trials in which it happens within the campaign [-]
    median_h: float | None  #: median over all trials [h]; None when more than half never run out
    p05_h: float | None  #: 5th percentile of the trials that do [h]
    p95_h: float | None  #: 95th percentile of the trials that do [h]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CampaignResult:
    """Per-wave figures and the run-out time of a campaign (JSON via :meth:`to_dict`)."""

    waves: tuple[WaveOutcome, ...]
    run_out: dict[str, RunOut]  #: interceptor type -> when none of it is ready on station
    trials: int
    seed: int
    doctrine: str
    leakers_per_trial: np.ndarray  #: (trials,) leakers over the whole campaign, for paired comparisons
    meta: dict[str, Any]  #: scenario, reserve, threshold and units (JSON-ready)

    @property
    def total_expected_leakers(self) -> float:
        return float(self.leakers_per_trial.mean())

    @property
    def total_expected_leakers_ci95(self) -> tuple[float, float]:
        _, lo, hi = mean_ci95(self.leakers_per_trial)
        return lo, hi

    @property
    def total_missiles(self) -> int:
        return int(sum(w.missiles for w in self.waves))

    def to_dict(self) -> dict[str, Any]:
        mean, lo, hi = mean_ci95(self.leakers_per_trial)
        return {
            **self.meta,
            "trials": self.trials,
            "seed": self.seed,
            "doctrine": self.doctrine,
            "waves": [w.to_dict() for w in self.waves],
            "run_out_h": {k: v.to_dict() for k, v in self.run_out.items()},
            "total_expected_leakers": round(mean, 4),
            "total_expected_leakers_ci95": [round(lo, 4), round(hi, 4)],
            "total_missiles": self.total_missiles,
        }


def parse_reserve(items: list[str] | tuple[str, ...]) -> dict[str, int]:
    """``INTERCEPTOR=ROUNDS`` strings (the command line's ``--reserve``) as a mapping; each interceptor once."""
    rounds: dict[str, int] = {}
    for item in items:
        key, sep, n = item.partition("=")
        key = key.strip()
        if not sep or not key or not n.strip().isdigit():
            raise BmdlabError(f"reserve: '{item}' must be INTERCEPTOR=ROUNDS, e.g. sm-3-ia=16")
        if key in rounds:
            raise BmdlabError(f"reserve: '{key}' is given twice; give each interceptor once")
        rounds[key] = bounds.RESERVE.check(f"reserve.{key}", int(n))
    return rounds


def repeated_waves(waves: int, every_h: float, missiles: int) -> CampaignSpec:
    """``waves`` waves of ``missiles`` each, ``every_h`` hours apart (a campaign for the CLI's options)."""
    waves = bounds.WAVES.check("waves", waves)
    every_h = bounds.EVERY_H.check("every_h", every_h)
    missiles = bounds.MISSILES.check("missiles", missiles)
    return CampaignSpec(waves=[WaveSpec(at_h=i * every_h, missiles=missiles) for i in range(waves)])


@dataclass(frozen=True)
class CampaignRun:
    """How to run a campaign's Monte Carlo."""

    trials: int = 4000
    seed: int = 0
    memory_budget: int = DEFAULT_MEMORY_BUDGET  #: [bytes] per wave
    progress: Callable[[int, int], None] | None = None  #: ``progress(waves_done, waves)`` after each wave


def run_campaign(setup: Setup, campaign: CampaignSpec, run: CampaignRun) -> CampaignResult:
    """Run a campaign of raid waves against an assembled architecture (see the module docstring): each
    wave is the setup's raid scaled to the wave's missiles, with the magazines, reserve and ships in port
    carried from the wave before."""
    setup.require_raid()
    for k in campaign.reserve:
        if k not in setup.catalog.interceptors:
            raise BmdlabError(f"campaign.reserve.{k}: {unknown_key('interceptor', k, setup.catalog.interceptors)}")
    state = _Defence(setup, campaign, run)
    plans: dict[int, tuple[Setup, RaidPlan]] = {}
    waves, doctrine = [], None
    for w_i, spec in enumerate(campaign.waves):
        t = spec.at_h * HOUR
        state.reload_in_place(t)
        on = state.on_station(t)
        ready = (state.mag * on).sum(axis=1)
        state.mark_run_out(on, spec.at_h)
        outcome = None
        if spec.missiles > 0:
            if spec.missiles not in plans:
                wave_setup = with_missiles(setup, spec.missiles)
                plans[spec.missiles] = (wave_setup, plan_raid(wave_setup))
            wave_setup, plan = plans[spec.missiles]
            outcome = run_scenario_raid(
                wave_setup,
                RaidRun(
                    trials=run.trials,
                    seed=run.seed,
                    memory_budget=run.memory_budget,
                    keep_trials=True,
                    wave=w_i + 1,
                    keep_magazines=True,
                ),
                plan=plan,
                start=RaidStart(inventory=state.mag, on_station=on),
            )
            doctrine = outcome.doctrine
            state.after_wave(t, outcome.tally.leakers_per_trial, outcome.tally.magazines_end.astype(np.int64))
        waves.append(
            WaveOutcome.of(
                w_i + 1,
                spec,
                outcome,
                units_on_station_mean=round(float(on.sum(axis=1).mean()), 3),
                rounds_ready_at_start_mean=round(float(ready.mean()), 3),
                rounds_left_mean=round(float((state.mag * on).sum(axis=1).mean()), 3),
                reserve_left_mean={k: round(float(state.reserve[:, i].mean()), 3) for i, k in enumerate(state.types)},
            )
        )
        state.leave_station(t, on, campaign.leave_station_below)
        if run.progress is not None:
            run.progress(w_i + 1, len(campaign.waves))
    return CampaignResult(
        waves=tuple(waves),
        run_out=state.run_out_table(),
        trials=run.trials,
        seed=run.seed,
        doctrine=doctrine or setup.doctrine,
        leakers_per_trial=state.total,
        meta=state.meta(campaign),
    )


class _Defence:
    """Every trial's state between waves: magazines, reserve, ships away, last wave fired in, run-out times."""

    def __init__(self, setup: Setup, campaign: CampaignSpec, run: CampaignRun):
        units, catalog, trials = setup.defenders, setup.catalog, run.trials
        self.setup, self.units = setup, units
        self.full = np.array([d.inventory for d in units], dtype=np.int64)
        self.types = sorted({d.interceptor for d in units})
        self.type_of = np.array([self.types.index(d.interceptor) for d in units])
        self.reserve = np.tile(np.array([campaign.reserve.get(t, 0) for t in self.types], dtype=np.int64), (trials, 1))
        cat_units = [catalog.units[d.unit] for d in units]
        self.sea = np.array([u.basing == "sea" for u in cat_units])
        self.reload_s = np.array([np.inf if u.reload_time is None else u.reload_time.si() for u in cat_units])
        self.transit_s = np.array([0.0 if u.port_transit_time is None else u.port_transit_time.si() for u in cat_units])
        self.availability = setup.unit_array("availability").astype(float)
        # availability: once per trial for the whole campaign (a stream of its own, keyed like a raid's)
        self.on_base = on_station_draws(
            run.seed, unit_keys(units), self.availability, trials, CAMPAIGN_WAVE, posture=setup.posture
        )
        self.mag = np.tile(self.full, (trials, 1))
        self.away_until = np.full((trials, len(units)), -np.inf)  # [s] a ship in transit or in port until then
        self.last_fired = np.full((trials, len(units)), -np.inf)  # [s] start of the last wave a unit fired in
        self.run_out = np.full((trials, len(self.types)), np.inf)  # [h] per interceptor type
        self.total = np.zeros(trials, dtype=np.int64)

    def reload_in_place(self, t: float) -> None:
        """Land units whose reload time has passed since they last fired reload from the reserve."""
        for d in np.flatnonzero(~self.sea & np.isfinite(self.reload_s)):
            due = (self.mag[:, d] < self.full[d]) & (t - self.last_fired[:, d] >= self.reload_s[d])
            self._take(d, due)

    def on_station(self, t: float) -> NDArray[np.bool_]:
        return self.on_base & (self.away_until <= t)

    def mark_run_out(self, on: NDArray[np.bool_], at_h: float) -> None:
        """The first wave that meets no round of a type ready on station, per trial."""
        for k in range(len(self.types)):
            none_ready = (self.mag[:, self.type_of == k] * on[:, self.type_of == k]).sum(axis=1) == 0
            self.run_out[:, k] = np.where(np.isinf(self.run_out[:, k]) & none_ready, at_h, self.run_out[:, k])

    def after_wave(self, t: float, leakers: NDArray[np.int32], mag_end: NDArray[np.int64]) -> None:
        fired = mag_end < self.mag
        self.last_fired = np.where(fired, t, self.last_fired)
        self.mag = mag_end
        self.total += leakers

    def leave_station(self, t: float, on: NDArray[np.bool_], below: int) -> None:
        """Ships at or below the threshold leave for port after the wave, if the reserve can reload them."""
        for d in np.flatnonzero(self.sea):
            leave = on[:, d] & (self.mag[:, d] <= below) & (self.reserve[:, self.type_of[d]] > 0)
            if leave.any():
                back = t + 2 * self.transit_s[d] + (0.0 if np.isinf(self.reload_s[d]) else self.reload_s[d])
                self.away_until[:, d] = np.where(leave, back, self.away_until[:, d])
                self._take(d, leave)  # loaded in port, usable when back

    def _take(self, d: int, where: NDArray[np.bool_]) -> None:
        """Fill unit ``d``'s magazine from its type's reserve in the trials ``where`` (in place)."""
        k = self.type_of[d]
        need = np.where(where, self.full[d] - self.mag[:, d], 0)
        got = np.minimum(need, self.reserve[:, k])
        self.mag[:, d] += got
        self.reserve[:, k] -= got

    def run_out_table(self) -> dict[str, RunOut]:
        out = {}
        for k, name in enumerate(self.types):
            never = np.isinf(self.run_out[:, k])
            runs = self.run_out[~never, k]
            med = float(np.median(self.run_out[:, k]))
            out[name] = RunOut(
                round(float((~never).mean()), 5),
                med if np.isfinite(med) else None,
                float(np.percentile(runs, 5)) if runs.size else None,
                float(np.percentile(runs, 95)) if runs.size else None,
            )
        return out

    def meta(self, campaign: CampaignSpec) -> dict[str, Any]:
        sc = self.setup.scenario
        return {
            "scenario": sc.name,
            "scenario_hash": sc.hash,
            "catalog_hash": self.setup.catalog.hash,
            "engagement_model": self.setup.model.to_dict(),
            "reserve": {k: int(campaign.reserve.get(k, 0)) for k in self.types},
            "leave_station_below": campaign.leave_station_below,
            "units": [
                {
                    "name": d.name,
                    "unit": d.unit,
                    "basing": "sea" if s_ else "land",
                    "magazine": int(f),
                    "availability": float(a),
                    "reload_time_h": None if np.isinf(r) else r / HOUR,
                    "port_transit_time_h": (tr / HOUR) if s_ else None,
                }
                for d, s_, f, a, r, tr in zip(
                    self.units, self.sea, self.full, self.availability, self.reload_s, self.transit_s
                )
            ],
        }


__all__ = ["CampaignResult", "CampaignRun", "RunOut", "WaveOutcome", "parse_reserve", "repeated_waves", "run_campaign"]
