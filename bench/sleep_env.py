"""Envs whose episodes take a set time without using the CPU, for `bench/scale.py`: with them, 16
to 256 MPI ranks share 2 cores and still play as if each had its own.

`Sleep{10,50,200}ms-v0`: 10 steps an episode, each a `time.sleep` of a tenth of the episode's
time; `Sleep{10,50,200}msOnce-v0`: one step, one sleep (on this VM every wake-up costs its
process 40-70 us of CPU, so 10 of them an episode at 128 ranks keep the 2 cores busy).

Observation (4,) zeros; action (1,); reward -action**2 a step, so that fitness depends on
the parameters and the solver has something to sort.
"""

from __future__ import annotations

import time

import gymnasium as gym
import numpy as np

STEPS = 10


class SleepEnv(gym.Env):
    def __init__(
        self, episode_seconds: float = 0.05, steps: int = STEPS, render_mode: str | None = None
    ):
        self.steps = steps
        self.pause = episode_seconds / steps
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (4,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
        self.t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        return np.zeros(4, np.float32), {}

    def step(self, action):
        time.sleep(self.pause)
        self.t += 1
        reward = -(float(np.asarray(action).reshape(-1)[0]) ** 2)
        return np.zeros(4, np.float32), reward, False, self.t >= self.steps, {}


for milliseconds in (10, 50, 200):
    for suffix, steps in (("", STEPS), ("Once", 1)):
        gym.register(
            f"Sleep{milliseconds}ms{suffix}-v0",
            entry_point="sleep_env:SleepEnv",
            kwargs={"episode_seconds": milliseconds / 1000, "steps": steps},
            max_episode_steps=steps,
        )


def _register_presets() -> None:
    """`sleep_100k`, `sleep_1m`: a 10 ms one-step episode played by an MLP of 101,753 or
    1,002,993 parameters (`bench/seeds.py`: what sending solutions costs at that size)."""
    from envs.spec import EnvSpec
    from estool.presets import Preset, mlp, register_preset

    for name, hidden in (("sleep_100k", (316, 316)), ("sleep_1m", (1000, 996))):
        register_preset(Preset(name, EnvSpec("Sleep10msOnce-v0"), mlp(4, 1, hidden)))


_register_presets()
