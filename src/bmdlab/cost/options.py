"""The architectures a trade-off compares: the trade-off options of ``bmdlab/scenarios/options/options.yaml``.

The options are data: the three 2017 scenarios and scenario files derived from them (more units,
larger magazines, more ships on station), resolved like any scenario (:func:`bmdlab.scenario.resolve_scenario`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bmdlab.catalog import Catalog
from bmdlab.errors import unknown_key
from bmdlab.scenario import Scenario, resolve_scenario, scenario_options


@dataclass(frozen=True)
class Option:
    """One architecture of the trade-off."""

    key: str
    label: str
    scenario: Scenario
    note: str = ""


def tradeoff_options(catalog: Catalog) -> list[Option]:
    """The built-in option set, in its order, each scenario checked against ``catalog``."""
    return [Option(o.key, o.label, resolve_scenario(o.key, catalog), o.note) for o in scenario_options()]


def option_by_key(catalog: Catalog, key: str) -> Option:
    keys = [o.key for o in scenario_options()]
    if key not in keys:
        raise unknown_key("trade-off option", key, keys)
    o = next(o for o in scenario_options() if o.key == key)
    return Option(o.key, o.label, resolve_scenario(o.key, catalog), o.note)


__all__ = ["Option", "option_by_key", "tradeoff_options"]
