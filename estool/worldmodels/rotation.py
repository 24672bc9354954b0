"""The Sonic port's rotating buffer: V and M train on `pool` of the collected episodes, and every
`every` epochs a `fraction` of that set (5-10% in the port) makes way for episodes it did not hold.

The episodes are put in an order drawn from the seed; epoch e's set is the window of `pool`
episodes that starts at (e // every) * step of that order, wrapping around (step = fraction *
pool, at least 1). Each rotation drops the set's oldest episodes and takes the next ones in, and
the set is a function of (seed, epoch, the episodes there), so a run resumes with the same sets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

ROTATION_STREAM = 0x207A7E  # keeps this order apart from the batches' draws from the same seed


@dataclass(frozen=True)
class Rotation:
    pool: int
    fraction: float = 0.1
    every: int = 3
    seed: int = 0

    def __post_init__(self):
        if self.pool < 1 or not 0 < self.fraction <= 1 or self.every < 1:
            raise ValueError(
                f"rotating buffer: --pool {self.pool} (>= 1), --rotate {self.fraction} (in "
                f"(0, 1]), --rotate_every {self.every} (>= 1)"
            )

    def members(self, indices: Iterable[int], epoch: int) -> list[int]:
        """The episodes (of `indices`) that epoch `epoch` trains on, in index order."""
        order = np.random.default_rng([self.seed, ROTATION_STREAM]).permutation(sorted(indices))
        size = min(self.pool, len(order))
        step = max(1, round(self.fraction * size))
        start = (epoch // self.every) * step
        return sorted(order[(start + np.arange(size)) % len(order)].tolist())

    def identity(self) -> dict:
        """What a checkpoint records of it (another rotation is another run)."""
        return {"pool": self.pool, "rotate": self.fraction, "rotate_every": self.every}
