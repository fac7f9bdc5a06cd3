"""Cost figures: cost against effectiveness with the Pareto frontier, and tornado charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from bmdlab.cost.tradeoff import pareto_front
from bmdlab.plotting import finish_figure, new_figure
from bmdlab.sensitivity.tornado import swing


def plot_tradeoff(result: dict[str, Any], path: str | Path | None, raid: int = 200) -> Path | Figure:
    """Life-cycle cost against expected surviving value (left) and population covered twice (right).

    The Pareto frontier (no option cheaper and at least as effective; for the raid, compared in pairs
    on common random numbers, the result's ``pareto_surviving_value``) is drawn as a step line; error
    bars on cost span the published price ranges, and on the surviving value its Monte Carlo 95 %
    interval. Writes a PNG to ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    rows = result["options"]
    n = str(raid)
    cost = np.array([r["cost"]["total"]["jpy"] for r in rows]) / 1e9
    lo = np.array([r["cost"]["total_range"]["low"]["jpy"] for r in rows]) / 1e9
    hi = np.array([r["cost"]["total_range"]["high"]["jpy"] for r in rows]) / 1e9
    value = 100 * np.array([r["raids"][n]["expected_surviving_value_fraction"] for r in rows])
    ci = (
        np.array([r["raids"][n].get("expected_surviving_value_fraction_ci95", [np.nan, np.nan]) for r in rows], float)
        * 100
    )
    two = 100 * np.array([r["population_fraction_2units"] for r in rows])
    keys = [r["key"] for r in rows]
    paired = result.get("pareto_surviving_value", {}).get(n)
    panels = [
        (
            value,
            f"expected surviving value, raid of {raid} [% of value, 95 % CI]",
            np.isin(keys, paired) if paired is not None else pareto_front(cost, value),
            np.abs(np.stack([value - ci[:, 0], ci[:, 1] - value])) if np.isfinite(ci).all() else None,
        ),
        (two, "Japan's population defended by 2+ units [%]", pareto_front(cost, two), None),
    ]
    fig = new_figure((12, 5))
    axes = fig.subplots(1, 2)
    colors = matplotlib.colormaps["tab10"](np.arange(len(rows)) % 10)
    for ax, (eff, ylabel, front, yerr) in zip(axes, panels):
        order = np.argsort(cost[front])
        fx, fy = cost[front][order], eff[front][order]
        ax.step(
            np.r_[fx, fx[-1] * 1.15],
            np.r_[fy, fy[-1]],
            where="post",
            color="0.4",
            lw=1.2,
            ls="--",
            label="Pareto frontier",
            zorder=1,
        )
        for i, r in enumerate(rows):
            ax.errorbar(
                cost[i],
                eff[i],
                xerr=[[cost[i] - lo[i]], [hi[i] - cost[i]]],
                yerr=None if yerr is None else yerr[:, i : i + 1],
                fmt="o",
                ms=8 if front[i] else 6,
                color=colors[i],
                mec="black" if front[i] else colors[i],
                capsize=3,
                label=r["label"],
                zorder=3,
            )
        ax.set_xlabel(f"life-cycle cost, {result['years']} years [¥ bn of {result['price_year']}]")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.set_xlim(left=0)
        ax.set_ylim(0, 105)
    axes[0].legend(fontsize=7.5, loc="upper left")
    fig.suptitle(
        f"What each yen buys: {len(rows)} architectures, raid of {raid} missiles, {result['trials']:,} trials "
        f"(seed {result['seed']})",
        fontsize=11,
    )
    return finish_figure(fig, path)


def plot_tornado(
    result: dict[str, Any], path: str | Path | None, metric: str = "expected_leakers", label: str | None = None
) -> Path | Figure:
    """Tornado chart: each input's low and high end against the base value of one metric, with the Monte
    Carlo 95 % interval of each end (whiskers) and of the base (grey band) where the result has them.

    Writes a PNG to ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    rows = swing(result, metric)[::-1]
    base = result["base_metrics"][metric]
    scale, unit = (1e9, " [¥ bn]") if "jpy" in metric else (100.0**0, "")
    if metric.endswith("fraction"):
        scale, unit = 0.01, " [%]"
    fig = new_figure((9, 0.55 * len(rows) + 1.6))
    ax = fig.subplots()
    half_key = f"{metric}_ci95_half_width"
    halves = {r["label"]: (r["low_metrics"].get(half_key), r["high_metrics"].get(half_key)) for r in result["rows"]}
    labelled = False
    for i, (name, lo, hi) in enumerate(rows):
        ax.barh(
            i,
            (lo - base) / scale,
            left=base / scale,
            color="#4c78a8",
            height=0.6,
            label="input at low end" if i == 0 else None,
        )
        ax.barh(
            i,
            (hi - base) / scale,
            left=base / scale,
            color="#e45756",
            height=0.6,
            label="input at high end" if i == 0 else None,
        )
        for end, h in zip((lo, hi), halves.get(name, (None, None))):
            if h is not None and np.isfinite(h):
                ax.errorbar(
                    end / scale,
                    i,
                    xerr=h / scale,
                    fmt="none",
                    ecolor="black",
                    elinewidth=1,
                    capsize=3,
                    label=None if labelled else "95 % CI (Monte Carlo)",
                )
                labelled = True
    base_half = result["base_metrics"].get(half_key)
    if base_half is not None and np.isfinite(base_half):
        ax.axvspan((base - base_half) / scale, (base + base_half) / scale, color="0.8", zorder=0)
    ax.axvline(base / scale, color="black", lw=1)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8.5)
    ax.set_xlabel((label or metric.replace("_", " ")) + unit)
    b = result["base"]
    ax.set_title(
        f"{b['scenario']}, {b['missiles']} missiles: base {base / scale:,.4g}; {result['trials']:,} trials, "
        f"seed {result['seed']}",
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="best")
    ax.grid(axis="x", alpha=0.3)
    return finish_figure(fig, path)
