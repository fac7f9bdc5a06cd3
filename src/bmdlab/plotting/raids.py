"""Raid figures: leakers against raid size for several architectures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from bmdlab.plotting import finish_figure, new_figure


def plot_leakers(runs: dict[str, dict[str, dict[str, Any]]], path: str | Path | None, title: str) -> Path | Figure:
    """Median leakers with the 5-95 % interval against raid size, one line per architecture.

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
        ax2.plot(sizes, [by_size[s]["interceptors_expended_total"] for s in by_size], marker="s", label=name)
    top = max(int(s) for r in runs.values() for s in r)
    ax1.plot([0, top], [0, top], color="grey", lw=0.8, ls=":", label="no defence")
    ax1.set_xlabel("missiles in the raid")
    ax1.set_ylabel("leakers (median, 5-95 % of trials)")
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
