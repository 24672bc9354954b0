"""Rollouts: run a policy for whole episodes and return their returns and lengths.

Every episode is seeded from its own seed: `env.reset(seed=s)` and, for the policy's output noise
or sampled actions, `np.random.default_rng(s)`. So an episode's result depends only on its seed,
never on which process runs it or what ran before.

Two paths, one result: `simulate` plays episodes one at a time; `play_lockstep` steps B of them
together through a vector env (`envs.vector`) and a batched policy, dropping rows as episodes end.
Each row's arithmetic is the single episode's, so the returns are the same to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import gymnasium as gym
import numpy as np

from envs.spec import EnvSpec, unchanged
from envs.vector import VectorEpisodes
from models.registry import Policy

try:  # without np.count_nonzero's Python wrapper: 0.2 us a step instead of 0.7
    from numpy._core.multiarray import count_nonzero
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import count_nonzero

ALONE_ROWS = 4  # episodes left in a lockstep batch that play on one at a time (2-8 measured)


def run_episode(
    policy: Policy,
    env: gym.Env,
    action: Callable,
    seed: int,
    max_len: int,
    on_frame=None,
    poll=None,
) -> tuple[float, int]:
    """One episode from `seed`, at most `max_len` steps: (return, steps).

    `action(outputs)` maps the policy's outputs to the env's action. `on_frame(env.render())` is
    called after the reset and after every step, and `poll()` before the first step, then again
    after as many steps as it returns (the MPI master serves its workers while it plays), when
    given.
    """
    # a policy that draws no random numbers gets no generator (making one costs 10-30 us)
    rng = None if getattr(policy, "deterministic", False) else np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    policy.reset()
    if on_frame is not None:
        on_frame(env.render())
    return play_on(policy, env, action, obs, 0, max_len, 0.0, rng, on_frame, poll)


def play_on(
    policy: Policy,
    env: gym.Env,
    action: Callable,
    obs,
    start: int,
    max_len: int,
    total: float = 0.0,
    rng: np.random.Generator | None = None,
    on_frame=None,
    poll=None,
) -> tuple[float, int]:
    """The rest of an episode under way: steps `start`, ... from `obs`, with `total` its return
    so far -> (return, steps). See `run_episode`."""
    step, act = env.step, policy.act  # looked up once: this loop is the rollout's hot path
    if poll is None and on_frame is None:  # training's case: nothing but the steps
        if action is unchanged:  # the outputs are the actions: one call less a step (2-3%)
            for t in range(start, max_len):
                obs, reward, terminated, truncated, _ = step(act(obs, t, rng))
                total += float(reward)
                if terminated or truncated:
                    return total, t + 1
            return total, max_len
        for t in range(start, max_len):
            obs, reward, terminated, truncated, _ = step(action(act(obs, t, rng)))
            total += float(reward)
            if terminated or truncated:
                return total, t + 1
        return total, max_len
    next_poll = start
    for t in range(start, max_len):
        if poll is not None and t >= next_poll:
            next_poll = t + poll()
        obs, reward, terminated, truncated, _ = step(action(act(obs, t, rng)))
        total += float(reward)
        if on_frame is not None:
            on_frame(env.render())
        if terminated or truncated:
            return total, t + 1
    return total, max_len


def episode_limit(spec: EnvSpec, max_len: int | None) -> int:
    """`max_len`, or the spec's cap when it is None or not positive."""
    return spec.max_episode_steps if max_len is None or max_len <= 0 else int(max_len)


def simulate(
    policy: Policy,
    env: gym.Env,
    spec: EnvSpec,
    seeds: Sequence[int],
    max_len: int | None = None,
    on_frame=None,
    poll=None,
    action: Callable | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One episode per seed: returns (n,), steps (n,). `max_len` defaults to the spec's cap;
    `action`, the spec's action mapping for `env` (made here when None); see `run_episode`."""
    if action is None:
        action = spec.action_mapping(env.action_space, getattr(policy, "output_size", None))
    limit = episode_limit(spec, max_len)
    returns, steps = np.empty(len(seeds)), np.empty(len(seeds), dtype=np.int64)
    for i, seed in enumerate(seeds):
        returns[i], steps[i] = run_episode(policy, env, action, int(seed), limit, on_frame, poll)
    return returns, steps


def play_lockstep(
    policy_batch,
    venv: VectorEpisodes,
    action: Callable,
    seeds: Sequence[int],
    max_len: int,
    poll=None,
    action_alone: Callable | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """B episodes in lockstep, episode i from seeds[i], at most `max_len` steps: returns (B,),
    steps (B,). `policy_batch.act(obs (B', n_in), t)` gives the rows still playing their outputs,
    `action` maps them to the env's actions; `poll()` as in `run_episode`.

    With `action_alone` (the one-episode action mapping), where the vector env and the batched
    policy can hand a row over (`alone(row)`), the last ALONE_ROWS episodes play on one at a time:
    a lockstep step costs nearly as much for 1 row as for 30, a single step a quarter of it.
    """
    count = len(seeds)
    obs = venv.reset(np.asarray(seeds, dtype=np.int64))
    policy_batch.reset()
    returns = np.zeros(count)
    steps = np.full(count, max_len, dtype=np.int64)
    playing = np.arange(count)  # the episodes of the rows still in the arrays
    totals = np.zeros(count)  # their returns so far, row by row
    step, act = venv.step, policy_batch.act
    alone = action_alone is not None and hasattr(venv, "alone") and hasattr(policy_batch, "alone")
    next_poll = 0
    for t in range(max_len):
        if poll is not None and t >= next_poll:
            next_poll = t + poll()
        obs, rewards, terminated, truncated = step(action(act(obs, t)))
        totals += rewards
        done = terminated if truncated is False else terminated | truncated
        if count_nonzero(done):  # np.count_nonzero's own C function
            ended = playing[done]
            returns[ended], steps[ended] = totals[done], t + 1
            # the rows still playing as indices: take() costs a third of a boolean index
            kept = (~done).nonzero()[0]
            playing, totals = playing.take(kept), totals.take(kept)
            if not playing.size:
                return returns, steps
            venv.keep(kept)
            policy_batch.keep(kept)
            obs = obs.take(kept, axis=0)
            if playing.size <= ALONE_ROWS and alone:
                for row, episode in enumerate(playing.tolist()):
                    returns[episode], steps[episode] = play_on(
                        policy_batch.alone(row), venv.alone(row), action_alone, obs[row],
                        t + 1, max_len, float(totals[row]), poll=poll,
                    )  # fmt: skip
                return returns, steps
    returns[playing] = totals
    return returns, steps
