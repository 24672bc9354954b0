"""Envs with injected faults, for the error-handling tests (`faulty_envs:Raises-v0` as GAME)."""

import gymnasium as gym
import numpy as np
from gymnasium import spaces


class FaultyEnv(gym.Env):
    """A 2-D point; every seed divisible by `every` fails: raises, or pays NaN."""

    def __init__(self, fault: str = "raise", every: int = 5, render_mode=None):
        self.fault, self.every, self.render_mode = fault, every, render_mode
        self.observation_space = spaces.Box(-10, 10, (2,), np.float32)
        self.action_space = spaces.Box(-1, 1, (1,), np.float32)
        self.bad = False
        self.t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.bad = seed is not None and seed % self.every == 0
        self.t = 0
        return np.zeros(2, np.float32), {}

    def step(self, action):
        self.t += 1
        if self.bad and self.fault == "raise":
            raise RuntimeError("injected fault: this episode crashes")
        reward = float("nan") if self.bad else -float(np.square(action).sum())
        return np.zeros(2, np.float32), reward, False, self.t >= 20, {}


gym.register("Raises-v0", entry_point=FaultyEnv, kwargs={"fault": "raise"})
gym.register("NaNs-v0", entry_point=FaultyEnv, kwargs={"fault": "nan"})
