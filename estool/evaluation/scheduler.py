"""How one evaluation's episodes are cut into tasks for the ranks (pure; `mpi.Round` sends them)."""

from __future__ import annotations

import numpy as np

IN_FLIGHT = 2  # tasks queued per worker
TASKS_PER_WORKER = 32  # split solutions' episodes into parts until there are this many per worker


def plan_tasks(
    num_episode: int, num_solutions: int, num_workers: int, lockstep: bool = False
) -> list[tuple]:
    """The tasks of one evaluation, in hand-out order: (solution index, episode indices) pairs.

    Whole solutions when there are TASKS_PER_WORKER per worker; otherwise each solution's
    episodes in near-equal parts, never smaller than one episode. The generation's last
    IN_FLIGHT tasks per worker are split into single episodes, so that the workers (rank 0
    among them) finish together: the last one is about one episode behind the others.

    With `lockstep` (the workers step a task's episodes together, `envs.vector`), a solution's
    episodes are split only as far as it takes to give every worker a task (one solution scored
    on many episodes): smaller parts would trade the batch, where the speed is, for a balance
    that lockstep does not gain much from (a batch takes as long as its longest episode).
    """
    wanted = -(-(1 if lockstep else TASKS_PER_WORKER) * num_workers // num_solutions)
    if lockstep:
        parts = np.array_split(np.arange(num_episode), min(num_episode, max(1, wanted)))
        return [(index, part) for index in range(num_solutions) for part in parts]
    parts = np.array_split(np.arange(num_episode), min(num_episode, max(1, wanted)))
    tasks = [(index, part) for index in range(num_solutions) for part in parts]
    split = max(0, len(tasks) - IN_FLIGHT * num_workers)  # the last tasks go in single episodes
    singles = [(index, part[i : i + 1]) for index, part in tasks[split:] for i in range(len(part))]
    return tasks[:split] + singles
