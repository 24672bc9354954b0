"""Gymnasium's Pendulum-v1 in lockstep (see `envs.vector`): B episodes as (B,) arrays, each row
computed as `gymnasium.envs.classic_control.PendulumEnv.step` computes its scalars, in the same
order, with the 200-step cap of its registration."""

from __future__ import annotations

import numpy as np
from gymnasium.envs.classic_control.pendulum import DEFAULT_X, DEFAULT_Y, angle_normalize
from gymnasium.utils import seeding

from envs import vector

MAX_SPEED, MAX_TORQUE, DT, MASS, LENGTH = 8, 2.0, 0.05, 1.0, 1.0
MAX_STEPS = 200  # Pendulum-v1's TimeLimit


class PendulumVector:
    accepts = ("g",)

    def __init__(self, g: float = 10.0):
        self.g = g

    def _observation(self) -> np.ndarray:
        theta = self.theta
        columns = (vector.cos(theta), vector.sin(theta), self.theta_dot)
        return np.stack(columns, axis=1).astype(np.float32)

    def reset(self, seeds) -> np.ndarray:
        high = np.array([DEFAULT_X, DEFAULT_Y])
        state = [seeding.np_random(int(seed))[0].uniform(low=-high, high=high) for seed in seeds]
        self.theta, self.theta_dot = np.array(state).reshape(-1, 2).T.copy()
        self.steps = 0
        return self._observation()

    def step(self, actions: np.ndarray):
        th, thdot = self.theta, self.theta_dot
        g, m, l, dt = self.g, MASS, LENGTH, DT  # noqa: E741  (Gymnasium's names)
        u = np.minimum(np.maximum(actions[:, 0], -MAX_TORQUE), MAX_TORQUE)  # np.clip's values
        square = vector.square
        costs = square(angle_normalize(th)) + 0.1 * square(thdot) + 0.001 * square(u)
        newthdot = thdot + (3 * g / (2 * l) * vector.sin(th) + 3.0 / (m * l**2) * u) * dt
        newthdot = np.minimum(np.maximum(newthdot, -MAX_SPEED), MAX_SPEED)
        self.theta, self.theta_dot = th + newthdot * dt, newthdot
        self.steps += 1
        return self._observation(), -costs, np.zeros(len(th), bool), self.steps >= MAX_STEPS

    def keep(self, rows: np.ndarray) -> None:
        self.theta, self.theta_dot = self.theta[rows], self.theta_dot[rows]
