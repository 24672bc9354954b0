"""Gymnasium's CartPole-v1 in lockstep (see `envs.vector`): B episodes as (B,) arrays, each row
computed as `gymnasium.envs.classic_control.CartPoleEnv.step` computes its numpy scalars, in the
same order, with the 500-step cap of its registration and its reset from each episode's seed.

Gymnasium's own `CartPoleVectorEnv` resets every env from one generator, so its episodes are not
those of `CartPoleEnv` seeded one by one; this one's are.
"""

from __future__ import annotations

import math

import numpy as np

from envs import seeded_draws, vector

GRAVITY, MASS_CART, MASS_POLE, LENGTH, FORCE_MAG, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
TOTAL_MASS = MASS_POLE + MASS_CART
POLEMASS_LENGTH = MASS_POLE * LENGTH
THETA_THRESHOLD = 12 * 2 * math.pi / 360
X_THRESHOLD = 2.4
MAX_STEPS = 500  # CartPole-v1's TimeLimit
# as 0-d arrays, faster operands than Python floats (see `envs.vector.constants`)
PML, TM, G, L, MP, T, XT, THT = vector.constants(
    POLEMASS_LENGTH, TOTAL_MASS, GRAVITY, LENGTH, MASS_POLE, TAU, X_THRESHOLD, THETA_THRESHOLD
)
(FOUR_THIRDS,) = vector.constants(4.0 / 3.0)


class CartPoleVector:
    accepts = ()

    def reset(self, seeds) -> np.ndarray:
        state = seeded_draws.draws(seeds, lambda rng: rng.uniform(-0.05, 0.05, size=(4,)))
        self.state = np.array(state).reshape(-1, 4).T.copy()  # (4, B)
        self.steps = 0
        return np.ascontiguousarray(self.state.T, dtype=np.float32)

    def step(self, actions: np.ndarray):
        x, x_dot, theta, theta_dot = self.state
        force = np.where(np.asarray(actions) == 1, FORCE_MAG, -FORCE_MAG)
        costheta, sintheta = vector.cos(theta), vector.sin(theta)
        # np.square, as CartPoleEnv: x * x, exact (not libm's pow)
        temp = (force + PML * np.square(theta_dot) * sintheta) / TM
        thetaacc = (G * sintheta - costheta * temp) / (
            L * (FOUR_THIRDS - MP * np.square(costheta) / TM)
        )
        xacc = temp - PML * thetaacc * costheta / TM
        x = x + T * x_dot
        x_dot = x_dot + T * xacc
        theta = theta + T * theta_dot
        theta_dot = theta_dot + T * thetaacc
        self.state = np.stack([x, x_dot, theta, theta_dot])
        self.steps += 1
        terminated = (x < -XT) | (x > XT) | (theta < -THT) | (theta > THT)
        obs = np.ascontiguousarray(self.state.T, dtype=np.float32)
        return obs, np.ones(len(x)), terminated, self.steps >= MAX_STEPS

    def keep(self, rows: np.ndarray) -> None:
        self.state = self.state.take(rows, axis=1)
