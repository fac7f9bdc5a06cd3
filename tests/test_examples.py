"""The example notebook runs from top to bottom and shows what its text says (executed with nbclient)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"


def test_quickstart_notebook_runs_and_agrees_with_the_api(tmp_path):
    import bmdlab

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    # the printed coverage is the API's, computed independently here
    cov = bmdlab.Analysis("japan-2017-aegis-ashore").coverage(resolution_km=20)
    assert f"{cov.land_fraction:.1%} of Japan's land" in text
    # the raid line shows a CI around the mean and the same seed gives the same numbers
    raid = bmdlab.Analysis("japan-2017-aegis-ashore", seed=2017).raid(missiles=200, trials=2000)
    assert f"expected leakers {raid.expected_leakers:.1f} of 200" in text
    # the inline map is a PNG in the outputs (not an Agg-only file write)
    assert any(
        "image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert re.search(r"seed=2017", text)
