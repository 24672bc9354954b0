"""How one evaluation's episodes are cut into tasks for the ranks (pure; `mpi.Round` sends them)."""

from __future__ import annotations

import numpy as np

IN_FLIGHT = 2  # tasks queued per worker
TASKS_PER_WORKER = 8  # split solutions' episodes into parts until there are this many per worker


LOCKSTEP_TASK_ROWS = 64  # episodes of a lockstep task, at most (unless it takes more tasks)
# fewer episodes than this play one at a time: a lockstep step costs about four single steps
# on cart-pole, and a batch lasts as long as its longest episode
LOCKSTEP_MIN_ROWS = 8


def plan_tasks(
    num_episode: int,
    num_solutions: int,
    num_workers: int,
    lockstep: bool = False,
    task_rows: int = LOCKSTEP_TASK_ROWS,
) -> list[list[tuple[int, np.ndarray]]]:
    """The tasks of one evaluation, in hand-out order. A task is a list of pieces, (solution
    index, episode indices), played together.

    One at a time, a task is one piece: a whole solution when there are TASKS_PER_WORKER per
    worker; otherwise each solution's episodes in near-equal parts, never smaller than one
    episode. The generation's last IN_FLIGHT tasks per worker are split into single episodes, so
    that the workers (rank 0 among them) finish together: the last one is about one episode
    behind the others.

    In `lockstep` (the workers step a task's episodes together, `envs.vector`), the episodes of
    every solution, in order, are cut into near-equal tasks of at most `task_rows`, and at least
    two a worker when there are several: a lockstep step costs nearly the same for 4 rows as for
    64, so the batch is where the speed is, and a batch takes as long as its longest episode.
    When that leaves fewer than LOCKSTEP_MIN_ROWS a task, the plan is the one-at-a-time one.
    """
    rows = num_solutions * num_episode
    least = 2 * num_workers if num_workers > 1 else 1
    count = min(rows, max(least, -(-rows // task_rows)))
    if lockstep and rows >= count * LOCKSTEP_MIN_ROWS:
        tasks = []
        for chunk in np.array_split(np.arange(rows), count):
            owners = chunk // num_episode
            tasks.append(
                [(int(i), chunk[owners == i] % num_episode) for i in np.unique(owners).tolist()]
            )
        return tasks
    wanted = -(-TASKS_PER_WORKER * num_workers // num_solutions)  # parts per solution, rounded up
    parts = np.array_split(np.arange(num_episode), min(num_episode, max(1, wanted)))
    tasks = [(index, part) for index in range(num_solutions) for part in parts]
    split = max(0, len(tasks) - IN_FLIGHT * num_workers)  # the last tasks go in single episodes
    singles = [(index, part[i : i + 1]) for index, part in tasks[split:] for i in range(len(part))]
    return [[piece] for piece in tasks[:split] + singles]


def task_inputs(pieces, solutions: np.ndarray, seeds: np.ndarray):
    """A task's vectors [(num_params,)] and seeds [(k_j,)], one each a piece, from the
    population (n, num_params) and its seeds (n, num_episode)."""
    return [solutions[i] for i, _ in pieces], [seeds[i, episodes] for i, episodes in pieces]


def scatter(pieces, played, returns: np.ndarray, lengths: np.ndarray) -> None:
    """A task's (returns (k,), steps (k,)), in piece order, into the (n, num_episode) tables."""
    start = 0
    for index, episodes in pieces:
        end = start + len(episodes)
        returns[index, episodes] = played[0][start:end]
        lengths[index, episodes] = played[1][start:end]
        start = end
