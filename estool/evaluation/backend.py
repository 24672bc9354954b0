"""The Backend protocol: what the trainer and `model.py` play episodes with.

A backend plays episodes and reports each one's return and length; turning them into fitness
(`--batch_mode`) is the trainer's job, so every backend gives the same fitness for the same
episodes. Backends: `local.PolicyEvaluator` (this process) and `mpi.MPIMaster` (MPI ranks);
`launch.start_backend` picks one.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from estool.solvers.population import GaussianPopulation


class Backend(Protocol):
    bytes_sent: int  # parameter buffers and task headers sent so far (0 in-process)
    worker_seconds: float  # time every rank spent in rollouts so far, summed
    messages: int  # MPI messages rank 0 sent and received so far (0 in-process)

    def play(
        self,
        solutions: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
        population: GaussianPopulation | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """solutions (n, num_params), seeds (n, k) -> returns (n, k), steps (n, k).

        Episode j of solution i starts from seeds[i, j]; `max_len` caps its steps (None: the
        preset's cap); `train` plays with the preset's training wrappers. `population`, when
        given, is the same solutions as seeds: MPI workers rebuild them from it.
        """

    def close(self) -> None:
        """Release the envs (and stop the workers)."""
