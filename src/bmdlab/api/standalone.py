"""Analyses that need no single scenario: the closed forms, weapon-target assignment, and the paired
comparison of two architectures on the same raid."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from bmdlab import __version__, arguments, bounds
from bmdlab.api.analysis import Analysis, catalog_of
from bmdlab.api.results import (
    SCHEMA_VERSION,
    AnalyticResult,
    CompareResult,
    Provenance,
    RaidResult,
    WTAResult,
    make_provenance,
)
from bmdlab.catalog import Catalog, builtin_catalog
from bmdlab.defaults import DEFAULT_SEED
from bmdlab.defense.windows import MIN_ELEVATION_DEG, WindowsReport, windows_report
from bmdlab.engagement.analytic import RaidConditions, doctrine_name, raid_odds, raid_odds_common_mode
from bmdlab.engagement.paired import compare_verdict, paired_difference
from bmdlab.errors import BmdlabError
from bmdlab.io import atomic_write_json, check_output_file
from bmdlab.palette import palette_dict, unit_type
from bmdlab.scenario import Scenario, resolve_scenario


class AnalyticInputs(BaseModel):
    """The closed form's inputs besides the raid, the kill probability and the shots (:func:`analytic`):
    the parameter object of its keyword arguments, each bound from :mod:`bmdlab.bounds`."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    doctrine: bounds.Doctrine = "salvo"
    reliability: bounds.Probability = 1.0
    missile_reliability: bounds.Probability = 1.0
    decoys: bounds.Decoys = 0
    discrimination: bounds.Probability = 1.0
    interceptors: bounds.Interceptors | None = None
    common_mode: bounds.CommonMode = 0.0


def analytic(missiles: int, sspk: float, shots_per_missile: int, **inputs: Any) -> AnalyticResult:
    """Closed-form P(zero leakers) and expected leakers (Wilkening 2000); no scenario needed.

    ``inputs`` (:class:`AnalyticInputs`): ``doctrine`` (salvo or shoot-look-shoot), ``reliability``,
    ``missile_reliability``, ``decoys``, ``discrimination``, ``interceptors`` and ``common_mode`` (0 to
    0.99: the shots fail together, their kill probability drawn once per raid from a beta distribution
    with that shot-to-shot correlation, :func:`bmdlab.engagement.analytic.raid_odds_common_mode`; one
    layer, no decoys or inventory).
    """
    missiles = bounds.MISSILES.check("missiles", missiles)
    sspk = bounds.PROBABILITY.check("sspk", sspk)
    shots_per_missile = bounds.SHOTS_PER_MISSILE.check("shots_per_missile", shots_per_missile)
    try:
        x = AnalyticInputs.model_validate(inputs)
    except ValidationError as exc:
        e = exc.errors()[0]
        name = ".".join(str(v) for v in e["loc"]) or "inputs"
        raise BmdlabError(f"{name}: {str(e['msg']).removeprefix('Value error, ')}") from None
    doctrine = doctrine_name(x.doctrine)
    if x.common_mode > 0.0:
        if x.decoys or x.interceptors is not None:
            raise BmdlabError(
                "common_mode: the correlated closed form takes no `decoys` or `interceptors`; use the "
                "raid Monte Carlo for those"
            )
        res = raid_odds_common_mode(
            missiles,
            sspk,
            shots_per_missile,
            correlation=x.common_mode,
            reliability=x.reliability,
            missile_reliability=x.missile_reliability,
            doctrine=doctrine,
        )
    else:
        res = raid_odds(
            missiles,
            sspk,
            shots_per_missile,
            reliability=x.reliability,
            doctrine=doctrine,
            conditions=RaidConditions(x.missile_reliability, x.decoys, x.discrimination),
            interceptors=x.interceptors,
        )
    opts = {
        "missiles": missiles,
        "sspk": sspk,
        "shots_per_missile": shots_per_missile,
        "reliability": x.reliability,
        "missile_reliability": x.missile_reliability,
        "decoys": x.decoys,
        "discrimination": x.discrimination,
        "interceptors": x.interceptors,
        "doctrine": doctrine,
        "common_mode": x.common_mode or None,
    }
    prov = make_provenance(builtin_catalog(), None, None, **opts)
    return AnalyticResult(provenance=prov, odds=res, doctrine=doctrine, common_mode=x.common_mode)


def wta(
    values: Any = None,
    kill_probability: Any = None,
    *,
    instance: str | Path | None = None,
    random: str | tuple[int, int] | None = None,
    seed: int = DEFAULT_SEED,
    method: str = "exact",
    time_limit_s: float = 60.0,
    save: str | Path | None = None,
) -> WTAResult:
    """Static weapon-target assignment (Ahuja et al. 2007): on given arrays, an ``instance`` JSON file
    (``{"values": [...], "kill_probability": [[...]]}``) or a random instance ``random="WxT"``, which
    ``save`` writes as an instance file (before it is solved)."""
    bounds.check_choice("method", method, ("exact", "heuristic"))
    save = arguments.optional_path("save", save)
    if save is not None:
        if random is None:  # without a random instance there would be nothing to write
            raise BmdlabError("save: writes the `random` instance; give `random` WEAPONSxTARGETS, or leave out `save`")
        check_output_file(save, "save", inputs=[("instance", instance)])
    time_limit_s = bounds.TIME_LIMIT_S.check("time_limit_s", time_limit_s)
    if sum(x is not None for x in (values, instance, random)) != 1 or (values is None) != (kill_probability is None):
        raise BmdlabError(
            "instance: give either `instance` (a JSON file), values and kill_probability, or `random` "
            "WEAPONSxTARGETS (e.g. 20x20)"
        )
    from bmdlab.engagement.wta import check_instance, load_instance, random_instance, solve_wta  # lazy: Numba, ~0.2 s

    generated: dict[str, Any] = {}
    if instance is not None:
        if not isinstance(instance, (str, Path)):
            raise BmdlabError(f"instance: {instance!r} is not a file; give the path of a JSON instance file")
        values, kill_probability = load_instance(instance)
    if random is not None:
        w, t = _random_size(random)
        seed = bounds.SEED.check("seed", seed)
        values, kill_probability = random_instance(w, t, seed=seed)
        generated = {"random": f"{w}x{t}", "seed": seed}
        if save is not None:
            instance_json = {
                "values": values.tolist(),
                "kill_probability": kill_probability.tolist(),
                "generator": f"Ahuja et al. (2007), seed {seed}",
            }
            atomic_write_json(save, instance_json, parameter="save")
    else:
        values, kill_probability = check_instance(values, kill_probability)
    res = solve_wta(values, kill_probability, method=method, time_limit=time_limit_s)
    prov = Provenance(
        _version(),
        builtin_catalog().hash,
        seed=generated.get("seed"),
        options={"method": method, "time_limit_s": time_limit_s, **generated},
    )
    return WTAResult(provenance=prov, solution=res, generated=generated)


def _random_size(random: str | tuple[int, int]) -> tuple[int, int]:
    if isinstance(random, str):
        parts = random.lower().split("x")
        if len(parts) != 2 or not all(re.fullmatch(r"[0-9]{1,4}", p) for p in parts):
            raise BmdlabError(f"random: '{random}' must be WEAPONSxTARGETS with 1-2000 each, e.g. 20x20")
        w, t = int(parts[0]), int(parts[1])
    elif isinstance(random, tuple) and len(random) == 2:
        w, t = random
    else:
        raise BmdlabError(f"random: {random!r:.60} must be 'WEAPONSxTARGETS' (e.g. '20x20') or a pair (20, 20)")
    return bounds.WTA_SIZE.check("random", w), bounds.WTA_SIZE.check("random", t)


def _version() -> str:
    return __version__


def compare(
    a: str | Path | Scenario,
    b: str | Path | Scenario,
    *,
    catalog: Catalog | str | Path | None = None,
    trials: int = 10_000,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
    **overrides: Any,
) -> CompareResult:
    """Architecture B against architecture A: the same raid, the same seed, and the paired difference.

    B's units and sensors are put into A's scenario (its threat, raid, timeline and engagement
    parameters), so the two sides differ only in their architecture. Every trial's leakers are
    kept, and the difference's 95 % interval is the mean of the per-trial differences plus or minus
    1.96 of their standard errors. The two runs use common random numbers: every draw is keyed by
    what it decides (a threat's arrival, a unit's shot at a threat, a unit's availability), so the
    sides share the threats' fates and the draws of every unit they share (by name and type), and the
    interval is narrower than that of independent runs (reported as ``independent_ci95_half_width``).
    ``progress(trials_done, trials)`` counts both runs (2 x trials); ``overrides`` (any field of
    :class:`~bmdlab.assembly.overrides.Overrides`, e.g. ``missiles``, ``doctrine``, ``availability``)
    apply to both sides.
    """
    arguments.callback("progress", progress)
    cat = catalog_of(catalog)
    sa = resolve_scenario(a, cat, "a")
    sb_own = resolve_scenario(b, cat, "b")
    side_a = Analysis(sa, catalog=cat, seed=seed)
    sb = side_a.scenario.model_copy(update={"name": sb_own.name, "architecture": sb_own.architecture})
    side_b = Analysis(sb, catalog=cat, seed=seed)
    trials = bounds.PAIRED_TRIALS.check("trials", trials)
    side_a.check_raid(trials=trials, **overrides)
    side_b.check_raid(trials=trials, **overrides)

    def tick(offset: int) -> Callable[[int, int], None] | None:
        return None if progress is None else (lambda done, total: progress(offset + done, 2 * trials))

    ra = side_a.raid(trials=trials, progress=tick(0), keep_trials=True, **overrides)
    rb = side_b.raid(trials=trials, progress=tick(trials), keep_trials=True, **overrides)
    pd_ = paired_difference(_leakers_per_trial(ra), _leakers_per_trial(rb))
    ci = (float(pd_["ci95"][0]), float(pd_["ci95"][1]))
    verdict = compare_verdict(side_a.scenario.name, side_b.scenario.name, pd_["difference"], ci, ra.missiles, trials)
    prov = make_provenance(
        cat,
        side_a.scenario,
        side_a.seed,
        b=side_b.scenario.name,
        b_hash=side_b.scenario.hash,
        trials=trials,
        **{**side_a.assembled(**overrides).overrides.to_json(), "doctrine": ra.outcome.doctrine},
    )
    return CompareResult(
        provenance=prov,
        a=ra,
        b=rb,
        difference=float(pd_["difference"]),
        difference_ci95=ci,
        independent_ci95_half_width=float(pd_["independent_ci95_half_width"]),
        verdict=verdict,
    )


def _leakers_per_trial(r: RaidResult) -> np.ndarray:
    """Each trial's leakers of a raid run with ``keep_trials``."""
    per_trial = r.outcome.tally.leakers_per_trial
    if per_trial is None:
        raise RuntimeError("bug: the raid was run without keep_trials")
    return per_trial


def windows(
    missiles: list[str] | None = None,
    interceptors: list[str] | None = None,
    *,
    launch_area: str = "hodo",
    target: str | None = None,
    min_elevation_deg: float = MIN_ELEVATION_DEG,
    catalog: Catalog | str | Path | None = None,
) -> WindowsReport:
    """Each interceptor's altitude window against each missile's flight (time on the way up and down, speed and
    Mach there) and when each of Japan's radars first sees it (:func:`bmdlab.defense.windows.windows_report`).

    ``missiles`` default: one per flight class (nodong, kn-23, hwasong-8); ``interceptors``: every one;
    ``target`` (a place, default Tokyo; a missile that does not reach Tokyo is flown to its catalog range on
    the bearing to it, and the report says so).
    """
    cat = catalog_of(catalog)
    missiles = None if missiles is None else arguments.texts("missiles", missiles, "kn-23")
    interceptors = None if interceptors is None else arguments.texts("interceptors", interceptors, "pac-3-mse")
    launch_area = arguments.text("launch_area", launch_area, "hodo")
    target = arguments.optional_text("target", target, "tokyo")
    report = windows_report(cat, missiles, interceptors, launch_area, target, min_elevation_deg)
    prov = make_provenance(
        cat,
        missiles=missiles,
        interceptors=interceptors,
        launch_area=launch_area,
        target=target,
        min_elevation_deg=report.min_elevation_deg,
    )
    return dataclasses.replace(report, schema_version=SCHEMA_VERSION, provenance=prov.to_dict())


def map_palette(catalog: Catalog | None = None) -> dict[str, Any]:
    """The maps' colours and unit marker shapes (:mod:`bmdlab.palette`) as JSON-ready data, for the web page;
    with a catalog, also ``unit_keys``: the marker type of each of its units (by ``bmdlab.palette.unit_type``)."""
    out = palette_dict()
    if catalog is not None:
        out["unit_keys"] = {key: unit_type(key, u.basing) for key, u in catalog.units.items()}
    return out


__all__ = ["AnalyticInputs", "analytic", "compare", "map_palette", "windows", "wta"]
