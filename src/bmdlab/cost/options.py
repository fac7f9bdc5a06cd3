"""The architectures a trade-off compares: the three 2017 scenarios and mixes built from them.

Each option is a scenario derived from a built-in one by adding units or changing load-outs, so that
coverage, raids and cost all run on it unchanged. The set answers the debate's questions: two Aegis
Ashore sites or six THAAD batteries, a mix of the two, more interceptors per ship, more ships on
station.
"""

from __future__ import annotations

from dataclasses import dataclass

from bmdlab.catalog import Catalog
from bmdlab.errors import BmdlabError, unknown_key
from bmdlab.scenario import MoneySpec, Scenario, UnitSpec, load_scenario


@dataclass(frozen=True)
class Option:
    """One architecture of the trade-off."""

    key: str
    label: str
    scenario: Scenario
    note: str = ""


def _derive(
    base: Scenario,
    name: str,
    *,
    add: list[UnitSpec] | None = None,
    keep=lambda u: True,
    inventory: dict[str, int] | None = None,
    unit_cost: dict[str, MoneySpec] | None = None,
    description: str = "",
) -> Scenario:
    units = [
        u.model_copy(update={"inventory": inventory[u.unit]}) if inventory and u.unit in inventory else u
        for u in base.architecture.units
        if keep(u)
    ]
    units += add or []
    arch = base.architecture.model_copy(update={"units": units})
    cost = base.cost.model_copy(update={"unit_cost": {**base.cost.unit_cost, **(unit_cost or {})}})
    return base.model_copy(
        update={"name": name, "architecture": arch, "cost": cost, "description": description or base.description}
    )


def tradeoff_options(catalog: Catalog) -> list[Option]:
    """The built-in option set (keys are stable; labels are for tables and plots)."""
    base = load_scenario("japan-2017-baseline", catalog)
    aa = load_scenario("japan-2017-aegis-ashore", catalog)
    thaad = load_scenario("japan-2017-thaad", catalog)
    thaad_units = [u for u in thaad.architecture.units if u.unit == "thaad-battery"]
    araya = next(u for u in aa.architecture.units if u.at == "araya")
    # Atago-class BMD upgrade: no open price (catalog note); the Kongo-class modification cost
    # (JPY 23.3-34.0 bn incl. SM-3, 2004-2010) is used instead, mid-range.
    kongo_cost = catalog.units["kongo-class"].unit_cost
    atago_upgrade = MoneySpec(
        value=kongo_cost.nominal,
        currency="JPY",
        price_year=kongo_cost.year,
        source=f"{kongo_cost.source} (Kongo-class BMD modification cost used for the Atago upgrade)",
    )
    western = [u for u in thaad_units if u.at.lon < 136.0] if thaad_units else []  # type: ignore[union-attr]
    return [
        Option("baseline", "2017 baseline (4 Aegis ships + PAC-3)", base),
        Option("aegis-ashore", "Baseline + 2 Aegis Ashore", aa),
        Option("thaad", f"Baseline + {len(thaad_units)} THAAD", thaad),
        Option(
            "aegis-ashore-1-thaad",
            f"Baseline + Aegis Ashore Araya + {len(western)} THAAD (west)",
            _derive(
                base,
                "mix-aegis-ashore-1-thaad",
                add=[araya, *western],
                description="Baseline plus one Aegis Ashore site (Araya) and the THAAD batteries west of 136 E.",
            ),
            "one Aegis Ashore site in the north, THAAD in the west",
        ),
        Option(
            "baseline-16-sm3",
            "Baseline, 16 SM-3 per ship",
            _derive(
                base,
                "baseline-16-sm3",
                inventory={"kongo-class": 16},
                description="Baseline with 16 SM-3 IA per Kongo-class ship instead of 8.",
            ),
            "more interceptors per unit",
        ),
        Option(
            "aegis-ashore-48",
            "Baseline + 2 Aegis Ashore, 48 SM-3 each",
            _derive(
                aa,
                "aegis-ashore-48",
                inventory={"aegis-ashore": 48},
                description="Two Aegis Ashore sites with 48 SM-3 IIA each (a second 24-round load, launchers assumed reloadable).",
            ),
            "more interceptors per unit",
        ),
        Option(
            "baseline-6-ships",
            "Baseline + 2 Atago-class on station",
            _derive(
                base,
                "baseline-6-ships",
                add=[
                    UnitSpec(
                        unit="atago-class",
                        at="station-sea-of-japan-central",
                        name="Atago-class destroyer (central station)",
                    ),
                    UnitSpec(
                        unit="atago-class", at="station-sea-of-japan-west", name="Atago-class destroyer (west station)"
                    ),
                ],
                unit_cost={"atago-class": atago_upgrade},
                description="Baseline plus the two Atago-class destroyers upgraded for BMD (SM-3 IB) on Sea of Japan stations.",
            ),
            "more destroyers on station (Atago upgrade priced as the Kongo modification)",
        ),
    ]


def option_by_key(catalog: Catalog, key: str) -> Option:
    opts = {o.key: o for o in tradeoff_options(catalog)}
    if key not in opts:
        raise unknown_key("trade-off option", key, opts)
    return opts[key]


def scenario_names(catalog: Catalog) -> dict[str, str]:
    """Every scenario name a command accepts besides a YAML path: {name: "built-in" | "trade-off option"}."""
    from bmdlab.scenario import builtin_scenarios

    names = {n: "built-in" for n in builtin_scenarios()}
    for o in tradeoff_options(catalog):
        names.setdefault(o.key, "trade-off option")
    return names


def resolve_scenario(name: str | Scenario, catalog: Catalog, parameter: str = "scenario") -> Scenario:
    """A scenario from a built-in name, a trade-off option key, a YAML path, or a :class:`Scenario` as is.

    One resolver for every command and the Python API, so that a name accepted by one is accepted by all.

    Raises
    ------
    BmdlabError
        One line naming ``parameter`` and the accepted names when ``name`` is none of them.
    """
    from pathlib import Path

    from bmdlab.scenario import builtin_scenarios

    if isinstance(name, Scenario):
        from bmdlab.scenario import check_against_catalog

        check_against_catalog(name, catalog, name.name)
        return name
    text = str(name)
    if text in builtin_scenarios():
        return load_scenario(text, catalog)
    if not text.endswith((".yaml", ".yml")) and not Path(text).is_file():
        opts = {o.key: o for o in tradeoff_options(catalog)}
        if text in opts:
            return opts[text].scenario
        raise BmdlabError(
            f"{parameter}: '{text}' is neither a built-in scenario ({', '.join(builtin_scenarios())}), "
            f"a trade-off option ({', '.join(opts)}) nor a readable YAML file"
        )
    return load_scenario(text, catalog)


__all__ = ["Option", "option_by_key", "resolve_scenario", "scenario_names", "tradeoff_options", "BmdlabError"]
