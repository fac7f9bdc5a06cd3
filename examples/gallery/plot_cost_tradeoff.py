"""
Cost against leakers: three architectures
=========================================

The life-cycle cost of each 2017 architecture over 30 years (yen of 2017,
:meth:`bmdlab.Analysis.cost`) against the expected leakers of a 100-missile raid
(:meth:`bmdlab.Analysis.raid`), with the raid's 95 % interval as error bars. ``bmdlab tradeoff``
does the same for seven architectures, with the Pareto frontier.
"""

import matplotlib.pyplot as plt

import bmdlab

fig, ax = plt.subplots(figsize=(7, 4))
for name in ("japan-2017-baseline", "japan-2017-aegis-ashore", "japan-2017-thaad"):
    a = bmdlab.Analysis(name, seed=2017)
    cost, raid = a.cost(), a.raid(missiles=100, trials=1000)
    lo, hi = raid.expected_leakers_ci95
    bn = cost.total_jpy / 1e9
    print(f"{name}: ¥{bn:,.0f} bn ({cost.price_year} yen), {raid.expected_leakers:.1f} leakers of 100")
    ax.errorbar(bn, raid.expected_leakers, yerr=[[raid.expected_leakers - lo], [hi - raid.expected_leakers]], fmt="o")
    ax.annotate(
        name.removeprefix("japan-2017-"), (bn, raid.expected_leakers), textcoords="offset points", xytext=(6, 6)
    )
ax.set_xlabel("life-cycle cost, 30 years [¥ bn, yen of 2017]")
ax.set_ylabel("expected leakers of 100 missiles")
fig.tight_layout()
