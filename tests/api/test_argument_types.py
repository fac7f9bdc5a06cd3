"""Every public function of the Python API refuses an argument of the wrong kind before any work, with a one-line
:class:`BmdlabError` naming the parameter (issue #22, item 6): an object, a list where a name or number goes,
a boolean where a number goes. Found by calling each function with valid arguments and one of them replaced,
so a parameter added later without a check fails here (``test_every_parameter_is_probed``).
"""

from __future__ import annotations

import inspect
import signal

import pytest

import bmdlab
from bmdlab.catalog import builtin_catalog
from bmdlab.errors import BmdlabError

CAT = builtin_catalog()
A = bmdlab.Analysis("japan-2017-thaad", catalog=CAT)

#: Valid arguments of each function (small and fast: a wrong value must be refused before any of it runs).
VALID = {
    "Analysis.budget": dict(budget_jpy=1e12, trials=10),
    "Analysis.campaign": dict(waves=2, every_h=1.0, missiles=10, trials=10),
    "Analysis.check_raid": dict(trials=10),
    "Analysis.check_site": dict(system="thaad-battery", count=1),
    "Analysis.site": dict(system="thaad-battery", count=1),
    "Analysis.coverage": dict(resolution_km=100.0),
    "Analysis.rotation": dict(resolution_km=100.0, days=1.0, compare_with="japan-2017-aegis-ashore"),
    "Analysis.footprint": dict(unit="thaad-battery", at="tokyo", missile="nodong", launch="sunan"),
    "Analysis.footprint_checks": dict(resolution_km=100.0, cases=["pac-3-radius"]),
    "Analysis.raid": dict(trials=10),
    "Analysis.study": dict(out="unused-study-folder", resolution_km=200.0),
    "Analysis.sweep": dict(axes=["missiles=10"], out="unused.duckdb", trials=10),
    "Analysis.sweep_estimate": dict(axes=["missiles=10"]),
    "Analysis.tornado": dict(missiles=10, trials=10),
    "Analysis.tradeoff": dict(raid=10, trials=10, resolution_km=100.0),
    "Analysis.uncertainty": dict(samples=2, trials=10, missiles=10, workers=1),
    "Analysis.uncertainty_estimate": dict(samples=2),
    "Analysis.trajectory": dict(launch="sunan", aim="tokyo", missile="nodong"),
    "analytic": dict(missiles=10, sspk=0.8, shots_per_missile=2),
    "compare": dict(a="japan-2017-thaad", b="japan-2017-baseline", trials=10),
    "wta": dict(random="5x5"),
    "resolve_place": dict(at="tokyo", catalog=CAT),
    "resolve_scenario": dict(name="japan-2017-thaad", catalog=CAT),
    "Analysis": dict(scenario="japan-2017-thaad"),
    "CoverageCache": dict(catalog=CAT),
}
#: Parameters not probed, and why.
NOT_PROBED = {
    ("Analysis.study", "console"): "any object with Rich's print (a duck-typed console)",
}
#: Parameters whose errors use the name the caller gave (``resolve_place(at, catalog, parameter="place")``).
NAMED_AS = {("resolve_place", "at"): "place", ("resolve_scenario", "name"): "scenario"}
#: Valid arguments for parameters that exclude those of :data:`VALID` (an aim point or a range and azimuth).
_RANGE = dict(launch="sunan", range_km=900.0, azimuth_deg=90.0, missile="nodong")
_ARRAYS = dict(values=[1.0, 2.0], kill_probability=[[0.5, 0.5]])
VALID_FOR = {
    ("Analysis.trajectory", "range_km"): _RANGE,
    ("Analysis.trajectory", "azimuth_deg"): _RANGE,
    ("wta", "values"): _ARRAYS,
    ("wta", "kill_probability"): _ARRAYS,
}
#: Probes that are right for the parameter: ``[1]`` is a list of one target value.
RIGHT = {("wta", "values", "list")}
#: Parameters that take a yes/no: a boolean is right there, so only the other wrong kinds are tried.
FLAGS = {"keep_trials"}


def _function(name: str):
    if name.startswith("Analysis."):
        return getattr(A, name.split(".", 1)[1])
    return getattr(bmdlab, name)


def _parameters(name: str) -> list[str]:
    sig = inspect.signature(_function(name))
    kinds = (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    return [p.name for p in sig.parameters.values() if p.kind not in kinds and (name, p.name) not in NOT_PROBED]


CASES = [
    pytest.param(fn, param, wrong, id=f"{fn}-{param}-{label}")
    for fn in VALID
    for param in _parameters(fn)
    for label, wrong in (("object", object()), ("list", [1]), ("bool", True))
    if not (label == "bool" and param in FLAGS) and (fn, param, label) not in RIGHT
]


class _TooSlow(Exception):
    pass


def _call_briefly(fn, kwargs, seconds: int = 20):
    """Call ``fn``; an argument that is not refused would start the work, which this stops."""

    def stop(*_):
        raise _TooSlow(f"{fn} accepted the argument and started working")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        return fn(**kwargs)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("fn, param, wrong", CASES)
def test_a_wrong_kind_of_argument_is_refused_naming_the_parameter(fn, param, wrong, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the valid output paths are never written (the call fails first)
    kwargs = {**VALID_FOR.get((fn, param), VALID[fn]), param: wrong}
    with pytest.raises(BmdlabError) as info:
        _call_briefly(_function(fn), kwargs)
    message = str(info.value)
    assert "\n" not in message
    head = message.split(":", 1)[0]
    named = NAMED_AS.get((fn, param), param)
    assert head == named or head.startswith((f"{named}[", f"{named}.", f"{named} ")), message
    assert not list(tmp_path.iterdir()), "nothing is written"


def test_every_parameter_is_probed():
    """Each public function of ``bmdlab`` and each public method of Analysis has valid arguments here."""
    public = {n for n in ("analytic", "compare", "wta", "resolve_place", "resolve_scenario")}
    methods = {
        f"Analysis.{n}"
        for n, f in inspect.getmembers(bmdlab.Analysis, inspect.isfunction)
        if not n.startswith("_") and n not in ("assembled", "cost", "threat_cases")
    }
    assert public | methods <= set(VALID)


def test_the_valid_arguments_are_valid():
    """The baseline of the probe: the cheap ones run (so a refusal above is the wrong argument's)."""
    assert bmdlab.resolve_place(**VALID["resolve_place"]).label
    assert A.check_site(**VALID["Analysis.check_site"]).count == 1
    assert A.sweep_estimate(**VALID["Analysis.sweep_estimate"]).runs == 1
    assert bmdlab.wta(**VALID["wta"]).solution is not None
