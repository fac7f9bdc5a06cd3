"""Trajectory profile figures (altitude against downrange and against time)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from bmdlab.geo.sphere import EARTH_RADIUS, central_angle, latlon
from bmdlab.plotting import finish_figure, new_figure
from bmdlab.trajectory.atmospheric import AtmosphericTrajectory
from bmdlab.trajectory.ballistic import Trajectory


def profile_samples(traj: Trajectory | AtmosphericTrajectory, n: int = 400) -> dict[str, np.ndarray]:
    """Time [s], downrange [m] (great-circle distance from launch over the rotating Earth),
    altitude [m] and speed [m/s] along each trajectory, shape (len(traj), n)."""
    frac = np.linspace(0.0, 1.0, n)
    t = traj.flight_time[:, None] * frac[None, :]
    pos, vel = traj.state(t)
    lat, lon = latlon(pos)
    down = EARTH_RADIUS * central_angle(traj.launch_lat[:, None], traj.launch_lon[:, None], lat, lon)
    alt = np.linalg.norm(pos, axis=-1) - EARTH_RADIUS
    return {"time": t, "downrange": down, "altitude": alt, "speed": np.linalg.norm(vel, axis=-1)}


def plot_profile(
    trajs: Trajectory | AtmosphericTrajectory | Sequence[Trajectory | AtmosphericTrajectory],
    path: str | Path | None,
    labels: Sequence[str] | None = None,
    title: str | None = None,
) -> Path | Figure:
    """Write a two-panel PNG: altitude against downrange (true scale) and against time.

    ``trajs`` is one :class:`Trajectory` (all its members are drawn) or a list of them; ``labels``
    names each drawn path. Burnout (o) and apogee (v) are marked. Returns the path written, or the
    Figure if ``path`` is None.
    """
    if isinstance(trajs, (Trajectory, AtmosphericTrajectory)):
        trajs = [trajs]
    fig = new_figure((11, 4.4))
    ax1, ax2 = fig.subplots(1, 2)
    k = 0
    for traj in trajs:
        s = profile_samples(traj)
        for i in range(len(traj)):
            label = labels[k] if labels else None
            k += 1
            (line,) = ax1.plot(s["downrange"][i] / 1e3, s["altitude"][i] / 1e3, label=label)
            color = line.get_color()
            ax2.plot(s["time"][i] / 60.0, s["altitude"][i] / 1e3, color=color)
            j = int(np.argmax(s["altitude"][i]))
            ax1.plot(s["downrange"][i, j] / 1e3, s["altitude"][i, j] / 1e3, "v", color=color)
            ax1.annotate(
                f"{traj.apogee[i] / 1e3:,.0f} km",
                (s["downrange"][i, j] / 1e3, s["altitude"][i, j] / 1e3),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=7,
            )
            ax1.plot(traj.burnout_downrange[i] / 1e3, traj.burnout_altitude[i] / 1e3, "o", ms=4, color=color)
            ax2.plot(traj.flight_time[i] / 60, 0, "x", color=color)
            ax2.annotate(
                f"{traj.flight_time[i] / 60:.1f} min",
                (traj.flight_time[i] / 60, 0),
                textcoords="offset points",
                xytext=(-14, 6),
                fontsize=7,
                rotation=90,
            )
    ax1.set_xlabel("downrange [km]")
    ax1.set_ylabel("altitude [km]")
    ax1.set_aspect("equal", adjustable="box")
    ax1.set_xlim(left=min(0.0, ax1.get_xlim()[0]))
    ax1.set_ylim(bottom=0.0)
    ax1.grid(alpha=0.3)
    ax1.set_title("profile, true scale (o burnout, v apogee)", fontsize=9)
    ax2.set_xlabel("time since launch [min]")
    ax2.set_ylabel("altitude [km]")
    ax2.set_ylim(bottom=0)
    ax2.grid(alpha=0.3)
    ax2.set_title("altitude against time (x impact)", fontsize=9)
    if labels:
        ax1.legend(fontsize=7, loc="upper right")
    if title:
        fig.suptitle(title, fontsize=11)
    return finish_figure(fig, path, dpi=120)
