"""Rollouts: run a policy for whole episodes and return their returns and lengths.

Every episode is seeded from its own seed: `env.reset(seed=s)` and, for the policy's output noise
or sampled actions, `np.random.default_rng(s)`. So an episode's result depends only on its seed,
never on which process runs it or what ran before.
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
import numpy as np

from estool.games import Game


class ActionAdapter:
    """Turns policy outputs into env actions: argmax for Discrete, output > 0 for MultiBinary,
    rescaling onto Box bounds."""

    def __init__(self, game: Game, action_space: gym.Space):
        self.discrete = game.discrete
        self.binary = isinstance(action_space, gym.spaces.MultiBinary)
        self.low = self.span = None
        if game.rescale_actions and isinstance(action_space, gym.spaces.Box):
            low, high = action_space.low.astype(np.float64), action_space.high.astype(np.float64)
            if np.all(np.isfinite(low)) and np.all(np.isfinite(high)):
                self.low, self.span = low, high - low
        self.shape = getattr(action_space, "shape", None)

    def __call__(self, output):
        if self.discrete:
            return int(np.argmax(output)) if np.ndim(output) else int(output)
        if self.binary:
            return (np.asarray(output) > 0).astype(np.int8).reshape(self.shape)
        action = np.asarray(output, dtype=np.float64)
        if self.low is not None:
            action = self.low + (np.clip(action, -1.0, 1.0) + 1.0) * 0.5 * self.span
        return action.reshape(self.shape) if self.shape else action


POLL_STEPS = 16  # `poll()` is called every this many steps


def run_episode(
    policy,
    env: gym.Env,
    adapter: ActionAdapter,
    seed: int,
    max_len: int,
    on_frame=None,
    poll=None,
):
    """One episode from `seed`, at most `max_len` steps: (return, steps).

    `on_frame(env.render())` is called after the reset and after every step, and `poll()` every
    POLL_STEPS steps (the MPI master serves its workers while it plays), when given.
    """
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    policy.reset()
    if on_frame is not None:
        on_frame(env.render())
    total = 0.0
    for t in range(max_len):
        if poll is not None and t % POLL_STEPS == 0:
            poll()
        obs, reward, terminated, truncated, _ = env.step(adapter(policy.act(obs, t, rng)))
        total += float(reward)
        if on_frame is not None:
            on_frame(env.render())
        if terminated or truncated:
            return total, t + 1
    return total, max_len


def simulate(
    policy,
    env: gym.Env,
    game: Game,
    seeds: Sequence[int],
    max_len: int | None = None,
    on_frame=None,
    poll=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run one episode per seed: returns (returns (n,), steps (n,)). See `run_episode`."""
    adapter = ActionAdapter(game, env.action_space)
    limit = game.max_episode_steps if max_len is None or max_len <= 0 else int(max_len)
    results = [run_episode(policy, env, adapter, int(s), limit, on_frame, poll) for s in seeds]
    returns, steps = zip(*results, strict=True) if results else ((), ())
    return np.array(returns, dtype=np.float64), np.array(steps, dtype=np.int64)
