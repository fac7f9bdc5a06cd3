"""
A trajectory's profile: a Nodong from Wonsan to Tokyo
=====================================================

A minimum-energy flight and a lofted one over the same ground range: altitude against ground range,
with the figures :class:`bmdlab.TrajectoryResult` gives (range, apogee, flight time).
"""

import matplotlib.pyplot as plt
import numpy as np

import bmdlab

EARTH_RADIUS_KM = 6371.0


def ground_range_km(df):
    """Great-circle distance of each sample from the launch point (haversine)."""
    lat, lon = np.radians(df["lat_deg"].to_numpy()), np.radians(df["lon_deg"].to_numpy())
    h = np.sin((lat - lat[0]) / 2) ** 2 + np.cos(lat[0]) * np.cos(lat) * np.sin((lon - lon[0]) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


a = bmdlab.Analysis("japan-2017-baseline")
flights = {
    "minimum energy": a.trajectory("wonsan", "tokyo", missile="nodong"),
    "lofted to 500 km": a.trajectory("wonsan", "tokyo", missile="nodong", shape="lofted", apogee_km=500),
}

fig, ax = plt.subplots(figsize=(7, 3.5))
for label, f in flights.items():
    df = f.to_frame(points=300)
    ax.plot(ground_range_km(df), df["altitude_km"], label=f"{label}: {f.flight_time_s / 60:.1f} min")
    print(f"{label}: range {f.range_km:,.0f} km, apogee {f.apogee_km:,.0f} km, {f.flight_time_s / 60:.1f} min")
ax.set_xlabel("ground range from Wonsan [km]")
ax.set_ylabel("altitude [km]")
ax.set_title("Nodong, Wonsan to Tokyo")
ax.legend()
fig.tight_layout()
