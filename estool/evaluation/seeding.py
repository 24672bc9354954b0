"""Episode seeds: a pure function of (run seed, generation, solution index).

Never of the MPI rank or of the order in which work is handed out, so that the same command gives
the same fitness history on any number of workers. With antithetic sampling, solutions i and
i + popsize/2 (a mirrored pair) share their seeds; with common seeds every solution of a
generation plays the same episodes (common random numbers: where the episode's luck is a large
part of a return, as a serve in slimevolley, solutions are ranked on their play rather than on it).
"""

from __future__ import annotations

import numpy as np

TRAIN, EVAL = 0, 1  # streams: training episodes, validation episodes


def episode_seeds(
    run_seed: int,
    generation: int,
    popsize: int,
    num_episode: int,
    antithetic: bool = False,
    common: bool = False,
) -> np.ndarray:
    """(popsize, num_episode) int64 seeds in [0, 2^31) for one generation's training episodes.
    `common`: every row is the first row (the seeds solution 0 gets without it)."""
    distinct = 1 if common else popsize // 2 if antithetic else popsize
    sequence = np.random.SeedSequence([run_seed, TRAIN, generation])
    seeds = sequence.generate_state(distinct * num_episode, np.uint32) >> np.uint32(1)
    seeds = seeds.astype(np.int64).reshape(distinct, num_episode)
    if common:
        return np.repeat(seeds, popsize, axis=0)
    return np.concatenate([seeds, seeds]) if antithetic else seeds


def validation_seeds(run_seed: int, count: int) -> np.ndarray:
    """(count,) fixed seeds of the validation episodes, the same at every evaluation."""
    sequence = np.random.SeedSequence([run_seed, EVAL])
    return (sequence.generate_state(count, np.uint32) >> np.uint32(1)).astype(np.int64)
