"""Scoring parameter vectors: the work a worker does (and the serial backend, in-process)."""

from __future__ import annotations

import numpy as np

from envs import make_env
from envs.wrappers import apply_wrappers
from estool.games import Game, make_policy
from estool.rollout import simulate

# --batch_mode: how a solution's episode returns make its fitness
BATCH_MODES = {"mean": np.mean, "min": np.min}


def fitness_of(
    returns: np.ndarray, lengths: np.ndarray, batch_mode: str = "mean"
) -> tuple[np.ndarray, np.ndarray]:
    """returns, lengths (n, num_episode) -> fitness (n,), mean steps (n,).

    The one place episodes become fitness, for every backend: the same episodes give the same
    floats however they were spread over workers.
    """
    reduce = BATCH_MODES[batch_mode]
    fitness = np.array([reduce(row) for row in np.asarray(returns, dtype=np.float64)])
    return fitness, np.asarray(lengths, dtype=np.float64).mean(axis=1)


class Backend:
    """What the trainer and model.py evaluate with: `play` episodes, or `evaluate` solutions.

    Subclasses define `play(solutions (n, num_params), seeds (n, k), max_len, train)` ->
    returns (n, k), steps (n, k), and set `batch_mode`.
    """

    batch_mode = "mean"

    def evaluate(
        self,
        solutions: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """solutions (n, num_params), seeds (n, k) -> fitness (n,), mean steps (n,)."""
        returns, lengths = self.play(solutions, seeds, max_len, train)
        return fitness_of(returns, lengths, self.batch_mode)


class PolicyEvaluator(Backend):
    """Builds the env and the policy once; scores solutions by averaged (or min) episode returns."""

    def __init__(self, game: Game, batch_mode: str = "mean"):
        self.game = game
        self.env = make_env(game.env_id, **game.env_kwargs)
        # training episodes see the Game's task tweaks; evaluations score the task itself
        self.train_env = apply_wrappers(self.env, game.wrappers)
        self.policy = make_policy(game)
        self.batch_mode = batch_mode

    def episodes(
        self,
        params: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
        poll=None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One solution (num_params,), one episode per seed (k,) -> returns (k,), steps (k,).

        `poll()` is called every few steps when given (`run_episode`).
        """
        self.policy.set_params(params)
        env = self.train_env if train else self.env
        return simulate(self.policy, env, self.game, seeds, max_len, poll=poll)

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
        for i, (params, episode_seeds) in enumerate(zip(solutions, seeds, strict=True)):
            returns[i], lengths[i] = self.episodes(params, episode_seeds, max_len, train)
        return returns, lengths

    def close(self) -> None:
        self.env.close()
