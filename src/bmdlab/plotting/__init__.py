"""Figures: functions that read results and draw them (they never compute models).

Every figure is a :class:`matplotlib.figure.Figure` built without pyplot, so drawing neither needs
nor changes a backend: a script or a server writes PNGs headless, and a notebook keeps its inline
backend. Each ``plot_*`` function writes a PNG when given a path and returns that path; given
``path=None`` it returns the Figure instead (a notebook displays it).
"""

from __future__ import annotations

import io
from pathlib import Path

from matplotlib.figure import Figure

from bmdlab.io import atomic_write_bytes

__all__ = ["Figure", "finish_figure", "new_figure"]


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A Figure of ``figsize`` [in] with constrained layout, not registered with pyplot."""
    return Figure(figsize=figsize, layout="constrained")


def finish_figure(fig: Figure, path: str | Path | None, dpi: int = 110) -> Path | Figure:
    """Write ``fig`` as a PNG to ``path`` (atomically) and return the path; with no path, return ``fig``."""
    if path is None:
        return fig
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)  # savefig picks the Agg canvas for PNG whatever the backend
    return atomic_write_bytes(path, buf.getvalue())
