"""The study's raid model check: every row agrees, and a row that misses says so."""

from bmdlab.catalog import builtin_catalog
from bmdlab.study.raid_model_check import _row, raid_model_check


def test_every_raid_model_agrees_with_its_independent_answer():
    rows = raid_model_check(builtin_catalog())
    assert {r["model"] for r in rows} >= {
        "fire channels",
        "C2 decision queue",
        "availability",
        "common-mode failures",
        "preferential defence",
        "campaign magazines",
        "WTA heuristic",
    }
    assert all(r["within"] for r in rows), [r for r in rows if not r["within"]]


def test_a_row_outside_its_tolerance_is_reported_as_not_agreeing():
    assert _row("m", "c", 10.0, 10.5, 0.4, "ref", "t")["within"] is False
    assert _row("m", "c", 10.0, 10.3, 0.4, "ref", "t")["within"] is True
