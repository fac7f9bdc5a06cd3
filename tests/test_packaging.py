"""Packaging metadata: the licence pyproject.toml names is a file in the repository, and every licence
of code the package ships (the vendored web assets) travels with it."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_licence_named_in_pyproject_is_the_license_file():
    expression = PROJECT["license"]
    assert expression.split(" AND ")[0] == "BSD-3-Clause"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License") and "Redistribution and use in source and binary forms" in text
    for pattern in PROJECT["license-files"]:
        assert list(ROOT.glob(pattern)), pattern  # every entry names files that exist


def _licence_files() -> list[Path]:
    return [p for pattern in PROJECT["license-files"] for p in ROOT.glob(pattern)]


def test_every_licence_in_the_expression_has_its_text_or_notice_shipped():
    # each SPDX id of pyproject's expression, and a phrase its licence text (or notice) must contain
    marker = {
        "BSD-3-Clause": "BSD 3-Clause License",
        "BSD-2-Clause": "BSD 2-Clause",
        "Apache-2.0": "Apache License",
        "MIT": "Permission is hereby granted, free of charge",
        "ISC": "Permission to use, copy, modify",
        "CC-BY-4.0": "creativecommons.org/licenses/by/4.0",
    }
    texts = [p.read_text(encoding="utf-8") for p in _licence_files()]
    ids = PROJECT["license"].split(" AND ")
    assert set(ids) <= set(marker), ids
    for spdx in ids:
        assert any(marker[spdx] in t for t in texts), f"no licence file for {spdx}"


def test_the_geodata_licences_are_package_data():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"][
        "bmdlab"
    ]
    assert "geo/data/licenses/*" in data
    shipped = {p.name for p in (ROOT / "src" / "bmdlab" / "geo" / "data" / "licenses").glob("*.txt")}
    assert {
        "global-land-mask-MIT.txt",
        "GeoNames-CC-BY-4.0-NOTICE.txt",
        "world-atlas-ISC.txt",
        "japanmap-Apache-2.0.txt",
    } <= shipped


def test_every_vendored_licence_is_declared():
    vendor = ROOT / "src" / "bmdlab" / "web" / "static" / "vendor"
    shipped = {str(p.relative_to(ROOT)) for p in vendor.glob("*/LICENSE")}
    assert shipped and shipped <= set(PROJECT["license-files"])
    # their licences are in the expression: Leaflet BSD-2-Clause, Swagger UI Apache-2.0
    assert "BSD 2-Clause" in (vendor / "leaflet" / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in (vendor / "swagger-ui" / "LICENSE").read_text(encoding="utf-8")
    assert {"BSD-2-Clause", "Apache-2.0"} <= set(PROJECT["license"].split(" AND "))
