"""Envs whose episodes take a set time without using the CPU, for `bench/scale.py`: with them, 16
to 256 MPI ranks share 2 cores and still play as if each had its own.

`Sleep{10,50,200}ms-v0`: 10 steps an episode, each a `time.sleep` of a tenth of the episode's
time. Observation (4,) zeros; action (1,); reward -action**2 a step, so that fitness depends on
the parameters and the solver has something to sort.
"""

from __future__ import annotations

import time

import gymnasium as gym
import numpy as np

STEPS = 10


class SleepEnv(gym.Env):
    def __init__(self, episode_seconds: float = 0.05, render_mode: str | None = None):
        self.pause = episode_seconds / STEPS
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
        return np.zeros(4, np.float32), reward, False, self.t >= STEPS, {}


for milliseconds in (10, 50, 200):
    gym.register(
        f"Sleep{milliseconds}ms-v0",
        entry_point="sleep_env:SleepEnv",
        kwargs={"episode_seconds": milliseconds / 1000},
        max_episode_steps=STEPS,
    )
