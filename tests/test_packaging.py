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
    for f in PROJECT["license-files"]:
        assert (ROOT / f).is_file(), f


def test_every_vendored_licence_is_declared():
    vendor = ROOT / "src" / "bmdlab" / "web" / "static" / "vendor"
    shipped = {str(p.relative_to(ROOT)) for p in vendor.glob("*/LICENSE")}
    assert shipped and shipped <= set(PROJECT["license-files"])
    # their licences are in the expression: Leaflet BSD-2-Clause, Swagger UI Apache-2.0
    assert "BSD 2-Clause" in (vendor / "leaflet" / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in (vendor / "swagger-ui" / "LICENSE").read_text(encoding="utf-8")
    assert {"BSD-2-Clause", "Apache-2.0"} <= set(PROJECT["license"].split(" AND "))
