"""Raid figures: leakers against raid size for several architectures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from bmdlab.plotting import finish_figure, new_figure


def plot_leakers(runs: dict[str, dict[str, dict[str, Any]]], path: str | Path | None, title: str) -> Path | Figure:
    """Median leakers with the 5-95 % interval of trials against raid size, one line per architecture, and
    the expected leakers with their Monte Carlo 95 % interval (a black tick).

    Writes a PNG to ``path`` and returns it, or returns the Figure if ``path`` is None.
    """
    fig = new_figure((11, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    for k, (name, by_size) in enumerate(runs.items()):
        sizes = np.array([int(s) for s in by_size])
        med = np.array([by_size[s]["leakers_median"] for s in by_size])
        lo = np.array([by_size[s]["leakers_p05"] for s in by_size])
        hi = np.array([by_size[s]["leakers_p95"] for s in by_size])
        off = (k - 1) * 2.0
        ax1.errorbar(sizes + off, med, yerr=[med - lo, hi - med], marker="o", capsize=4, label=name)
        if all("expected_leakers_ci95" in by_size[s] for s in by_size):  # the Monte Carlo interval of the mean
            mean = np.array([by_size[s]["expected_leakers"] for s in by_size])
            ci = np.array([by_size[s]["expected_leakers_ci95"] for s in by_size], float)
            ax1.errorbar(
                sizes + off + 0.8,
                mean,
                yerr=[mean - ci[:, 0], ci[:, 1] - mean],
                fmt="_",
                color="black",
                ms=7,
                capsize=2,
                label="expected, 95 % CI" if k == 0 else None,
            )
        ax2.plot(sizes, [by_size[s]["interceptors_expended_total"] for s in by_size], marker="s", label=name)
    top = max(int(s) for r in runs.values() for s in r)
    ax1.plot([0, top], [0, top], color="grey", lw=0.8, ls=":", label="no defence")
    ax1.set_xlabel("missiles in the raid")
    ax1.set_ylabel("leakers (median, 5-95 % of trials; expected, 95 % CI)")
    ax1.set_xlim(0, top * 1.05)
    ax1.set_ylim(bottom=0)
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    ax2.set_xlabel("missiles in the raid")
    ax2.set_ylabel("interceptors expended (mean)")
    ax2.set_ylim(bottom=0)
    ax2.grid(alpha=0.3)
    fig.suptitle(title, fontsize=11)
    return finish_figure(fig, path)


def plot_campaign(runs: dict[str, dict[str, Any]], path: str | Path | None, title: str) -> Path | Figure:
    """A campaign of waves: expected leakers per wave with their 95 % interval (left) and the interceptors
    ready on station at each wave's start (right), one line per architecture."""
    fig = new_figure((11, 4.2))
    ax1, ax2 = fig.subplots(1, 2)
    for k, (name, r) in enumerate(runs.items()):
        w = r["waves"]
        t = np.array([x["at_h"] for x in w], float) + (k - 1) * 0.4
        mean = np.array([x["expected_leakers"] for x in w])
        ci = np.array([x["expected_leakers_ci95"] for x in w], float)
        ax1.errorbar(t, mean, yerr=[mean - ci[:, 0], ci[:, 1] - mean], marker="o", capsize=3, label=name)
        ax2.plot(t, [x["rounds_ready_at_start_mean"] for x in w], marker="s", label=name)
    missiles = max(x["missiles"] for r in runs.values() for x in r["waves"])
    ax1.axhline(missiles, color="grey", lw=0.8, ls=":", label="no defence")
    for ax, label in ((ax1, "expected leakers per wave (95 % CI)"), (ax2, "interceptors ready on station (mean)")):
        ax.set_xlabel("time of the wave [h]")
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    fig.suptitle(title, fontsize=11)
    return finish_figure(fig, path)
