"""From episode returns to fitness: the one place it happens, whatever played the episodes."""

from __future__ import annotations

import numpy as np

# --batch_mode: how a solution's episode returns make its fitness
BATCH_MODES = {"mean": np.mean, "min": np.min}


def fitness_of(
    returns: np.ndarray, lengths: np.ndarray, batch_mode: str = "mean"
) -> tuple[np.ndarray, np.ndarray]:
    """returns, lengths (n, num_episode) -> fitness (n,), mean steps (n,).

    Done on rank 0 from the returns alone, so the same episodes give the same floats however
    they were spread over workers.
    """
    reduce = BATCH_MODES[batch_mode]
    fitness = np.array([reduce(row) for row in np.asarray(returns, dtype=np.float64)])
    return fitness, np.asarray(lengths, dtype=np.float64).mean(axis=1)
