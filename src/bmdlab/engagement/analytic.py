"""Closed forms for defence effectiveness against a raid (the Monte Carlo's cross-checks).

Independent engagements of ``N`` threatening missiles, each engaged by ``k`` interceptors per
layer, each interceptor working with reliability :math:`r` and killing with single-shot kill
probability :math:`p` (so each shot kills with :math:`r p`). A missile itself arrives with
reliability :math:`\\rho`.

Per-missile kill probability over layers :math:`\\ell` with :math:`k_\\ell` shots each

.. math:: P_K = 1 - \\prod_\\ell (1 - r_\\ell p_\\ell)^{k_\\ell},

the same for a salvo (all shots at once) and for shoot-look-shoot with perfect kill assessment,
which only saves interceptors: the expected number fired per missile is
:math:`\\sum_{s=0}^{k-1} (1 - r p)^s` instead of :math:`k`. Then

.. math::
    P(\\text{zero leakers}) = (1 - \\rho (1 - P_K))^N, \\qquad E[\\text{leakers}] = N \\rho (1 - P_K).

A missile that fails (probability :math:`1 - \\rho`) fails before the defence commits and draws no
fire, nor do its decoys; the Monte Carlo (:mod:`bmdlab.engagement.raid`) follows the same
convention, so interceptors fired are :math:`N \\rho` times the shots per engaged missile.

Decoys: each missile brings :math:`D` decoys, each recognised as a decoy with probability
:math:`d`; with an inventory :math:`I` spread evenly over the :math:`N \\rho (1 + D(1-d))` objects
the defence engages, the shots per object fall to :math:`I / (N \\rho (1 + D(1-d)))` (the integer part
for every object, one more for the remainder).

References
----------
.. [1] D. A. Wilkening, "A simple model for calculating ballistic missile defense effectiveness",
       Science & Global Security 8 (2000) 183-215 (eqs. for single- and multi-layer P(zero
       leakage), shoot-look-shoot, and the effect of decoys on interceptor requirements).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from bmdlab.errors import BmdlabError

DOCTRINES = ("salvo", "shoot-look-shoot")
#: Older names still accepted (``salvo-2`` was the raid's name for a salvo of two).
DOCTRINE_ALIASES = {"salvo-2": "salvo"}


def doctrine_name(doctrine: str, parameter: str = "doctrine") -> str:
    """The one name of a firing doctrine across bmdlab (``salvo`` or ``shoot-look-shoot``; ``salvo-2`` accepted).

    Raises
    ------
    BmdlabError
        Naming ``parameter`` when the doctrine is unknown.
    """
    d = DOCTRINE_ALIASES.get(doctrine, doctrine)
    if d not in DOCTRINES:
        raise BmdlabError(f"{parameter}: unknown doctrine '{doctrine}'; use one of {', '.join(DOCTRINES)}")
    return d


def kill_probability(sspk: ArrayLike, shots: ArrayLike, reliability: ArrayLike = 1.0) -> np.ndarray:
    """Probability that ``shots`` independent interceptors kill one missile, per layer, combined.

    Arrays broadcast over layers on the last axis: ``1 - prod (1 - r p)^k``.
    """
    p = np.atleast_1d(np.asarray(sspk, float) * np.asarray(reliability, float))
    k = np.atleast_1d(np.asarray(shots, float))
    return 1.0 - np.prod((1.0 - p) ** k, axis=-1)


def expected_shots_fired(sspk: float, shots: int, reliability: float = 1.0, doctrine: str = "salvo") -> float:
    """Interceptors fired per engaged missile: ``k`` for a salvo, fewer with shoot-look-shoot."""
    doctrine = doctrine_name(doctrine)
    if doctrine == "salvo":
        return float(shots)
    q = 1.0 - sspk * reliability
    return float(shots) if q >= 1.0 else float((1.0 - q**shots) / (1.0 - q))  # sum of q^s, s < shots


@dataclass(frozen=True)
class RaidOdds:
    missiles: int
    kill_probability: float  #: per missile engaged
    p_zero_leakers: float
    expected_leakers: float
    leakers_sd: float
    expected_interceptors: float
    shots_per_object: float


@dataclass(frozen=True)
class RaidConditions:
    """What the attack brings that the defence cannot change: the probability that a missile works and
    arrives, its decoys, and the probability that each decoy is recognised as one (Wilkening 2000)."""

    missile_reliability: float = 1.0
    decoys: int = 0
    discrimination: float = 1.0


def raid_odds(
    missiles: int,
    sspk: float | list[float],
    shots_per_missile: int | list[int],
    *,
    reliability: float = 1.0,
    doctrine: str = "salvo",
    conditions: RaidConditions = RaidConditions(),
    interceptors: int | None = None,
) -> RaidOdds:
    """P(zero leakers), expected leakers and interceptors used for a raid (Wilkening 2000).

    ``sspk`` and ``shots_per_missile`` may be lists (one entry per layer). With ``interceptors``
    the inventory caps the shots: it is spread evenly over every engaged object (missiles and
    undiscriminated decoys), first layer first.
    """
    missile_reliability, decoys = conditions.missile_reliability, conditions.decoys
    discrimination = conditions.discrimination
    for k in shots_per_missile if isinstance(shots_per_missile, (list, tuple)) else [shots_per_missile]:
        if not 0 <= k <= MAX_SHOTS:  # before NumPy sees a 30-digit integer
            raise BmdlabError(f"shots_per_missile: {k} must be from 0 to {MAX_SHOTS} per layer")
    if interceptors is not None and not 0 <= interceptors <= MAX_INTERCEPTORS:
        raise BmdlabError(f"interceptors: {interceptors} must be from 0 to {MAX_INTERCEPTORS:,}")
    sspk_l = np.atleast_1d(np.asarray(sspk, float))
    shots_l = np.atleast_1d(np.asarray(shots_per_missile, int))
    _check(missiles, sspk_l, shots_l, reliability, missile_reliability, decoys, discrimination, interceptors)
    if sspk_l.shape != shots_l.shape:
        raise BmdlabError("sspk and shots_per_missile need one value per layer each")
    doctrine = doctrine_name(doctrine)
    objects = missiles * missile_reliability * (1.0 + decoys * (1.0 - discrimination))  # failed missiles draw no fire
    if interceptors is not None:
        per_object = interceptors / objects if objects else 0.0
        base = int(np.floor(per_object))
        extra_frac = per_object - base
        # a fraction `extra_frac` of objects gets one more shot (in the first layer)
        pk_base = float(kill_probability(sspk_l[0], base, reliability)[()])
        pk_more = float(kill_probability(sspk_l[0], base + 1, reliability)[()])
        leak = missile_reliability * ((1 - extra_frac) * (1 - pk_base) + extra_frac * (1 - pk_more))
        pk = 1.0 - leak / missile_reliability if missile_reliability > 0 else 1.0
        fired = (
            float(min(interceptors, objects * per_object))
            if doctrine == "salvo"
            else float(
                objects
                * (
                    (1 - extra_frac) * expected_shots_fired(sspk_l[0], base, reliability, doctrine)
                    + extra_frac * expected_shots_fired(sspk_l[0], base + 1, reliability, doctrine)
                )
            )
        )
        shots_obj = per_object
    else:
        pk = float(kill_probability(sspk_l, shots_l, reliability)[()])
        leak = missile_reliability * (1.0 - pk)
        # layers fire in turn at what survived the layers above (a look between layers)
        fired, survive = 0.0, 1.0
        for p_l, k_l in zip(sspk_l, shots_l):
            fired += survive * expected_shots_fired(float(p_l), int(k_l), reliability, doctrine)
            survive *= (1.0 - p_l * reliability) ** k_l
        fired *= objects
        shots_obj = float(shots_l.sum())
    return RaidOdds(
        missiles=missiles,
        kill_probability=float(pk),
        p_zero_leakers=float((1.0 - leak) ** missiles),
        expected_leakers=float(missiles * leak),
        leakers_sd=float(np.sqrt(missiles * leak * (1.0 - leak))),
        expected_interceptors=float(fired),
        shots_per_object=float(shots_obj),
    )


def common_mode_beta(mean: float, correlation: float) -> tuple[float, float]:
    """Beta parameters (a, b) of a per-shot kill probability with this mean whose shots' outcomes have
    this pairwise correlation: a + b = 1/correlation - 1 (the beta-binomial's intra-class correlation,
    Skellam, J. R. Stat. Soc. B 10 (1948) 257-261)."""
    if not 0.0 < correlation < 1.0:
        raise BmdlabError(f"common_mode: {correlation:g} must lie in (0, 1)")
    k = 1.0 / correlation - 1.0
    return mean * k, (1.0 - mean) * k


def raid_odds_common_mode(
    missiles: int,
    sspk: float,
    shots_per_missile: int,
    *,
    correlation: float,
    reliability: float = 1.0,
    missile_reliability: float = 1.0,
    doctrine: str = "salvo",
) -> RaidOdds:
    """:func:`raid_odds` for one layer whose shots fail together: in each raid the per-shot kill
    probability :math:`P` is drawn once from a beta distribution with mean ``reliability x sspk`` and
    shot-to-shot correlation ``correlation`` (:func:`common_mode_beta`), and the shots are independent
    given :math:`P`. Every figure is the closed form conditional on :math:`P`, averaged over :math:`P`
    (numerical quadrature); the spread of leakers adds the variance of the conditional mean.

    With :math:`k` shots per missile the expected leakers are :math:`N\\rho E[(1-P)^k] = N\\rho
    B(a, b + k) / B(a, b)`, as for independent shots only when :math:`k = 1`; P(zero leakers) falls
    and the spread of leakers grows with the correlation (all rounds of a raid fail or work together).
    """
    from scipy import stats  # lazy: scipy.stats takes ~0.5 s to import; only the common-mode closed form needs it

    if correlation == 0.0:
        return raid_odds(
            missiles,
            sspk,
            shots_per_missile,
            reliability=reliability,
            doctrine=doctrine,
            conditions=RaidConditions(missile_reliability=missile_reliability),
        )
    _check(
        missiles,
        np.atleast_1d(float(sspk)),
        np.atleast_1d(int(shots_per_missile)),
        reliability,
        missile_reliability,
        0,
        1.0,
        None,
    )
    mean = float(sspk) * float(reliability)
    if not 0.0 < mean < 1.0:  # a certain kill or miss has no spread to share
        return raid_odds(
            missiles,
            sspk,
            shots_per_missile,
            reliability=reliability,
            doctrine=doctrine,
            conditions=RaidConditions(missile_reliability=missile_reliability),
        )
    dist = stats.beta(*common_mode_beta(mean, correlation))

    def at(p: float) -> RaidOdds:
        return raid_odds(
            missiles,
            float(p),
            shots_per_missile,
            doctrine=doctrine,
            conditions=RaidConditions(missile_reliability=missile_reliability),
        )

    def avg(f) -> float:
        return float(dist.expect(f, epsabs=1e-10, epsrel=1e-8, limit=500))

    e = avg(lambda p: at(p).expected_leakers)
    second = avg(lambda p: at(p).leakers_sd ** 2 + at(p).expected_leakers ** 2)
    engaged = missiles * missile_reliability
    return RaidOdds(
        missiles=missiles,
        kill_probability=1.0 - e / engaged if engaged else 1.0,
        p_zero_leakers=avg(lambda p: at(p).p_zero_leakers),
        expected_leakers=e,
        leakers_sd=float(np.sqrt(max(second - e * e, 0.0))),
        expected_interceptors=avg(lambda p: at(p).expected_interceptors),
        shots_per_object=float(shots_per_missile),
    )


#: Bounds of the closed forms' inputs (far above any raid; they keep every product finite).
MAX_MISSILES, MAX_SHOTS, MAX_DECOYS, MAX_INTERCEPTORS = 1_000_000, 100, 100, 10_000_000


def _check(missiles, sspk, shots, reliability, missile_reliability, decoys, discrimination, interceptors) -> None:
    if not (isinstance(missiles, (int, np.integer)) and 0 <= missiles <= MAX_MISSILES):
        raise BmdlabError(f"missiles: {missiles} must be a whole number from 0 to {MAX_MISSILES:,}")
    if np.any(shots > MAX_SHOTS):
        raise BmdlabError(f"shots_per_missile: must be at most {MAX_SHOTS} per layer")
    if decoys > MAX_DECOYS:
        raise BmdlabError(f"decoys: {decoys} must be at most {MAX_DECOYS}")
    if interceptors is not None and interceptors > MAX_INTERCEPTORS:
        raise BmdlabError(f"interceptors: {interceptors} must be at most {MAX_INTERCEPTORS:,}")
    if np.any((sspk < 0) | (sspk > 1)) or not np.all(np.isfinite(sspk)):
        raise BmdlabError("sspk: kill probabilities must lie in [0, 1]")
    if np.any(shots < 0):
        raise BmdlabError("shots_per_missile: must be >= 0")
    for name, val in (
        ("reliability", reliability),
        ("missile_reliability", missile_reliability),
        ("discrimination", discrimination),
    ):
        if not (0.0 <= val <= 1.0):
            raise BmdlabError(f"{name}: {val:g} must lie in [0, 1]")
    if decoys < 0:
        raise BmdlabError(f"decoys: {decoys} must be >= 0")
    if interceptors is not None and interceptors < 0:
        raise BmdlabError(f"interceptors: {interceptors} must be >= 0")
