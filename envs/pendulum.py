"""Gymnasium's Pendulum-v1 in lockstep (see `envs.vector`): B episodes as (B,) arrays, each row
computed as `gymnasium.envs.classic_control.PendulumEnv.step` computes its scalars, in the same
order, with the 200-step cap of its registration."""

from __future__ import annotations

import numpy as np
from gymnasium.envs.classic_control.pendulum import DEFAULT_X, DEFAULT_Y

from envs import seeded_draws, vector

MAX_SPEED, MAX_TORQUE, DT, MASS, LENGTH = 8, 2.0, 0.05, 1.0, 1.0
MAX_STEPS = 200  # Pendulum-v1's TimeLimit


# as 0-d arrays, faster operands than Python floats (see `envs.vector.constants`)
SPEED, TORQUE, DT_, PI, TWO_PI = vector.constants(MAX_SPEED, MAX_TORQUE, DT, np.pi, 2 * np.pi)
COST_THDOT, COST_U, TORQUE_GAIN = vector.constants(0.1, 0.001, 3.0 / (MASS * LENGTH**2))


class PendulumVector:
    accepts = ("g",)

    def __init__(self, g: float = 10.0):
        self.g = g
        (self.gravity_gain,) = vector.constants(3 * g / (2 * LENGTH))

    def _observation(self) -> np.ndarray:
        theta = self.theta
        columns = (vector.cos(theta), vector.sin(theta), self.theta_dot)
        return np.stack(columns, axis=1).astype(np.float32)

    def reset(self, seeds) -> np.ndarray:
        high = np.array([DEFAULT_X, DEFAULT_Y])
        state = seeded_draws.draws(seeds, lambda rng: rng.uniform(low=-high, high=high))
        self.theta, self.theta_dot = np.array(state).reshape(-1, 2).T.copy()
        self.steps = 0
        return self._observation()

    def step(self, actions: np.ndarray):
        th, thdot = self.theta, self.theta_dot
        u = np.minimum(np.maximum(actions[:, 0], -TORQUE), TORQUE)  # np.clip's values
        square = vector.square
        normalized = (th + PI) % TWO_PI - PI  # gymnasium's angle_normalize
        costs = square(normalized) + COST_THDOT * square(thdot) + COST_U * square(u)
        newthdot = thdot + (self.gravity_gain * vector.sin(th) + TORQUE_GAIN * u) * DT_
        newthdot = np.minimum(np.maximum(newthdot, -SPEED), SPEED)
        self.theta, self.theta_dot = th + newthdot * DT_, newthdot
        self.steps += 1
        return self._observation(), -costs, np.zeros(len(th), bool), self.steps >= MAX_STEPS

    def keep(self, rows: np.ndarray) -> None:
        self.theta, self.theta_dot = self.theta[rows], self.theta_dot[rows]
