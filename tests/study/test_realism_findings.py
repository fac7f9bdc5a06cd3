"""The raid-realism section's findings are computed by rules: change an input, the sentence changes."""

import numpy as np

from bmdlab.engagement.paired import compare_verdict, paired_difference
from bmdlab.study.realism_section import (
    availability_finding,
    campaign_finding,
    doctrine_finding,
    raid_headline,
    step_finding,
)


def _avail(all_on, expected, p05):
    return {"population_fraction": {"all_on_station": all_on, "expected": expected, "p05": p05}}


def test_availability_finding_names_the_architecture_that_loses_most():
    runs = {"ships": _avail(0.98, 0.60, 0.10), "ashore": _avail(1.0, 0.97, 0.90)}
    text = availability_finding(runs)
    assert text.startswith("With units on station only with their availability, ships defends 60.0 %")
    assert "ashore loses least" in text
    runs["ashore"] = _avail(1.0, 0.30, 0.0)  # now the land sites lose more
    assert availability_finding(runs).startswith("With units on station only with their availability, ashore")


def _step(step, d, lo, hi):
    return {"step": step, "change_from_previous": {"difference": d, "ci95": [lo, hi]}}


def test_step_finding_picks_the_largest_paired_change():
    steps = {"a": [{"step": "ideal"}, _step("channels", 30.0, 29.0, 31.0), _step("availability", 10.0, 9.0, 11.0)]}
    assert "a: channels (+30.0 leakers" in step_finding(steps)
    steps["a"][2] = _step("availability", 40.0, 39.0, 41.0)
    assert "a: availability (+40.0 leakers" in step_finding(steps)


def _doc(name, value, change=None):
    row = {"doctrine": name, "expected_surviving_value_fraction": value}
    if change is not None:
        row["surviving_value_change_from_shoot_look_shoot"] = {"difference": change[0], "ci95": [change[1], change[2]]}
    return row


def test_doctrine_finding_follows_the_paired_interval():
    rows = [
        _doc("shoot-look-shoot", 0.20),
        _doc("salvo", 0.25, (0.05, 0.04, 0.06)),
        _doc("preferential", 0.30, (0.10, 0.09, 0.11)),
    ]
    text = doctrine_finding({"x": rows})
    assert "x: preferential keeps the most value" in text and "preferential defence raises it" in text
    rows[2] = _doc("preferential", 0.201, (0.001, -0.002, 0.004))
    text = doctrine_finding({"x": rows})
    assert "salvo keeps the most value" in text and "does not resolvably change it" in text


def _wave(i, mean, lo, hi):
    return {"wave": i, "at_h": 12.0 * (i - 1), "expected_leakers": mean, "expected_leakers_ci95": [lo, hi]}


def test_campaign_finding_reports_the_first_resolvably_worse_wave_and_run_outs():
    run = {
        "waves": [_wave(1, 10, 9, 11), _wave(2, 11, 10, 12), _wave(3, 20, 19, 21)],
        "run_out_h": {"sm-3-ia": {"median_h": 24.0}, "pac-3-cri": {"median_h": None}},
    }
    text = campaign_finding({"x": run})
    assert "resolvably more from wave 3" in text and "sm-3-ia none ready on station by 24 h" in text
    run["waves"][2] = _wave(3, 11.5, 10.5, 12.5)
    run["run_out_h"]["sm-3-ia"]["median_h"] = None
    text = campaign_finding({"x": run})
    assert "no later wave resolvably worse" in text and "no interceptor type runs out" in text


def test_paired_difference_and_verdict_against_numpy():
    rng = np.random.default_rng(4)
    a = rng.poisson(50, 1000).astype(float)
    b = a - rng.poisson(3, 1000)
    p = paired_difference(a, b)
    d = b - a
    half = 1.96 * d.std(ddof=1) / np.sqrt(d.size)
    assert p["difference"] == d.mean() and np.allclose(p["ci95"], [d.mean() - half, d.mean() + half])
    assert p["independent_ci95_half_width"] > half  # pairing narrows the interval here
    assert "fewer" in compare_verdict("A", "B", p["difference"], tuple(p["ci95"]), 200, 1000)


def test_the_raid_headline_names_the_step_that_adds_most_leakers_over_the_architectures():
    steps = {
        "a": [{"step": "ideal"}, _step("channels", 80.0, 79, 81), _step("availability", 10.0, 9, 11)],
        "b": [{"step": "ideal"}, _step("channels", 5.0, 4, 6), _step("availability", 12.0, 11, 13)],
    }
    assert raid_headline(steps) == "Fire channels add the most leakers."
    steps["a"][1] = _step("channels", 1.0, 0, 2)
    assert raid_headline(steps) == "Units off station add the most leakers."


def test_the_ship_time_away_in_the_report_comes_from_the_catalog():
    from bmdlab.catalog import builtin_catalog
    from bmdlab.study.realism_section import _ship_away_h

    ship = builtin_catalog().units["kongo-class"]
    run = {
        "units": [
            {
                "unit": "kongo-class",
                "basing": "sea",
                "reload_time_h": ship.reload_time.si() / 3600,
                "port_transit_time_h": ship.port_transit_time.si() / 3600,
            },
            {"unit": "pac-3-fire-unit", "basing": "land", "reload_time_h": 0.75, "port_transit_time_h": None},
        ]
    }
    assert _ship_away_h({"a": run}) == {"kongo-class": 72.0}  # 2 x 24 h transit + 24 h in port (catalog)
