"""
Coverage of two Aegis Ashore sites at 40 km
===========================================

Japan's land shaded by how many shot opportunities the ``japan-2017-aegis-ashore`` architecture has
against the worst threat that reaches each 40 km cell, and the shares of land and people it defends
(:meth:`bmdlab.Analysis.coverage`, :class:`bmdlab.CoverageResult`). A 40 km grid keeps this quick;
the study uses 5 km.
"""

import bmdlab
from bmdlab.numbers import percent  # never shows 100 % for less than 100 %

cov = bmdlab.Analysis("japan-2017-aegis-ashore").coverage(resolution_km=40)
print(f"land defended {percent(cov.land_fraction)}, people defended {percent(cov.population_fraction)}")
for row in cov.regions().itertuples():
    print(
        f"{row.region:15s} land {percent(row.defended_land_fraction):>8s}"
        f"  people {percent(row.defended_population_fraction):>8s}"
    )

# %%
# The map: ``cov.plot()`` returns a Matplotlib figure (``cov.plot("map.png")`` writes a PNG instead).

fig = cov.plot(title="japan-2017-aegis-ashore, 40 km grid")
