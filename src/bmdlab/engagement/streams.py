"""Keyed random streams: every draw of a Monte Carlo depends on what it decides, never on loop order.

A raid's trials run in blocks of :data:`TRIAL_BLOCK`. Each (purpose, block, unit or type, threat,
shot) has its own Philox counter (Salmon et al. 2011), so the same seed, block, wave and keys give the
same numbers in any architecture: two architectures on one seed share the draws of the threats and of
the units they share (common random numbers; Law, *Simulation Modeling and Analysis*, 5th ed., 2015,
sec. 11.2), and a result depends on the seed and the trial count only.

References
----------
.. [1] J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy as
       1, 2, 3", SC'11 (2011).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from bmdlab.defense.posture import Posture

#: Trials per block: each block draws from its own keyed streams, so memory stays flat as trials grow.
TRIAL_BLOCK = 8192

#: What a draw decides (the stream's key): a threat's arrival, its decoys, a unit's shot at a threat, a
#: unit's availability, an interceptor type's common-mode kill probability.
ARRIVE, DECOYS, KILL, ON_STATION, COMMON = 1, 2, 3, 4, 5
#: The wave key of a campaign's availability draws (drawn once for the whole campaign).
CAMPAIGN_WAVE = 0xFFFF


class Named(Protocol):
    name: str
    unit: str


def stream_key(name: str) -> int:
    """A stable 32-bit key of a unit or an interceptor type for the random streams (CRC-32)."""
    return zlib.crc32(name.encode())


def unit_keys(units: Sequence[Named]) -> NDArray[np.uint64]:
    """Each unit's random-stream key: its name and unit type, so two architectures that share a unit
    share its draws (common random numbers); a repeated name gets the next occurrence's key."""
    seen: dict[str, int] = {}
    keys = []
    for d in units:
        base = f"{d.name}\0{d.unit}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        keys.append(stream_key(base) + (n << 32))
    return np.array(keys, dtype=np.uint64)


class Streams:
    """Keyed uniform draws for one block of ``m`` trials.

    ``draw(stream, who, threat, shot)`` gives the block's ``m`` uniforms for that purpose.
    """

    def __init__(self, seed: int, block: int, m: int, wave: int = 0):
        self.base = np.random.SeedSequence(seed).generate_state(2, np.uint64)
        self.block = np.uint64(block) | (np.uint64(wave) << np.uint64(32))
        self.m = m

    def generator(self, stream: int, who: int, threat: int = 0, shot: int = 0) -> np.random.Generator:
        key = self.base ^ np.array([who, self.block], dtype=np.uint64)
        counter = np.array([0, threat, shot, stream], dtype=np.uint64)
        return np.random.Generator(np.random.Philox(key=key, counter=counter))

    def draw(self, stream: int, who: int, threat: int = 0, shot: int = 0) -> NDArray[np.float64]:
        return self.generator(stream, who, threat, shot).random(self.m)


def on_station_draws(
    seed: int,
    keys: NDArray[np.uint64],
    availability: NDArray[np.float64],
    trials: int,
    wave: int = 0,
    start: int = 0,
    posture: Posture | None = None,
) -> NDArray[np.bool_]:
    """Whether each unit is on station in each trial, shape (trials, units): a unit is with probability
    ``availability``, drawn on its own stream per block (a raid draws with its wave, a campaign once). Under a
    rotation ``posture`` each fleet draws one phase per trial on its fleet's stream, and its ships are on
    station as :meth:`bmdlab.defense.posture.Posture.at_phases` says."""
    here = np.ones((trials, len(keys)), dtype=bool)
    rotating = posture is not None and posture.rotating
    alone = np.flatnonzero((availability < 1.0) & (posture.fleet < 0 if rotating else True))  # type: ignore[union-attr]
    done = 0
    while done < trials:
        b = (start + done) // TRIAL_BLOCK
        m = min(TRIAL_BLOCK, trials - done)
        s = Streams(seed, b, m, wave)
        for d in alone:
            here[done : done + m, d] = s.draw(ON_STATION, int(keys[d])) < availability[d]
        if rotating:
            assert posture is not None
            phases = np.column_stack([s.draw(ON_STATION, fleet_key(n)) for n in posture.names])
            here[done : done + m] = posture.at_phases(phases, here[done : done + m])
        done += m
    return here


def fleet_key(unit_type: str) -> int:
    """The random-stream key of a rotating fleet's phase (its unit type), shared by every architecture with it."""
    return stream_key(f"fleet\0{unit_type}")


__all__ = [
    "ARRIVE",
    "CAMPAIGN_WAVE",
    "COMMON",
    "DECOYS",
    "KILL",
    "ON_STATION",
    "TRIAL_BLOCK",
    "Streams",
    "fleet_key",
    "on_station_draws",
    "stream_key",
    "unit_keys",
]
