"""Fly-out fans built once per machine (issue #23): the batched build, the disk cache and its attack surface.

A cached fan must be exactly the fan a build gives (same arrays to the last bit), and a file in the cache
folder is never trusted: a truncated, corrupt, foreign or implausible file is rebuilt over; a symlink there is
replaced, never written through; a folder that cannot be written only costs the rebuild.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

from bmdlab.catalog import builtin_catalog
from bmdlab.defense import fan_cache, flyout
from bmdlab.defense.engage import flyout_parameters

CAT = builtin_catalog()
KEY = "pac-3-cri"  # the quickest fan of the catalog to build (~0.5 s)
INTERCEPTOR = CAT.interceptors[KEY]
P = flyout_parameters(INTERCEPTOR, KEY)
EXTENT = (INTERCEPTOR.max_range.si(), INTERCEPTOR.max_intercept_altitude.si())
ARRAYS = ("time", "speed", "path_angle")


def _same(a, b) -> bool:
    return all(np.array_equal(getattr(a, n), getattr(b, n), equal_nan=True) for n in ARRAYS) and (a.dx, a.dh) == (
        b.dx,
        b.dh,
    )


@pytest.fixture(scope="module")
def built():
    return flyout.build_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A private cache folder, and no fan remembered in memory."""
    monkeypatch.setenv(fan_cache.CACHE_ENV, str(tmp_path))
    flyout._cached_fan.cache_clear()
    yield tmp_path / "fans"
    flyout._cached_fan.cache_clear()


def _identity():
    return fan_cache.fan_identity(P.key(), P.values(), EXTENT, flyout._BUILD_SETTINGS)


def _no_build(*args, **kwargs):
    raise AssertionError("the fan was built, not loaded")


def test_a_build_in_batches_is_the_one_pass_build_to_the_last_bit(built, monkeypatch):
    # The reference is the same build with every refined sample in one batch (the build before issue #23);
    # 5,000 samples a batch cuts the fan's trajectories into ~100 batches, ties between them included.
    monkeypatch.setattr(flyout, "_FAN_BATCH_SAMPLES", 10**12)
    one_pass = flyout.build_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    monkeypatch.setattr(flyout, "_FAN_BATCH_SAMPLES", 5_000)
    batched = flyout.build_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    assert _same(one_pass, built) and _same(batched, built)


def test_a_fan_is_stored_once_then_loaded_exactly(built, folder, monkeypatch):
    first = flyout.flyout_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    files = list(folder.glob("fan-*.npz"))
    assert len(files) == 1 and not list(folder.glob(".fan-*"))  # written, no temporary file left
    assert _same(first, built)
    flyout._cached_fan.cache_clear()  # as a new process would
    monkeypatch.setattr(flyout, "build_fan", _no_build)
    again = flyout.flyout_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    assert _same(again, built) and again.key == built.key and again.burn_time == built.burn_time
    assert not again.time.flags.writeable


def test_another_process_loads_the_fan_without_building_it(folder):
    flyout.flyout_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    code = (
        "from bmdlab.defense import flyout\n"
        "from bmdlab.defense.engage import flyout_parameters\n"
        "from bmdlab.catalog import builtin_catalog\n"
        "i = builtin_catalog().interceptors['pac-3-cri']\n"
        "def no(*a, **k): raise SystemExit('built')\n"
        "flyout.build_fan = no\n"
        "flyout.flyout_fan(flyout_parameters(i, 'pac-3-cri'), max_ground_range=i.max_range.si(),"
        " max_altitude=i.max_intercept_altitude.si())\n"
    )
    env = {**os.environ, fan_cache.CACHE_ENV: str(folder.parent)}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:1000]), id="truncated"),
        pytest.param(lambda path: path.write_bytes(os.urandom(4096)), id="random-bytes"),
        pytest.param(lambda path: path.write_bytes(b""), id="empty"),
    ],
)
def test_a_damaged_file_is_rebuilt_over_never_trusted(built, folder, spoil):
    flyout.flyout_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    (path,) = folder.glob("fan-*.npz")
    spoil(path)
    assert fan_cache.load_fan(_identity()) is None
    flyout._cached_fan.cache_clear()
    fan = flyout.flyout_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    assert _same(fan, built)
    assert fan_cache.load_fan(_identity()) is not None  # the rebuild replaced the damaged file


def test_a_foreign_fan_under_the_name_is_not_used(built, folder):
    # another interceptor's fan (a real, plausible file) stored where this one's belongs
    other = dataclasses.replace(P, burnout_speed=P.burnout_speed * 1.2)
    foreign = flyout.build_fan(other, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    other_identity = fan_cache.fan_identity(other.key(), other.values(), EXTENT, flyout._BUILD_SETTINGS)
    written = fan_cache.store_fan(other_identity, foreign)
    target = fan_cache._path(folder, _identity())
    written.rename(target)
    assert fan_cache.load_fan(_identity()) is None
    fan = flyout.flyout_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    assert _same(fan, built) and not _same(fan, foreign)


@pytest.mark.parametrize("field", ["negative-time", "nan-speed", "shape"])
def test_an_implausible_file_with_the_right_identity_is_not_used(built, folder, field):
    arrays = {n: np.array(getattr(built, n)) for n in ARRAYS}
    reached = np.argwhere(np.isfinite(arrays["time"]))[0]
    if field == "negative-time":
        arrays["time"][tuple(reached)] = -5.0
    elif field == "nan-speed":
        arrays["speed"][tuple(reached)] = np.nan
    else:
        arrays = {n: a[:, :-1] if n == "speed" else a for n, a in arrays.items()}
    folder.mkdir(parents=True)
    np.savez(
        fan_cache._path(folder, _identity()),
        identity=np.array(_identity()),
        dx=np.float64(built.dx),
        dh=np.float64(built.dh),
        burn_time=np.float64(built.burn_time),
        **arrays,
    )
    assert fan_cache.load_fan(_identity()) is None


def test_a_pickled_file_is_refused_without_unpickling(folder):
    folder.mkdir(parents=True)
    path = fan_cache._path(folder, _identity())
    np.savez(path, identity=np.array(_identity()), time=np.array([object()], dtype=object))
    assert fan_cache.load_fan(_identity()) is None


def test_a_symlink_in_the_folder_is_replaced_and_its_target_untouched(built, folder, tmp_path):
    folder.mkdir(parents=True)
    victim = tmp_path / "user-file.txt"
    victim.write_text("keep me")
    link = fan_cache._path(folder, _identity())
    link.symlink_to(victim)
    fan = flyout.flyout_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    assert _same(fan, built)
    assert victim.read_text() == "keep me"
    assert link.is_file() and not link.is_symlink()


def test_a_folder_that_cannot_be_written_only_costs_the_rebuild(built, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv(fan_cache.CACHE_ENV, str(blocker))
    flyout._cached_fan.cache_clear()
    fan = flyout.flyout_fan(P, max_ground_range=EXTENT[0], max_altitude=EXTENT[1])
    assert _same(fan, built)
    assert blocker.read_text() == "a file where the cache folder would be"
    flyout._cached_fan.cache_clear()


def test_off_keeps_fans_in_memory_only(tmp_path, monkeypatch):
    monkeypatch.setenv(fan_cache.CACHE_ENV, "off")
    monkeypatch.chdir(tmp_path)
    assert fan_cache.cache_folder() is None
    assert fan_cache.store_fan(_identity(), flyout.build_fan(P, max_ground_range=1e4, max_altitude=1e4)) is None
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_the_users_cache_directory(monkeypatch, tmp_path):
    monkeypatch.delenv(fan_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # platformdirs follows XDG on Linux
    if sys.platform.startswith("linux"):
        assert fan_cache.cache_folder() == tmp_path / "bmdlab" / "fans"


def test_the_identity_changes_with_every_parameter_and_the_build():
    base = _identity()
    for f in dataclasses.fields(P):
        value = getattr(P, f.name)
        if isinstance(value, tuple):
            continue
        changed = dataclasses.replace(P, **{f.name: value * 0.9 + 0.01})
        assert fan_cache.fan_identity(changed.key(), changed.values(), EXTENT, flyout._BUILD_SETTINGS) != base, f
    assert fan_cache.fan_identity(P.key(), P.values(), (EXTENT[0] * 2, EXTENT[1]), flyout._BUILD_SETTINGS) != base
    assert fan_cache.fan_identity(P.key(), P.values(), EXTENT, {**flyout._BUILD_SETTINGS, "elevations": 61}) != base
