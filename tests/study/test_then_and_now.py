"""The then-and-now section's pieces (bmdlab.study.then_and_now): recomputing one missile's cases changes nothing
when nothing changed, the robustness labels name exactly the values that flip a verdict, and the spans hold the
nominal shares. The section as a whole runs in the study's tests (tests/study/test_japan2017.py)."""

import pytest

from bmdlab.assembly.setup import assemble
from bmdlab.catalog import builtin_catalog
from bmdlab.coverage.national import national_coverages
from bmdlab.geo.grid import land_grid
from bmdlab.scenario import load_scenario
from bmdlab.study import then_and_now as tn

CAT = builtin_catalog()


@pytest.fixture(scope="module")
def covs():
    names = (tn.THEN, tn.NOW, tn.NOW_AA)
    setups = [assemble(load_scenario(n, CAT), CAT) for n in names]
    return dict(zip(names, national_coverages(setups, land_grid(80.0), workers=1)))


def test_recomputing_one_missile_with_the_same_catalog_changes_nothing(covs):
    shares, verdicts = tn._variant(CAT, covs, "hwasong-8")
    assert shares == tn.parts(covs, CAT)
    assert verdicts == tn.verdicts(tn.parts(covs, CAT))


def test_a_changed_vehicle_moves_only_its_class(covs):
    # a glider that cannot fly (lift-to-drag at the low end of its range, 1.5) changes the boost-glide shares
    # only; the ballistic and quasi-ballistic ones stay as they were
    from bmdlab.catalog.variants import with_values

    var = with_values(CAT, {("missiles", "hwasong-8", "lift_to_drag"): 1.5})
    shares, _ = tn._variant(var, covs, "hwasong-8")
    base = tn.parts(covs, CAT)
    for part in base:
        for cls in ("ballistic", "quasi-ballistic"):
            if cls in base[part]:
                assert shares[part][cls] == base[part][cls]


def test_labels_name_the_values_that_flip():
    base = {
        "aegis_ashore_covers": {"now": {"boost-glide": {"verdict": "does not hold"}}},
        "asev_replaces": {"boost-glide": {"verdict": "holds"}},
    }
    flips = [("asev_replaces.boost-glide", "low (1.5 ratio)", "hwasong-8 lift to drag", "partly")]
    labels = tn._labels(base, flips)
    assert labels["aegis_ashore_covers.now.boost-glide"]["label"] == "robust"
    assert labels["asev_replaces.boost-glide"]["label"] == "depends on hwasong-8 lift to drag"


def test_spans_hold_every_run_and_name_their_ends():
    runs = [
        ("nominal", {"asev_now": {"boost-glide": {"population_fraction": 0.5}}}),
        ("a low", {"asev_now": {"boost-glide": {"population_fraction": 0.2}}}),
        ("a high", {"asev_now": {"boost-glide": {"population_fraction": 0.7}}}),
    ]
    span = tn._spans(runs)["asev_now"]["boost-glide"]
    assert (span["low"], span["high"], span["low_by"], span["high_by"]) == (0.2, 0.7, "a low", "a high")


def test_a_tie_goes_to_the_catalog_values():
    runs = [
        ("the catalog values", {"asev_now": {"boost-glide": {"population_fraction": 0.5}}}),
        ("a", {"asev_now": {"boost-glide": {"population_fraction": 0.5}}}),
    ]
    span = tn._spans(runs)["asev_now"]["boost-glide"]
    assert span["low_by"] == span["high_by"] == "the catalog values"
