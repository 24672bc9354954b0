"""Cart-pole swing-up: a Gymnasium port of estool's custom task (no physics engine).

The pole starts hanging down (theta = pi) and must be swung up and balanced (theta = 0) by pushing
the cart along a bounded track. The dynamics are those of estool's `custom_envs/cartpole_swingup.py`
in its original setting (dt = 0.01 s, 1000 steps), integrated with explicit Euler:

    xacc     = (-2 m_p l thdot^2 sin + 3 m_p g sin cos + 4 F - 4 b xdot) / (4 M - 3 m_p cos^2)
    thetaacc = (-3 m_p l thdot^2 sin cos + 6 M g sin + 6 (F - b xdot) cos) / (4 l M - 3 m_p l cos^2)

with M = m_c + m_p. Reward per step (cos(theta) + 1) / 2, in [0, 1]; the episode ends when the cart
leaves |x| <= 2.4 (terminated) or after 1000 steps (truncated).
Observation (5,): [x, xdot, cos(theta), sin(theta), thetadot].
Action (1,) in [-1, 1]: the force on the cart in units of 10 N.
"""

from __future__ import annotations

import math
from typing import ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs import seeded_draws, vector

GRAVITY = 9.82
CART_MASS = 0.5
POLE_MASS = 0.5
POLE_LENGTH = 0.6
FORCE_MAG = 10.0
FRICTION = 0.1
DT = 0.01
X_THRESHOLD = 2.4
MAX_STEPS = 1000
RESET_MEAN = np.array([0.0, 0.0, math.pi, 0.0])
RESET_STD = 0.2


TOTAL_MASS = CART_MASS + POLE_MASS
MPL = POLE_MASS * POLE_LENGTH


def reset_state(rng: np.random.Generator) -> np.ndarray:
    """(4,) initial [x, xdot, theta, thetadot]: the pole hangs down, give or take."""
    return initial_states(rng.standard_normal(4))


def initial_states(noise: np.ndarray) -> np.ndarray:
    """(..., 4) initial states from (..., 4) standard normal draws: `rng.normal(RESET_MEAN,
    RESET_STD)` computes mean + std * z, element by element, and its array form is slow."""
    return RESET_MEAN + RESET_STD * noise


def accelerations(force, x_dot, theta_dot_sq, s, c, c_sq):
    """(x_acc, theta_acc) for floats or (B,) arrays: the same arithmetic, in the same order, so
    that a batch of episodes steps exactly as each would alone. `theta_dot_sq` and `c_sq` are the
    squares as `x**2` gives them for a float (see `envs.vector.square`)."""
    x_acc = (
        -2 * MPL * theta_dot_sq * s
        + 3 * POLE_MASS * GRAVITY * s * c
        + 4 * force
        - 4 * FRICTION * x_dot
    ) / (4 * TOTAL_MASS - 3 * POLE_MASS * c_sq)
    theta_acc = (
        -3 * MPL * theta_dot_sq * s * c
        + 6 * TOTAL_MASS * GRAVITY * s
        + 6 * (force - FRICTION * x_dot) * c
    ) / (4 * POLE_LENGTH * TOTAL_MASS - 3 * MPL * c_sq)
    return x_acc, theta_acc


class CartPoleSwingUpEnv(gym.Env):
    """estool's cart-pole swing-up on the Gymnasium API; renders `rgb_array` frames."""

    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(self, render_mode: str | None = None, max_steps: int = MAX_STEPS, dt: float = DT):
        self.render_mode = render_mode
        self.max_steps = max_steps
        self.dt = dt
        self.action_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
        high = np.full(5, np.finfo(np.float32).max, dtype=np.float32)
        self.observation_space = spaces.Box(-high, high, dtype=np.float32)
        # the state in plain floats: a step allocates nothing but the observation it returns
        self.x, self.x_dot, self.theta, self.theta_dot = (float(v) for v in RESET_MEAN)
        self.steps = 0

    @property
    def state(self) -> np.ndarray:
        """(4,) [x, xdot, theta, thetadot]."""
        return np.array([self.x, self.x_dot, self.theta, self.theta_dot])

    @state.setter
    def state(self, value) -> None:
        self.x, self.x_dot, self.theta, self.theta_dot = (float(v) for v in value)

    def _observation(self) -> np.ndarray:
        theta = self.theta
        return np.array(
            (self.x, self.x_dot, math.cos(theta), math.sin(theta), self.theta_dot), np.float32
        )

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.x, self.x_dot, self.theta, self.theta_dot = reset_state(self.np_random).tolist()
        self.steps = 0
        return self._observation(), {}

    def step(self, action):
        force = min(max(float(action[0]), -1.0), 1.0) * FORCE_MAG
        x, x_dot, theta, theta_dot = self.x, self.x_dot, self.theta, self.theta_dot
        s, c = math.sin(theta), math.cos(theta)
        x_acc, theta_acc = accelerations(force, x_dot, theta_dot**2, s, c, c**2)
        dt = self.dt
        x, theta = x + x_dot * dt, theta + theta_dot * dt
        self.x, self.x_dot, self.theta = x, x_dot + x_acc * dt, theta
        self.theta_dot = theta_dot + theta_acc * dt
        self.steps += 1
        reward = (math.cos(theta) + 1.0) / 2.0
        terminated = not -X_THRESHOLD <= x <= X_THRESHOLD
        truncated = self.steps >= self.max_steps
        return self._observation(), reward, terminated, truncated, {}

    def render(self):
        if self.render_mode != "rgb_array":
            gym.logger.warn("CartPoleSwingUp renders only with render_mode='rgb_array'")
            return None
        return draw_cartpole(self.state)


# the vector env's state rows, (6, B): the observation's five, then theta
X, X_DOT, COS, SIN, THETA_DOT, THETA = range(6)
# The constants of a step as 0-d float64 arrays, each the float the scalar code computes (the same
# grouping, left to right): numpy takes a Python float as a "weak" scalar, which costs about a
# microsecond more per call, and a step is a few dozen calls on short rows.
MPL_2, PMG_3, FOUR, FRICTION_4, TOTAL_MASS_4, POLE_MASS_3 = vector.constants(
    -2 * MPL, 3 * POLE_MASS * GRAVITY, 4, 4 * FRICTION, 4 * TOTAL_MASS, 3 * POLE_MASS
)
MPL_3, TMG_6, SIX, FRICTION_, LTM_4, MPL_3C = vector.constants(
    -3 * MPL, 6 * TOTAL_MASS * GRAVITY, 6, FRICTION, 4 * POLE_LENGTH * TOTAL_MASS, 3 * MPL
)
ONE, MINUS_ONE, TWO, FORCE_SCALE, LIMIT = vector.constants(1.0, -1.0, 2.0, FORCE_MAG, X_THRESHOLD)


class CartPoleSwingUpVector:
    """B episodes of `CartPoleSwingUpEnv` in lockstep (see `envs.vector`).

    The float64 state is one (6, B) array: [x, xdot, cos(theta), sin(theta), thetadot] (an
    observation is one cast) and theta. cos and sin, computed once a step, serve the reward and
    the next step's dynamics (the single env calls libm for each: the same values). A step writes
    the next state into a second array, and is about 45 numpy calls on (B,) rows whatever B is:
    each costs about a microsecond, its elements nanoseconds.
    """

    accepts = ("max_steps", "dt")

    def __init__(self, max_steps: int = MAX_STEPS, dt: float = DT):
        self.max_steps = max_steps
        (self.dt,) = vector.constants(dt)
        self.single: CartPoleSwingUpEnv | None = None  # `alone`'s, made on first use

    def reset(self, seeds) -> np.ndarray:
        noise = seeded_draws.draws(seeds, lambda rng: rng.standard_normal(4))
        x, x_dot, theta, theta_dot = initial_states(noise.reshape(-1, 4)).T
        self.keep_state(
            np.stack([x, x_dot, vector.cos(theta), vector.sin(theta), theta_dot, theta])
        )
        self.steps = 0
        return np.ascontiguousarray(self.state[:THETA].T, dtype=np.float32)

    def step(self, actions: np.ndarray):
        x, x_dot, c, s, theta_dot, theta = self.rows
        new, dt = self.spare, self.dt
        force = np.minimum(np.maximum(actions[:, 0], MINUS_ONE), ONE)  # np.clip's values
        force *= FORCE_SCALE
        theta_dot_sq, c_sq = vector.square(theta_dot), vector.square(c)
        x_acc = (MPL_2 * theta_dot_sq * s + PMG_3 * s * c + FOUR * force - FRICTION_4 * x_dot) / (
            TOTAL_MASS_4 - POLE_MASS_3 * c_sq
        )
        theta_acc = (
            MPL_3 * theta_dot_sq * s * c + TMG_6 * s + SIX * (force - FRICTION_ * x_dot) * c
        ) / (LTM_4 - MPL_3C * c_sq)
        x_new, x_dot_new, c_new, s_new, theta_dot_new, theta_new = self.spare_rows
        np.add(x, x_dot * dt, x_new)
        np.add(x_dot, x_acc * dt, x_dot_new)
        np.add(theta, theta_dot * dt, theta_new)
        np.add(theta_dot, theta_acc * dt, theta_dot_new)
        vector.cos(theta_new, c_new)
        vector.sin(theta_new, s_new)
        self.state, self.spare = new, self.state
        self.rows, self.spare_rows = self.spare_rows, self.rows
        self.steps += 1
        terminated = ~(np.abs(x_new) <= LIMIT)  # NaN too, as `not -X <= x <= X`
        obs = np.ascontiguousarray(new[:THETA].T, dtype=np.float32)
        return obs, (c_new + ONE) / TWO, terminated, self.steps >= self.max_steps

    def keep_state(self, state: np.ndarray) -> None:
        """`state` (6, B) is the current state; a second array of its shape takes the next."""
        self.state, self.spare = state, np.empty_like(state)
        self.rows, self.spare_rows = tuple(self.state), tuple(self.spare)

    def keep(self, rows: np.ndarray) -> None:
        self.keep_state(self.state.take(rows, axis=1))

    def alone(self, row: int) -> CartPoleSwingUpEnv:
        """A single env in row `row`'s state, to play the rest of its episode (the same steps)."""
        if self.single is None:
            self.single = CartPoleSwingUpEnv(max_steps=self.max_steps, dt=float(self.dt))
        env = self.single
        values = self.state[[X, X_DOT, THETA, THETA_DOT], row].tolist()
        env.x, env.x_dot, env.theta, env.theta_dot = values
        env.steps = self.steps
        return env


def draw_cartpole(state: np.ndarray, size: int = 400) -> np.ndarray:
    """An (size, size, 3) uint8 frame of the cart, pole and track, drawn with numpy only."""
    x, _, theta, _ = state
    frame = np.full((size, size, 3), 255, dtype=np.uint8)
    scale = size / (2 * X_THRESHOLD + 1.0)
    track_y = int(size * 0.6)
    track_x0, track_x1 = int(size / 2 - X_THRESHOLD * scale), int(size / 2 + X_THRESHOLD * scale)
    frame[track_y : track_y + 2, track_x0:track_x1] = 0
    cx = int(size / 2 + x * scale)
    cart_w, cart_h = int(0.4 * scale), int(0.2 * scale)
    y0, y1 = track_y - cart_h, track_y
    x0, x1 = max(cx - cart_w // 2, 0), min(cx + cart_w // 2, size)
    if x0 < x1:
        frame[y0:y1, x0:x1] = (200, 40, 40)
    # the pole: theta = 0 is upright (drawn upwards), theta = pi hangs down
    length = POLE_LENGTH * scale * 1.5
    t = np.linspace(0.0, 1.0, 200)
    px = (cx + t * length * math.sin(theta)).astype(int)
    py = (y0 - t * length * math.cos(theta)).astype(int)
    for dx in (-2, -1, 0, 1, 2):
        ok = (px + dx >= 0) & (px + dx < size) & (py >= 0) & (py < size)
        frame[py[ok], px[ok] + dx] = (40, 40, 200)
    return frame
