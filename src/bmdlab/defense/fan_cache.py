"""Fly-out fans kept on disk, so that a fan is built once per machine, not once per process.

A fan depends only on the interceptor's fly-out parameters, the fan's extent and the build itself
(:data:`FAN_BUILD_VERSION`, bumped whenever :func:`~bmdlab.defense.flyout.build_fan` would give other
numbers). Those make the file's *identity*, a JSON text stored in the file and hashed into its name.

* Where: ``$BMDLAB_CACHE_DIR`` if set (``off`` keeps fans in memory only), else the user's cache
  directory (``platformdirs.user_cache_dir("bmdlab")``: ``~/.cache/bmdlab`` on Linux, after the XDG
  convention), in a ``fans`` folder.
* Written atomically: to a temporary file in the same folder, then renamed over the name, so that a
  reader sees a whole file or none, and two processes building the same fan at once are harmless.
* Never trusted: a file is loaded without pickles, and used only if its identity is exactly the one
  asked for and its arrays have the right shape, type and values (times ``>= 0`` or inf, speeds finite
  where a time is). Anything else (a truncated, corrupt or foreign file, a symlink to one) is
  ignored and rebuilt over. A folder that cannot be written only costs the rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

#: Environment variable naming the cache folder (``off``: no disk cache).
CACHE_ENV = "BMDLAB_CACHE_DIR"
#: Version of the fan build; part of every file's identity.
FAN_BUILD_VERSION = 2
_ARRAYS = ("time", "speed", "path_angle")
#: Largest file read back [bytes]: a fan is 3 arrays of at most 400 x 300 doubles (~3 MB).
_MAX_FILE_BYTES = 16 * 2**20


def cache_folder() -> Path | None:
    """The folder fans are kept in, or None when the disk cache is off (``BMDLAB_CACHE_DIR=off``)."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() == "off":
        return None
    if env:
        return Path(env).expanduser() / "fans"
    import platformdirs  # lazy: only a process that needs a fan asks where they are

    return Path(platformdirs.user_cache_dir("bmdlab", appauthor=False)) / "fans"


def fan_identity(parameters_key: str, parameters: list, extent: tuple[float, float], build: dict) -> str:
    """The identity of a fan: everything its numbers depend on (the parameters, their key, the extent [m] and
    the build's settings), as canonical JSON."""
    return json.dumps(
        {
            "version": FAN_BUILD_VERSION,
            "parameters": parameters,
            "key": parameters_key,
            "extent_m": [float(extent[0]), float(extent[1])],
            "build": build,
        },
        sort_keys=True,
    )


def _path(folder: Path, identity: str) -> Path:
    return folder / f"fan-{hashlib.sha256(identity.encode()).hexdigest()[:24]}.npz"


def load_fan(identity: str, folder: Path | None = None) -> dict[str, Any] | None:
    """The fields of the :class:`~bmdlab.defense.flyout.FlyoutFan` stored under ``identity`` (read-only
    arrays), or None if there is none or the file is not exactly that fan."""
    folder = cache_folder() if folder is None else folder
    if folder is None:
        return None
    path = _path(folder, identity)
    try:
        if not path.is_file() or path.stat().st_size > _MAX_FILE_BYTES:
            return None
        with np.load(path, allow_pickle=False) as z:
            if str(z["identity"][()]) != identity:
                return None
            arrays = {name: np.array(z[name], dtype=np.float64) for name in _ARRAYS}
            dx, dh, burn = (float(z[k][()]) for k in ("dx", "dh", "burn_time"))
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        return None
    if not _plausible(arrays, dx, dh, burn):
        return None
    for a in arrays.values():
        a.setflags(write=False)
    return {"dx": dx, "dh": dh, "burn_time": burn, "key": json.loads(identity)["key"], **arrays}


def _plausible(arrays: dict[str, np.ndarray], dx: float, dh: float, burn: float) -> bool:
    t = arrays["time"]
    if t.ndim != 2 or min(t.shape) < 2 or any(a.shape != t.shape for a in arrays.values()):
        return False
    if not all(np.isfinite(v) and v > 0 for v in (dx, dh)) or not (np.isfinite(burn) and burn >= 0):
        return False
    reached = np.isfinite(t)
    return bool(
        np.all(t[reached] >= 0)
        and np.all(np.isposinf(t[~reached]))
        and np.all(np.isfinite(arrays["speed"][reached]))
        and np.all(np.isfinite(arrays["path_angle"][reached]))
    )


def store_fan(identity: str, fan: Any, folder: Path | None = None) -> Path | None:
    """Write ``fan`` (a :class:`~bmdlab.defense.flyout.FlyoutFan`) under ``identity`` atomically; the path
    written, or None if the folder cannot be written."""
    folder = cache_folder() if folder is None else folder
    if folder is None:
        return None
    path = _path(folder, identity)
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".fan-", suffix=".tmp", delete=False) as f:
            tmp = Path(f.name)
            np.savez(
                f,
                identity=np.array(identity),
                dx=np.float64(fan.dx),
                dh=np.float64(fan.dh),
                burn_time=np.float64(fan.burn_time),
                **{name: np.asarray(getattr(fan, name)) for name in _ARRAYS},
            )
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # replaces the name (a file or a symlink), never what a symlink points to
        return path
    except OSError:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        return None
