"""`bmdlab scenario list` fits scripts (issue #26): piped, plain tab-separated columns with every name whole."""

from typer.testing import CliRunner

from bmdlab.api import scenario_rows
from bmdlab.catalog import builtin_catalog
from bmdlab.cli import app


def test_piped_list_is_plain_columns_with_whole_names():
    res = CliRunner().invoke(app, ["scenario", "list"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split("\t") == ["name", "origin", "units", "raid", "description"]
    names = [line.split("\t")[0] for line in lines[1:]]
    assert names == [r.name for r in scenario_rows(builtin_catalog())]
    assert "japan-2028-aegis-ashore" in names and not any("…" in n for n in names)
