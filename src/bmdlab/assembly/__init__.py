"""Assembly: a scenario, the catalog and a caller's overrides, resolved once into what the models compute on.

:class:`~bmdlab.assembly.overrides.Overrides` is everything a caller may change (each bound defined in
:mod:`bmdlab.bounds`); :func:`~bmdlab.assembly.setup.assemble` resolves a scenario with them into a
:class:`~bmdlab.assembly.setup.Setup` (units, sensors, threat cases, per-unit numbers, raid and costs),
the only place where bmdlab decides which value wins.
"""

from bmdlab.assembly.overrides import Overrides
from bmdlab.assembly.setup import Setup, assemble

__all__ = ["Overrides", "Setup", "assemble"]
