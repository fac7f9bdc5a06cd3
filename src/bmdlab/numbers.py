"""How numbers are shown: one rounding rule for shares that never overstates or hides a difference.

A share is rounded to ``digits`` decimals of a percent, except that rounding never reaches 100 % for a
share below one nor 0 % for a share above zero: 0.9995 is shown as "> 99.9 %", not "100.0 %", and
0.0004 as "< 0.1 %". A share that is exactly 1 or 0 is shown as such.
"""

from __future__ import annotations

import math


def percent(x: float, digits: int = 1) -> str:
    """``x`` (a share, 0 to 1) as a percent with ``digits`` decimals, never rounded to 100 % or 0 % unless exact."""
    if not math.isfinite(x):
        return "n/a"
    p = 100.0 * x
    step = 10.0**-digits
    shown = round(p, digits)
    if shown >= 100.0 and x < 1.0:
        return f"> {100.0 - step:.{digits}f} %"
    if shown <= 0.0 and x > 0.0:
        return f"< {step:.{digits}f} %"
    return f"{shown:.{digits}f} %"


__all__ = ["percent"]
