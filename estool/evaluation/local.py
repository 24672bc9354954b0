"""Playing solutions in this process: the in-process backend, and every MPI rank's player."""

from __future__ import annotations

import time

import numpy as np

from estool.evaluation.rollout import episode_limit, play_lockstep, simulate
from estool.evaluation.scheduler import LOCKSTEP_MIN_ROWS, plan_tasks, scatter, task_inputs
from estool.presets import Preset
from models.registry import make_policy

LOCKSTEP_ROWS = 256  # episodes stepped together at most (the batched policy's weights are per row)


class PolicyEvaluator:
    """Builds the preset's env and policy once; plays episodes of parameter vectors (a Backend).

    With `lockstep` (the default) and an env that has a vector form (`envs.vector`), several
    episodes play in lockstep; otherwise one at a time. The returns are the same either way.
    """

    def __init__(self, preset: Preset, lockstep: bool = True):
        self.preset = preset
        self.env = preset.env.make()
        # training episodes see the preset's task tweaks; evaluations score the task itself
        self.train_env = preset.env.for_training(self.env)
        self.policy = make_policy(preset.policy)
        outputs = getattr(self.policy, "output_size", None)
        self.action = preset.env.action_mapping(self.env.action_space, outputs)
        self.venv = preset.env.make_vector() if lockstep else None
        if self.venv is not None:
            self.action_rows = preset.env.action_mapping(self.env.action_space, outputs, True)
        self.bytes_sent = 0
        self.worker_seconds = 0.0
        self.messages = 0

    def lockstep(self, train: bool) -> bool:
        """Whether several episodes (training ones with `train`) play in lockstep here."""
        if self.venv is None or (train and self.preset.env.wrappers):
            return False
        return getattr(self.policy, "deterministic", False) and hasattr(self.policy, "batch")

    def _batch(self, params: np.ndarray, train: bool, count: int):
        """The batched policy for `count` episodes of `params` (num_params,) or (count, ...),
        or None when they play one at a time."""
        if count < LOCKSTEP_MIN_ROWS or not self.lockstep(train):
            return None
        return self.policy.batch(params)

    def episodes(
        self,
        params: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
        poll=None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One solution (num_params,), one episode per seed (k,) -> returns (k,), steps (k,).

        `poll()` is called every few steps when given (`rollout.run_episode`).
        """
        limit = episode_limit(self.preset.env, max_len)
        batch = self._batch(params, train, len(seeds))
        if batch is not None:
            return play_lockstep(
                batch, self.venv, self.action_rows, seeds, limit, poll, self.action
            )
        self.policy.set_params(params)
        env = self.train_env if train else self.env
        return simulate(
            self.policy, env, self.preset.env, seeds, limit, poll=poll, action=self.action
        )

    def play_pieces(
        self,
        vectors: list[np.ndarray],
        seeds: list[np.ndarray],
        max_len: int | None = None,
        train: bool = True,
        poll=None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pieces of a task, vectors[j] (num_params,) on seeds[j] (k_j,), played together where
        they can be -> returns (k,), steps (k,) in piece order (k = sum k_j)."""
        if len(vectors) == 1:
            return self.episodes(vectors[0], seeds[0], max_len, train, poll)
        counts = [len(part) for part in seeds]
        flat = np.concatenate(seeds)
        batch = self._batch(np.repeat(np.stack(vectors), counts, axis=0), train, len(flat))
        if batch is not None:
            limit = episode_limit(self.preset.env, max_len)
            return play_lockstep(batch, self.venv, self.action_rows, flat, limit, poll, self.action)
        played = [
            self.episodes(v, s, max_len, train, poll) for v, s in zip(vectors, seeds, strict=True)
        ]
        return np.concatenate([r for r, _ in played]), np.concatenate([n for _, n in played])

    def play(
        self,
        solutions: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
        population=None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """solutions (n, num_params), seeds (n, k) -> returns (n, k), steps (n, k).

        In lockstep, every (solution, episode) pair is a row, LOCKSTEP_ROWS at a time. In this
        process `population` (the solutions as seeds) has no use."""
        seeds = np.asarray(seeds)
        solutions = np.asarray(solutions, dtype=np.float64)
        start = time.perf_counter()
        returns, lengths = np.empty(seeds.shape), np.empty(seeds.shape)
        if self.lockstep(train):
            tasks = plan_tasks(seeds.shape[1], len(solutions), 1, True, LOCKSTEP_ROWS)
            for pieces in tasks:
                vectors, task_seeds = task_inputs(pieces, solutions, seeds)
                played = self.play_pieces(vectors, task_seeds, max_len, train)
                scatter(pieces, played, returns, lengths)
        else:
            for index, solution in enumerate(solutions):
                returns[index], lengths[index] = self.episodes(
                    solution, seeds[index], max_len, train
                )
        self.worker_seconds += time.perf_counter() - start
        return returns, lengths

    def close(self) -> None:
        self.env.close()
