"""The fused engagement kernel: :func:`bmdlab.defense.envelope.intercept_opportunities` in one compiled pass.

The NumPy function in :mod:`bmdlab.defense.envelope` is the model's readable statement; this module computes
the same thing trajectory by trajectory in code compiled by Numba: each sample is read once, and the ground
range, fly-out lookup, crossing geometry and shoot-look-shoot count of a sample are worked out in registers
instead of a dozen whole-array passes with their temporaries. The equations, their order and the limits are
those of :func:`~bmdlab.defense.envelope.intercept_opportunities` (see its docstring and references); only the
order of some floating-point sums differs from NumPy's (a dot product as three products and two additions),
so a time may differ in its last bits. The tests compare the two on random and real engagements.

Compiled once per machine: Numba caches the machine code beside this file, or in the user's cache folder
when that is not writable.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit

from bmdlab.defense.flyout import FlyoutFan, StraightLineFlyout
from bmdlab.geo.sphere import EARTH_RADIUS

#: Fly-out kinds the kernel knows (others run through the NumPy function).
_FAN, _STRAIGHT = 0, 1


@functools.lru_cache(maxsize=64)
def flyout_arrays(flyout: FlyoutFan | StraightLineFlyout) -> tuple[int, tuple, tuple]:
    """The kernel's view of a fly-out: its kind, the fan's tables (time, speed, and the cosine and sine of the
    path angle, computed once; empty for a straight line) and its scalars."""
    if isinstance(flyout, FlyoutFan):
        cos_t, sin_t = _cos_sin(flyout.path_angle)
        return _FAN, (flyout.time, flyout.speed, cos_t, sin_t), (flyout.dx, flyout.dh, 0.0, 0.0, 0.0)
    empty = np.zeros((2, 2))
    scalars = (0.0, 0.0, flyout.burnout_speed, flyout.burn_time, flyout.min_elevation)
    return _STRAIGHT, (empty, empty, empty, empty), scalars


@njit(cache=True)
def _cos_sin(angle):  # pragma: no cover - compiled
    """Cosine and sine of a table of angles, with the kernel's own functions (so inline would give the same)."""
    c, s = np.empty_like(angle), np.empty_like(angle)
    for i in range(angle.shape[0]):
        for j in range(angle.shape[1]):
            c[i, j], s[i, j] = math.cos(angle[i, j]), math.sin(angle[i, j])
    return c, s


@njit(cache=True, nogil=True, inline="always")
def _fan_time(fx, fh, table):  # pragma: no cover - compiled (covered through the tests of the kernel)
    nx, nh = table.shape
    if not (fx >= 0.0 and fh >= 0.0 and fx <= nx - 1 and fh <= nh - 1):
        return math.inf
    i0 = min(int(fx), nx - 2)
    j0 = min(int(fh), nh - 2)
    wx, wh = fx - i0, fh - j0
    val = (table[i0, j0] * (1 - wx) + table[i0 + 1, j0] * wx) * (1 - wh) + (
        table[i0, j0 + 1] * (1 - wx) + table[i0 + 1, j0 + 1] * wx
    ) * wh
    return val if math.isfinite(val) else math.inf


@njit(cache=True, nogil=True, inline="always")
def _straight_time(ground, alt, v, tb, min_elev):  # pragma: no cover - compiled
    phi = ground / EARTH_RADIUS
    r = EARTH_RADIUS + alt
    dx, dy = r * math.sin(phi), r * math.cos(phi) - EARTH_RADIUS
    d = math.hypot(dx, dy)
    elev = math.atan2(dy, dx)
    t = math.sqrt(2.0 * d * max(tb, 0.0) / v) if d <= 0.5 * v * tb else 0.5 * tb + d / v
    if min_elev > 0 and elev < min_elev:
        return math.inf, elev
    return t, elev


@njit(cache=True, nogil=True, inline="always")
def _in_sector(px, py, pz, sector):  # pragma: no cover - compiled
    """Whether a point is inside a radar's sector (:func:`bmdlab.defense.envelope.azimuth_offset`'s test)."""
    _, sx, sy, sz, ex, ey, ez, nx_, ny_, nz_, boresight, half = sector
    az = math.atan2((px * ex + py * ey + pz * ez) - (sx * ex + sy * ey + sz * ez),
                    (px * nx_ + py * ny_ + pz * nz_) - (sx * nx_ + sy * ny_ + sz * nz_))  # fmt: skip
    return abs((az - boresight + math.pi) % (2.0 * math.pi) - math.pi) <= half


@njit(cache=True, nogil=True)
def _row(i, track, span, cols, ready0, unit, doctrine, scratch):  # pragma: no cover - compiled
    """One trajectory: whether the unit can reach each sample (window, range, fly-out, minimum flight time,
    sector and, where the first shot could take it, the crossing limits) and the latest launch that does,
    then its shots, first and last intercept and last launch.

    With ``shots_only`` (doctrine[2]) the samples are evaluated in time order only until the last shot counted:
    shot ``n`` is the earliest feasible sample whose latest launch is no earlier than the ready time, and a
    sample before an intercept cannot be launched at after it (a look of kill assessment > 0 follows); samples
    earlier than the ready time are skipped unevaluated (their latest launch, the time less a fly-out >= 0, is
    earlier still)."""
    t, pos, alt = track
    site, up, limits, kind, tables, fly_s, sector = unit
    kill, max_shots, shots_only = doctrine
    inside, late = scratch
    min_alt, max_alt, cos_max, min_ft, max_cross, min_close = limits
    dx, dh, v_bo, t_bo, min_elev = fly_s
    table = tables[0]
    ux, uy, uz = up[0], up[1], up[2]
    crossing = (not math.isnan(max_cross)) or min_close > 0
    any_in = False
    shots, ready = 0, ready0
    for j in range(cols[0], cols[1]):  # the row's samples in the window (``span`` bounds the neighbours)
        inside[j] = False
        if shots_only and not t[i, j] >= ready:  # its latest launch (t - fly-out) is earlier still
            continue
        a = alt[i, j]
        if not (a >= min_alt and a <= max_alt):
            continue
        px, py, pz = pos[i, j, 0], pos[i, j, 1], pos[i, j, 2]
        cphi = min(max((px * ux + py * uy + pz * uz) / (EARTH_RADIUS + a), -1.0), 1.0)
        if not cphi >= cos_max:
            continue
        ground = EARTH_RADIUS * math.acos(cphi)
        if kind == 0:
            fly = _fan_time(ground / dx, a / dh, table)
        else:
            fly = _straight_time(ground, a, v_bo, t_bo, min_elev)[0]
        if not math.isfinite(fly) or (min_ft > 0 and not fly >= min_ft):
            continue
        if sector[0] and not _in_sector(px, py, pz, sector):
            continue
        late[j] = t[i, j] - fly
        inside[j] = True
        any_in = True
        if crossing and late[j] >= ready0:
            inside[j] = _crossing_ok(i, j, track, span, ground, a, unit)
        if shots_only and inside[j] and late[j] >= ready:
            shots += 1
            ready = t[i, j] + kill
            if shots >= max_shots:
                break
    if shots_only or not any_in:
        return shots, math.nan, math.nan, math.nan
    return _summary(i, t, cols, ready0, kill, max_shots, inside, late)


@njit(cache=True, nogil=True)
def _summary(i, t, cols, ready0, kill, max_shots, inside, late):  # pragma: no cover - compiled
    """Shots, first and last intercept and last launch of a trajectory from its evaluated samples."""
    first, last, best_late = math.nan, math.nan, -math.inf
    for j in range(cols[0], cols[1]):
        if inside[j] and late[j] >= ready0:
            tj = t[i, j]
            if math.isnan(first) or tj < first:
                first = tj
            if math.isnan(last) or tj > last:
                last = tj
            best_late = max(best_late, late[j])
    shots, ready = 0, ready0
    for _ in range(max_shots):
        hit = math.inf
        for j in range(cols[0], cols[1]):
            if inside[j] and late[j] >= ready and t[i, j] < hit:
                hit = t[i, j]
        if not math.isfinite(hit):
            break
        shots += 1
        ready = hit + kill
    return shots, first, last, (best_late if math.isfinite(best_late) else math.nan)


@njit(cache=True, nogil=True, inline="always")
def _crossing_ok(i, j, track, span, ground, a, unit):  # pragma: no cover - compiled
    """The hit-to-kill crossing-angle and closing-speed limits at one sample (:func:`crossing_geometry`); the
    threat's velocity by differences of the neighbouring samples inside the column span."""
    t, pos, _ = track
    _, up, limits, kind, tables, fly_s, _ = unit
    max_cross, min_close = limits[4], limits[5]
    dx, dh, v_bo, t_bo, min_elev = fly_s
    lo, hi = max(j - 1, span[0]), min(j + 1, span[1] - 1)
    dt = t[i, hi] - t[i, lo]
    dt = dt if dt > 0 else math.inf
    vx = (pos[i, hi, 0] - pos[i, lo, 0]) / dt
    vy = (pos[i, hi, 1] - pos[i, lo, 1]) / dt
    vz = (pos[i, hi, 2] - pos[i, lo, 2]) / dt
    if kind == 0:
        fi, fj = np.rint(ground / dx), np.rint(a / dh)
        ii, jj = int(fi), int(fj)
        if not math.isfinite(tables[0][ii, jj]):
            return False
        s, cg, sg = tables[1][ii, jj], tables[2][ii, jj], tables[3][ii, jj]
    else:
        fly, elev = _straight_time(ground, a, v_bo, t_bo, min_elev)
        s = v_bo * min(fly / t_bo, 1.0) if t_bo > 0 else v_bo
        g = elev - ground / EARTH_RADIUS
        cg, sg = math.cos(g), math.sin(g)
    if not math.isfinite(s):
        return False
    px, py, pz = pos[i, j, 0], pos[i, j, 1], pos[i, j, 2]
    lx, ly, lz = up[0], up[1], up[2]
    rp = math.sqrt(px * px + py * py + pz * pz)
    upx, upy, upz = px / rp, py / rp, pz / rp
    c = upx * lx + upy * ly + upz * lz
    awx, awy, awz = upx * c - lx, upy * c - ly, upz * c - lz
    nrm = math.sqrt(awx * awx + awy * awy + awz * awz)
    if nrm > 1e-12:
        awx, awy, awz = awx / nrm, awy / nrm, awz / nrm
    else:
        awx, awy, awz = 0.0, 0.0, 0.0
    vt_away = vx * awx + vy * awy + vz * awz
    vt_up = vx * upx + vy * upy + vz * upz
    vt2 = vx * vx + vy * vy + vz * vz
    dot = s * (cg * vt_away + sg * vt_up)
    if min_close > 0 and not math.sqrt(max(s * s + vt2 - 2.0 * dot, 0.0)) >= min_close:
        return False
    if not math.isnan(max_cross):
        denom = s * math.sqrt(vt2)
        cos_x = -dot / denom if denom > 0 else 1.0
        if not math.acos(min(max(cos_x, -1.0), 1.0)) <= max_cross:
            return False
    return True


@njit(cache=True, nogil=True)
def opportunities(track, rows, span, scan, ready, unit, doctrine):  # pragma: no cover - compiled
    """Shots, first and last intercept and last launch of the trajectories ``rows`` (the arrays of
    ``Opportunities``, one entry per row; with ``shots_only`` the times are left NaN).

    ``track`` is (times (n, k), positions (n, k, 3), altitudes (n, k)) of the whole batch, read in place;
    ``span`` the columns [first, end) considered; ``scan`` (first (n,), end (n,)) each trajectory's columns in the
    altitude window (a row is scanned only there, inside ``span``); ``ready`` (len(rows),) the commit times; ``unit`` (launcher
    position and its unit vector (3,), limits, fly-out kind, fly-out tables, fly-out scalars, sector) and ``doctrine`` (kill assessment [s],
    shots counted at most, shots only); see :func:`bmdlab.defense.envelope.intercept_opportunities`.
    """
    n, k = rows.size, track[0].shape[1]
    shots = np.zeros(n, dtype=np.int64)
    first = np.full(n, np.nan)
    last = np.full(n, np.nan)
    last_launch = np.full(n, np.nan)
    scratch = (np.zeros(k, dtype=np.bool_), np.zeros(k))
    for m in range(n):
        if not math.isfinite(ready[m]):
            continue
        r = rows[m]
        cols = (max(span[0], scan[0][r]), min(span[1], scan[1][r]))
        if cols[0] < cols[1]:
            shots[m], first[m], last[m], last_launch[m] = _row(r, track, span, cols, ready[m], unit, doctrine, scratch)
    return shots, first, last, last_launch


@njit(cache=True, nogil=True)
def first_detection(track, rows, end, radar, limit, sector):  # pragma: no cover - compiled
    """First sample time at which one radar sees each trajectory ``rows`` among its first ``end`` samples (inf if
    never, or not before ``limit``, (len(rows),)): :func:`bmdlab.defense.engage.detection_time` in one pass.

    ``radar`` is (unit vector (3,), distance from the Earth's centre [m], detection range [m], sine of the lowest
    elevation, lowest elevation [rad]); ``sector`` as for :func:`opportunities`, the radar's own. The visibility
    test is :func:`bmdlab.defense.envelope.radar_visible`'s for one radar.
    """
    t, pos, alt = track
    unit, r_s, rng, sin_min, min_elev = radar
    out = np.full(rows.size, np.inf)
    for m in range(rows.size):
        i = rows[m]
        for j in range(end):
            if not t[i, j] < limit[m]:
                break
            px, py, pz = pos[i, j, 0], pos[i, j, 1], pos[i, j, 2]
            r = EARTH_RADIUS + alt[i, j]
            proj = px * unit[0] + py * unit[1] + pz * unit[2]
            d2 = max(r * r + r_s * r_s - 2.0 * r_s * proj, 0.0)
            up = proj - r_s
            if not d2 <= rng * rng:
                continue
            if min_elev >= 0:
                if not up >= 0.0 or (sin_min != 0.0 and not up * up >= d2 * sin_min * sin_min):
                    continue
            elif not up >= math.sqrt(d2) * sin_min:
                continue
            if sector[0] and not _in_sector(px, py, pz, sector):
                continue
            out[m] = t[i, j]
            break
    return out


@njit(cache=True, nogil=True)
def window_scan(pos, alt, aim_unit, launch_unit, low, high):  # pragma: no cover - compiled
    """One pass of :func:`bmdlab.defense.shots._window` over a batch: per trajectory, its apogee column (the
    first highest sample, or the first NaN as ``np.argmax`` gives), the smallest cosine of the ground angle
    from the aim point of a descent sample in the altitude window ``[low, high]`` [m] and from the launch
    point of an ascent one (inf where none), its first and one-past-last column in the window (0, 0 if none),
    and the batch's one-past-last column in the window. ``aim_unit`` (n, 3) and ``launch_unit`` (3,) are the
    points divided by the Earth's radius."""
    n, k = alt.shape
    apogee = np.zeros(n, np.intp)
    cos_descent, cos_ascent = np.full(n, np.inf), np.full(n, np.inf)
    first, last = np.zeros(n, np.intp), np.zeros(n, np.intp)
    end = 0
    for i in range(n):
        top = 0
        for j in range(k):
            a = alt[i, j]
            if a != a:  # NaN: np.argmax's answer
                top = j
                break
            if a > alt[i, top]:
                top = j
        apogee[i] = top
        seen = False
        for j in range(k):
            a = alt[i, j]
            if not (a >= low and a <= high):
                continue
            if not seen:
                first[i], seen = j, True
            last[i] = j + 1
            px, py, pz = pos[i, j, 0], pos[i, j, 1], pos[i, j, 2]
            if j >= top:
                c = (px * aim_unit[i, 0] + py * aim_unit[i, 1] + pz * aim_unit[i, 2]) / (EARTH_RADIUS + a)
                cos_descent[i] = min(cos_descent[i], c)
            else:
                c = (px * launch_unit[0] + py * launch_unit[1] + pz * launch_unit[2]) / (EARTH_RADIUS + a)
                cos_ascent[i] = min(cos_ascent[i], c)
        end = max(end, last[i])
    return apogee, cos_descent, cos_ascent, first, last, end
