"""
A raid's leakers
================

The Monte Carlo of the default 200-missile raid against the 2017 baseline and against the THAAD
architecture, on the same seed: the distribution of missiles not intercepted
(:meth:`bmdlab.Analysis.raid`, :meth:`bmdlab.RaidResult.to_frame`), with each expected value's
95 % interval.
"""

import matplotlib.pyplot as plt

import bmdlab

fig, ax = plt.subplots(figsize=(7, 3.5))
for name in ("japan-2017-baseline", "japan-2017-thaad"):
    raid = bmdlab.Analysis(name, seed=2017).raid(trials=2000)
    lo, hi = raid.expected_leakers_ci95
    print(f"{name}: expected leakers {raid.expected_leakers:.1f} (95 % CI {lo:.1f}-{hi:.1f}) of {raid.missiles}")
    df = raid.to_frame()
    ax.step(df["leakers"], df["probability"], where="mid", label=f"{name}: mean {raid.expected_leakers:.1f}")
ax.set_xlabel("leakers (missiles not intercepted)")
ax.set_ylabel("share of 2,000 trials")
ax.legend()
fig.tight_layout()
