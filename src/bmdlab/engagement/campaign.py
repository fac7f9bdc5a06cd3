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

from bmdlab.catalog import Catalog
from bmdlab.engagement.raid import _ON_STATION, DEFAULT_MEMORY_BUDGET, RaidPlan, _Streams, unit_keys
from bmdlab.errors import BmdlabError
from bmdlab.montecarlo import mean_ci95
from bmdlab.scenario import CampaignSpec, Scenario, WaveSpec

HOUR = 3600.0


@dataclass(frozen=True)
class CampaignResult:
    """Per-wave figures and the run-out time of a campaign (JSON-ready via :meth:`to_dict`)."""

    waves: list[dict[str, Any]]
    run_out_h: dict[str, Any]
    trials: int
    seed: int
    doctrine: str
    leakers_per_trial: np.ndarray  #: (trials,) leakers over the whole campaign, for paired comparisons
    meta: dict[str, Any]

    @property
    def total_expected_leakers(self) -> float:
        return float(self.leakers_per_trial.mean())

    def to_dict(self) -> dict[str, Any]:
        mean, lo, hi = mean_ci95(self.leakers_per_trial)
        return {
            **self.meta,
            "trials": self.trials,
            "seed": self.seed,
            "doctrine": self.doctrine,
            "waves": self.waves,
            "run_out_h": self.run_out_h,
            "total_expected_leakers": round(mean, 4),
            "total_expected_leakers_ci95": [round(lo, 4), round(hi, 4)],
            "total_missiles": int(sum(w["missiles"] for w in self.waves)),
        }


def repeated_waves(waves: int, every_h: float, missiles: int) -> CampaignSpec:
    """``waves`` waves of ``missiles`` each, ``every_h`` hours apart (a campaign for the CLI's options)."""
    if not 1 <= waves <= 200:
        raise BmdlabError(f"waves: {waves} must be between 1 and 200")
    if not 0.0 < every_h <= 24 * 30:
        raise BmdlabError(f"every_h: {every_h:g} must lie in (0, 720] hours")
    return CampaignSpec(waves=[WaveSpec(at_h=i * every_h, missiles=missiles) for i in range(waves)])


def run_campaign(
    scenario: Scenario,
    catalog: Catalog,
    *,
    campaign: CampaignSpec | None = None,
    trials: int = 4000,
    seed: int = 0,
    doctrine: str | None = None,
    capacity: bool | None = None,
    availability: float | None = None,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    progress: Callable[[int, int], None] | None = None,
) -> CampaignResult:
    """Run a campaign of raid waves against the scenario's architecture (see the module docstring).

    ``campaign`` defaults to the scenario's ``campaign:`` section. ``doctrine``, ``capacity`` and
    ``availability`` are :func:`bmdlab.engagement.scenario_raid.run_scenario_raid`'s.
    ``progress(waves_done, waves)`` is called after each wave.
    """
    from bmdlab.engagement.scenario_raid import plan_scenario_raid, run_scenario_raid

    campaign = campaign if campaign is not None else scenario.campaign
    if campaign is None:
        raise BmdlabError(
            f"scenario '{scenario.name}' has no campaign; add a 'campaign:' section with waves, "
            "or give --waves and --every-h"
        )
    if scenario.raid is None:
        raise BmdlabError(f"scenario '{scenario.name}' has no raid; a campaign scales its salvos")
    for k in campaign.reserve:
        if k not in catalog.interceptors:
            from bmdlab.errors import unknown_key

            raise BmdlabError(f"campaign.reserve.{k}: {unknown_key('interceptor', k, catalog.interceptors)}")
    if availability is not None and not 0.0 <= availability <= 1.0:
        raise BmdlabError(f"availability: {availability:g} must lie in [0, 1]")
    plans: dict[int, RaidPlan] = {}

    def plan_for(n: int) -> RaidPlan:
        if n not in plans:
            plans[n] = plan_scenario_raid(scenario, catalog, n)
        return plans[n]

    base = plan_for(campaign.waves[0].missiles)
    units = base.defenders
    n_def = len(units)
    full = np.array([d.inventory for d in units], dtype=np.int64)
    types = sorted({d.interceptor for d in units})
    type_of = np.array([types.index(d.interceptor) for d in units])
    reserve = np.tile(np.array([campaign.reserve.get(t, 0) for t in types], dtype=np.int64), (trials, 1))
    cat_units = [catalog.units[d.unit] for d in units]
    sea = np.array([u.basing == "sea" for u in cat_units])
    reload_s = np.array([np.inf if u.reload_time is None else u.reload_time.si() for u in cat_units])
    transit_s = np.array([0.0 if u.port_transit_time is None else u.port_transit_time.si() for u in cat_units])
    avail = np.array([d.availability if availability is None else availability for d in units], float)

    # availability: once per trial for the whole campaign (a stream of its own, keyed like a raid's)
    keys = unit_keys(units)
    on_base = np.ones((trials, n_def), dtype=bool)
    from bmdlab.engagement.raid import TRIAL_BLOCK

    for b in range(-(-trials // TRIAL_BLOCK)):
        lo, hi = b * TRIAL_BLOCK, min(trials, (b + 1) * TRIAL_BLOCK)
        s = _Streams(seed, b, hi - lo, wave=0xFFFF)
        for d in np.flatnonzero(avail < 1.0):
            on_base[lo:hi, d] = s.draw(_ON_STATION, int(keys[d])) < avail[d]

    mag = np.tile(full, (trials, 1))
    away_until = np.full((trials, n_def), -np.inf)  # [s] a ship in transit or in port until then
    last_fired = np.full((trials, n_def), -np.inf)  # [s] start of the last wave a unit fired in
    run_out = np.full((trials, len(types)), np.inf)  # [h] per interceptor type
    total = np.zeros(trials, dtype=np.int64)
    rows: list[dict[str, Any]] = []
    doctrine_used = None
    for w_i, wave in enumerate(campaign.waves):
        t = wave.at_h * HOUR
        # land units whose reload time has passed since they last fired reload from the reserve
        for d in np.flatnonzero(~sea & np.isfinite(reload_s)):
            due = (mag[:, d] < full[d]) & (t - last_fired[:, d] >= reload_s[d])
            _take(mag, reserve, d, type_of[d], full[d], due)
        on = on_base & (away_until <= t)
        ready = (mag * on).sum(axis=1)
        for k in range(len(types)):
            none_ready = (mag[:, type_of == k] * on[:, type_of == k]).sum(axis=1) == 0
            run_out[:, k] = np.where(np.isinf(run_out[:, k]) & none_ready, wave.at_h, run_out[:, k])
        plan = plan_for(wave.missiles)
        if wave.missiles > 0:
            out, tally, _ = run_scenario_raid(
                scenario,
                catalog,
                missiles=wave.missiles,
                trials=trials,
                seed=seed,
                doctrine=doctrine,
                plan=plan,
                memory_budget=memory_budget,
                keep_trials=True,
                capacity=capacity,
                availability=availability,
                inventory=mag,
                on_station=on,
                wave=w_i + 1,
                keep_magazines=True,
            )
            doctrine_used = out["doctrine"]
            leakers = tally.extra["leakers_per_trial"]
            mag_end = tally.extra["magazines_end"].astype(np.int64)
            ci = out["expected_leakers_ci95"]
            row = {
                "wave": w_i + 1,
                "at_h": wave.at_h,
                "missiles": wave.missiles,
                "expected_leakers": out["expected_leakers"],
                "expected_leakers_ci95": ci,
                "p_zero_leakers": out["p_zero_leakers"],
                "interceptors_expended": out["interceptors_expended_total"],
            }
        else:
            leakers, mag_end = np.zeros(trials, dtype=np.int32), mag
            row = {
                "wave": w_i + 1,
                "at_h": wave.at_h,
                "missiles": 0,
                "expected_leakers": 0.0,
                "expected_leakers_ci95": [0.0, 0.0],
                "p_zero_leakers": 1.0,
                "interceptors_expended": 0.0,
            }
        fired = mag_end < mag
        last_fired = np.where(fired, t, last_fired)
        mag = mag_end
        total += leakers
        row.update(
            {
                "units_on_station_mean": round(float(on.sum(axis=1).mean()), 3),
                "rounds_ready_at_start_mean": round(float(ready.mean()), 3),
                "rounds_left_mean": round(float((mag * on).sum(axis=1).mean()), 3),
                "reserve_left_mean": {k: round(float(reserve[:, i].mean()), 3) for i, k in enumerate(types)},
            }
        )
        # ships at or below the threshold leave for port after the wave, if the reserve can reload them
        for d in np.flatnonzero(sea):
            leave = on[:, d] & (mag[:, d] <= campaign.leave_station_below) & (reserve[:, type_of[d]] > 0)
            if leave.any():
                away_until[:, d] = np.where(
                    leave, t + 2 * transit_s[d] + (0.0 if np.isinf(reload_s[d]) else reload_s[d]), away_until[:, d]
                )
                _take(mag, reserve, d, type_of[d], full[d], leave)  # loaded in port, usable when back
        rows.append(row)
        if progress is not None:
            progress(w_i + 1, len(campaign.waves))
    run_out_h = {}
    for k, name in enumerate(types):
        never = np.isinf(run_out[:, k])
        run = run_out[~never, k]
        run_out_h[name] = {
            "share_of_trials_within_campaign": round(float((~never).mean()), 5),
            "median_h": _median_h(run_out[:, k]),
            "p05_h": float(np.percentile(run, 5)) if run.size else None,
            "p95_h": float(np.percentile(run, 95)) if run.size else None,
        }
    meta = {
        "scenario": scenario.name,
        "scenario_hash": scenario.hash,
        "catalog_hash": catalog.hash,
        "reserve": {k: int(campaign.reserve.get(k, 0)) for k in types},
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
            for d, s_, f, a, r, tr in zip(units, sea, full, avail, reload_s, transit_s)
        ],
    }
    return CampaignResult(
        waves=rows,
        run_out_h=run_out_h,
        trials=trials,
        seed=seed,
        doctrine=doctrine_used or (doctrine or scenario.engagement.doctrine),
        leakers_per_trial=total,
        meta=meta,
    )


def _median_h(x: np.ndarray) -> float | None:
    """Median over trials of a run-out time [h] (inf: not within the campaign); None if it is not reached."""
    med = float(np.median(x))
    return med if np.isfinite(med) else None


def _take(mag: np.ndarray, reserve: np.ndarray, d: int, k: int, full: int, where: np.ndarray) -> None:
    """Fill unit ``d``'s magazine from its type's reserve ``k`` in the trials ``where`` (in place)."""
    need = np.where(where, full - mag[:, d], 0)
    got = np.minimum(need, reserve[:, k])
    mag[:, d] += got
    reserve[:, k] -= got


__all__ = ["CampaignResult", "repeated_waves", "run_campaign"]
