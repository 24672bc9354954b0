"""Scoring parameter vectors: the work a worker does (and the serial backend, in-process)."""

from __future__ import annotations

import numpy as np

from envs import make_env
from envs.wrappers import apply_wrappers
from estool.games import Game, make_policy
from estool.rollout import simulate


class PolicyEvaluator:
    """Builds the env and the policy once; scores solutions by averaged (or min) episode returns."""

    def __init__(self, game: Game, batch_mode: str = "mean"):
        self.game = game
        self.env = make_env(game.env_id, **game.env_kwargs)
        # training episodes see the Game's task tweaks; evaluations score the task itself
        self.train_env = apply_wrappers(self.env, game.wrappers)
        self.policy = make_policy(game)
        self.reduce = np.min if batch_mode == "min" else np.mean

    def evaluate(
        self,
        solutions: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """solutions (n, num_params), seeds (n, num_episode) -> fitness (n,), mean steps (n,)."""
        env = self.train_env if train else self.env
        fitness = np.empty(len(solutions))
        steps = np.empty(len(solutions))
        for i, (params, episode_seeds) in enumerate(zip(solutions, seeds, strict=True)):
            self.policy.set_params(params)
            returns, lengths = simulate(self.policy, env, self.game, episode_seeds, max_len)
            fitness[i], steps[i] = self.reduce(returns), lengths.mean()
        return fitness, steps

    def close(self) -> None:
        self.env.close()
