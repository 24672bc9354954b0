"""Gymnasium's Pendulum-v1, stepped in plain floats (`PendulumEnv`) and in lockstep
(`PendulumVector`, see `envs.vector`: B episodes as (B,) arrays). Both compute as
`gymnasium.envs.classic_control.PendulumEnv.step` computes its scalars, in the same order, with the
200-step cap of its registration: the same episodes, bit for bit, given float64 actions (which
the project's action mapping gives; Gymnasium's own env would compute part of a float32 action's
cost in float32).
"""

from __future__ import annotations

import math

import numpy as np
from gymnasium.envs.classic_control.pendulum import DEFAULT_X, DEFAULT_Y
from gymnasium.envs.classic_control.pendulum import PendulumEnv as GymnasiumPendulumEnv

from envs import seeded_draws, vector

MAX_SPEED, MAX_TORQUE, DT, MASS, LENGTH = 8, 2.0, 0.05, 1.0, 1.0
MAX_STEPS = 200  # Pendulum-v1's TimeLimit


class PendulumEnv(GymnasiumPendulumEnv):
    """Gymnasium's Pendulum with its state in two floats: a step is a sixth of its own (no numpy
    scalars, no new arrays but the observation), and it caps itself at 200 steps (no TimeLimit
    layer). Spaces, reset draws and rendering are Gymnasium's."""

    def __init__(self, render_mode: str | None = None, g: float = 10.0, max_steps: int = MAX_STEPS):
        super().__init__(render_mode=render_mode, g=g)
        self.max_steps = max_steps
        self.theta, self.theta_dot, self.steps = 0.0, 0.0, 0

    @property
    def state(self) -> np.ndarray:
        """(2,) [theta, thetadot], as Gymnasium's env holds it (its `render` reads it)."""
        return np.array([self.theta, self.theta_dot])

    @state.setter
    def state(self, value) -> None:
        self.theta, self.theta_dot = (float(v) for v in value)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self.steps = 0
        return super().reset(seed=seed, options=options)

    def _get_obs(self) -> np.ndarray:
        theta = self.theta
        return np.array((math.cos(theta), math.sin(theta), self.theta_dot), np.float32)

    def step(self, u):
        th, thdot = self.theta, self.theta_dot
        g, m, length, dt = self.g, self.m, self.l, self.dt
        u = min(max(float(u[0]), -self.max_torque), self.max_torque)  # np.clip's value
        self.last_u = u  # for rendering
        normalized = ((th + math.pi) % (2 * math.pi)) - math.pi  # Gymnasium's angle_normalize
        costs = normalized**2 + 0.1 * thdot**2 + 0.001 * (u**2)
        newthdot = thdot + (3 * g / (2 * length) * math.sin(th) + 3.0 / (m * length**2) * u) * dt
        newthdot = min(max(newthdot, -self.max_speed), self.max_speed)
        self.theta, self.theta_dot = th + newthdot * dt, newthdot
        self.steps += 1
        if self.render_mode == "human":
            self.render()
        return self._get_obs(), -costs, False, self.steps >= self.max_steps, {}


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
        self.theta, self.theta_dot = self.theta.take(rows), self.theta_dot.take(rows)
