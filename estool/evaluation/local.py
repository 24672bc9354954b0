"""Playing solutions in this process: the in-process backend, and every MPI rank's player."""

from __future__ import annotations

import time

import numpy as np

from estool.evaluation.rollout import simulate
from estool.presets import Preset
from models.registry import make_policy


class PolicyEvaluator:
    """Builds the preset's env and policy once; plays episodes of parameter vectors (a Backend)."""

    def __init__(self, preset: Preset):
        self.preset = preset
        self.env = preset.env.make()
        # training episodes see the preset's task tweaks; evaluations score the task itself
        self.train_env = preset.env.for_training(self.env)
        self.policy = make_policy(preset.policy)
        self.bytes_sent = 0
        self.worker_seconds = 0.0

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
        self.policy.set_params(params)
        env = self.train_env if train else self.env
        return simulate(self.policy, env, self.preset.env, seeds, max_len, poll=poll)

    def play(
        self,
        solutions: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """solutions (n, num_params), seeds (n, k) -> returns (n, k), steps (n, k)."""
        seeds = np.asarray(seeds)
        returns, lengths = np.empty(seeds.shape), np.empty(seeds.shape)
        start = time.perf_counter()
        for i, (params, episode_seeds) in enumerate(zip(solutions, seeds, strict=True)):
            returns[i], lengths[i] = self.episodes(params, episode_seeds, max_len, train)
        self.worker_seconds += time.perf_counter() - start
        return returns, lengths

    def close(self) -> None:
        self.env.close()
