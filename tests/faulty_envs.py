"""Envs with injected faults, for the error-handling tests (`faulty_envs:Raises-v0` as GAME)."""

import os

import gymnasium as gym
import numpy as np
from gymnasium import spaces


def mpi_rank() -> int:
    """This process's rank under mpiexec (MPICH's hydra sets PMI_RANK), 0 without MPI."""
    return int(os.environ.get("PMI_RANK", 0))


class FaultyEnv(gym.Env):
    """A 2-D point; every seed divisible by `every` fails: raises, or pays NaN. With `rank`, only
    the episodes that MPI rank plays fail."""

    def __init__(self, fault: str = "raise", every: int = 5, rank=None, render_mode=None):
        self.fault, self.every, self.rank, self.render_mode = fault, every, rank, render_mode
        self.observation_space = spaces.Box(-10, 10, (2,), np.float32)
        self.action_space = spaces.Box(-1, 1, (1,), np.float32)
        self.bad = False
        self.t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.bad = seed is not None and seed % self.every == 0
        if self.rank is not None:
            self.bad = mpi_rank() == self.rank
        self.t = 0
        return np.zeros(2, np.float32), {}

    def step(self, action):
        self.t += 1
        if self.bad and self.fault == "raise":
            raise RuntimeError("injected fault: this episode crashes")
        reward = float("nan") if self.bad else -float(np.square(action).sum())
        return np.zeros(2, np.float32), reward, False, self.t >= 20, {}


class WhoPlaysEnv(gym.Env):
    """One-step episodes that pay the MPI rank playing them: fitness shows who played what."""

    def __init__(self, render_mode=None):
        self.render_mode = render_mode
        self.observation_space = spaces.Box(-1, 1, (1,), np.float32)
        self.action_space = spaces.Box(-1, 1, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(1, np.float32), {}

    def step(self, action):
        return np.zeros(1, np.float32), float(mpi_rank()), True, False, {}


gym.register("Raises-v0", entry_point=FaultyEnv, kwargs={"fault": "raise"})
gym.register("RaisesOnRank0-v0", entry_point=FaultyEnv, kwargs={"fault": "raise", "rank": 0})
gym.register("NaNs-v0", entry_point=FaultyEnv, kwargs={"fault": "nan"})
gym.register("WhoPlays-v0", entry_point=WhoPlaysEnv)
