"""pybullet through `pybullet-envs-gymnasium` (Ant, HalfCheetah, Hopper, Walker2D, Humanoid, the
pendulums...: ids `...BulletEnv-v0`, registered when that package is imported), and estool's
NoDeath ant.
"""

from __future__ import annotations

import gymnasium as gym

PROGRESS = 1  # index of the distance term in a locomotion env's `rewards`


def settle(env: gym.Env) -> gym.Env:
    """`env` after one reset, where it is a pybullet-envs-gymnasium locomotion env.

    Those build their world at the first reset and save its state, then restore that state at
    every later reset; a restored start differs from the built one in the last digits, so the
    first episode would differ from the same seed's later ones. Reset once here, every episode
    starts from a restore."""
    base = env.unwrapped
    if getattr(base, "stateId", 0) < 0:
        env.reset(seed=0)
    return env


class NoDeath(gym.Wrapper):
    """estool's `custom_wrapper.NoDeath`: the reward is the distance made this step (the
    locomotion env's progress term), a fall costs 1 and does not end the episode, which ends after
    `t_max` steps."""

    def __init__(self, env: gym.Env, t_max: int = 1000):
        super().__init__(env)
        self.t_max, self.t = t_max, 0

    def reset(self, **kwargs):
        self.t = 0
        return self.env.reset(**kwargs)

    def step(self, action):
        self.t += 1
        obs, _, fell, _, info = self.env.step(action)
        reward = float(self.env.unwrapped.rewards[PROGRESS]) - (1.0 if fell else 0.0)
        return obs, reward, False, self.t >= self.t_max, info


def no_death_ant(render_mode: str | None = None, **kwargs) -> gym.Env:
    """`NoDeathAntBulletEnv-v0`: the Ant without its time limit, in `NoDeath`."""
    import pybullet_envs_gymnasium  # noqa: F401  (registers AntBulletEnv-v0)

    ant = gym.make("AntBulletEnv-v0", render_mode=render_mode, disable_env_checker=True, **kwargs)
    ant = ant.unwrapped
    # frames only: pybullet's "human" mode opens a GUI, which ends the process without a display
    ant.metadata = {**ant.metadata, "render_modes": ["rgb_array"]}
    return NoDeath(settle(ant))
