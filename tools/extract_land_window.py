"""Write ``src/bmdlab/geo/data/japan_land_window.npz``: the Japan window of the global land mask.

A developer tool, never imported by the package. bmdlab's ``is_land`` looks points of the Japan
window (24.0-45.75 N, 122.5-154.5 E) up in this window and everything else in the global-land-mask
package. Reading the window from that package's compressed global raster takes about 0.8 s per
process; the bit-packed copy written here (about 39 KB) loads in milliseconds. A test
(``tests/geo/test_japan.py``) checks that the shipped copy equals the package's window pixel for
pixel.

Source: PyPI ``global-land-mask`` 1.0.0 by Todd Karin (MIT), 1/120 degree, from the NOAA GLOBE
1 km DEM (GLOBE Task Team, 1999).

Run from the repository root (deterministic: the same package version gives the same arrays)::

    python tools/extract_land_window.py
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import numpy as np

from bmdlab.geo.japan import _WINDOW_FIELDS, LAND_WINDOW_FILE, stream_land_window


def main() -> None:
    w = stream_land_window()
    out = Path(__file__).resolve().parents[1] / "src" / "bmdlab" / "geo" / "data" / LAND_WINDOW_FILE
    np.savez_compressed(
        out,
        land_bits=np.packbits(w.data, axis=None),
        shape=np.array(w.data.shape),
        source=np.array(f"global-land-mask {version('global-land-mask')} (MIT), NOAA GLOBE"),
        **{k: np.array(getattr(w, k)) for k in _WINDOW_FIELDS},
    )
    print(
        f"{out}: {w.data.shape[0]} x {w.data.shape[1]} pixels, {int(w.data.sum()):,} land, {out.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main()
