"""The shipped catalog: required keys, every value sourced, and one-line errors for bad files."""

import math
import re

import pytest

from bmdlab.catalog import KINDS, builtin_catalog, load_catalog
from bmdlab.catalog.schema import Value
from bmdlab.errors import BmdlabError

REQUIRED = {
    "missiles": {
        "scud-b",
        "scud-c",
        "scud-er",
        "nodong",
        "musudan",
        "pukguksong-2",
        "hwasong-12",
        "hwasong-14",
        "hwasong-15",
        "kn-23",
        "hwasong-8",
        "hwasong-16b",
        "hwasong-17",
        "hwasong-18",
        "hwasong-19",
    },
    "interceptors": {"sm-3-ia", "sm-3-ib", "sm-3-iia", "pac-3-cri", "pac-3-mse", "thaad", "sm-6"},
    "units": {"kongo-class", "atago-class", "maya-class", "aegis-ashore", "thaad-battery", "pac-3-fire-unit", "asev"},
}


def test_required_keys_exactly():
    cat = builtin_catalog()
    for kind, keys in REQUIRED.items():
        assert set(cat.kind(kind)) == keys, kind


def test_sensors_and_places_present():
    cat = builtin_catalog()
    assert len(cat.sensors) >= 6
    kinds = {p.kind for p in cat.places.values()}
    assert {"launch-area", "aegis-ashore-site", "radar-site", "pac-3-site", "sea-station"} <= kinds
    assert {"araya", "mutsumi"} <= set(cat.places)
    assert len(cat.places_of("launch-area")) >= 8


def test_every_value_has_a_known_source_and_si_form():
    cat = builtin_catalog()
    n = 0
    for _, _, entry in cat.items():
        for val in entry.__dict__.values():
            if isinstance(val, Value):
                n += 1
                assert val.source in cat.sources
                if val.unit not in ("text", "hits/attempts"):
                    assert math.isfinite(val.si()), (val.source, val.unit)  # a finite number, not NaN
    assert n > 100


def test_sources_md_lists_every_source():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "data" / "SOURCES.md").read_text(encoding="utf-8")
    missing = [s for s in builtin_catalog().sources if s not in text]
    assert not missing


def test_hash_is_stable_and_follows_the_data(catalog_copy, catalog_with):
    assert load_catalog().hash == builtin_catalog().hash
    assert re.fullmatch(r"[0-9a-f]{16}", builtin_catalog().hash)
    # an unchanged copy hashes the same; one changed value changes the hash
    assert load_catalog(catalog_copy).hash == builtin_catalog().hash
    changed = catalog_with("units.yaml", "units", "thaad-battery", "magazine", value=40)
    assert load_catalog(changed).hash != builtin_catalog().hash


def test_unknown_key_suggests_the_closest():
    with pytest.raises(BmdlabError, match="did you mean 'hwasong-12'"):
        builtin_catalog().missile("hwasong12")


def _corrupt(path, old, new):
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_bad_unit_is_one_line_naming_the_field(catalog_copy):
    _corrupt(catalog_copy / "missiles.yaml", "unit: km", "unit: kms")
    with pytest.raises(BmdlabError) as exc:
        load_catalog(catalog_copy)
    msg = str(exc.value)
    assert "missiles.yaml" in msg and "unit 'kms' is not allowed" in msg and "\n" not in msg


def test_unknown_source_is_an_error(catalog_copy):
    text = (catalog_copy / "missiles.yaml").read_text()
    src = re.search(r"source: ([\w.-]+)", text).group(1)
    _corrupt(catalog_copy / "missiles.yaml", f"source: {src}", "source: no-such-source")
    with pytest.raises(BmdlabError, match="no-such-source.*not in sources.yaml"):
        load_catalog(catalog_copy)


def test_invalid_yaml_and_missing_file(catalog_copy):
    (catalog_copy / "units.yaml").write_text("units: {kongo-class: [unclosed\n")
    with pytest.raises(BmdlabError, match="units.yaml: not valid YAML"):
        load_catalog(catalog_copy)
    (catalog_copy / "units.yaml").unlink()
    with pytest.raises(BmdlabError, match="units.yaml: catalog file is missing"):
        load_catalog(catalog_copy)
    with pytest.raises(BmdlabError, match="does not exist"):
        load_catalog(catalog_copy / "nope")


def test_unit_must_reference_a_known_interceptor(catalog_copy):
    _corrupt(catalog_copy / "units.yaml", "interceptor: pac-3-cri", "interceptor: pac-3-cr")
    with pytest.raises(BmdlabError, match="interceptor.*did you mean 'pac-3-cri'"):
        load_catalog(catalog_copy)


def test_value_rules():
    ok = dict(source="x", year=2017, confidence="stated")
    assert Value(value=[1000, 1300], unit="km", **ok).si() == pytest.approx(1.15e6)
    assert Value(value=[1000, 1300], unit="km", **ok).high == 1300
    assert Value(value=[4, 6], unit="hits/attempts", **ok).nominal == pytest.approx(4 / 6)
    for bad in (
        dict(value="fast", unit="km"),
        dict(value=[5, 4], unit="hits/attempts"),
        dict(value=1, unit="km", confidence="guess"),
    ):
        with pytest.raises(ValueError):
            Value(**{**ok, **bad})
    assert set(KINDS) == {"missiles", "interceptors", "sensors", "units", "places"}
