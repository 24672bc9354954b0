"""Slime Volleyball (Ha 2020, `slimevolleygym`) behind the Gymnasium API.

The game logic and the built-in opponent (a 120-weight RNN) are slimevolleygym's own; this adapter
replaces its old-gym shell:
- `reset(seed=...)` seeds the serve from Gymnasium's `np_random` (the original fell back to the
  global `np.random` unless `seed()` was called) and resets the opponent's RNN state, which the
  original carried over from one episode to the next, so an episode depends on its seed only;
- `terminated` when either side has lost its 5 lives, `truncated` at 3000 steps;
- observations are float32 (12,) from the right (trained) agent's side, scaled by 1/10;
- actions are MultiBinary(3): forward, backward, jump;
- `render_mode="rgb_array"` draws the court with numpy (the original needs gym<=0.21's viewer).

slimevolleygym imports the legacy `gym` package, which prints a notice and changes numpy's print
options on import; both are contained here.
"""

from __future__ import annotations

import contextlib
import io
import math
from typing import ClassVar

import gymnasium as gym
import numpy as np

COURT_WIDTH = 48.0  # slimevolleygym's REF_W, in game units
GROUND_HEIGHT = 1.5  # REF_U
FENCE_WIDTH, FENCE_HEIGHT = 1.0, 3.5
MAX_STEPS = 3000
OBS_SCALE = 10.0  # slimevolleygym divides every observation by 10
COLORS = {
    "background": (11, 16, 19),
    "ground": (116, 114, 117),
    "fence": (102, 56, 35),
    "ball": (217, 79, 0),
    "left": (35, 93, 188),
    "right": (255, 236, 0),
}


def load_slimevolley():
    """The `slimevolleygym.slimevolley` module, imported without its side effects."""
    try:
        saved = np.get_printoptions()
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            import slimevolleygym.slimevolley as slimevolley
        np.set_printoptions(**saved)
    except ImportError as error:
        raise ImportError(
            f"the slimevolley game needs slimevolleygym ({error}): "
            "pip install slimevolleygym gym==0.26.2 opencv-python-headless"
        ) from error
    return slimevolley


class SlimeVolleyEnv(gym.Env):
    """The right agent against slimevolleygym's baseline; reward +1 / -1 per point won / lost."""

    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(self, render_mode: str | None = None, max_steps: int = MAX_STEPS):
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode {render_mode!r}: use None or 'rgb_array'")
        self.render_mode, self.max_steps = render_mode, max_steps
        self._sv = load_slimevolley()
        high = np.full(12, np.finfo(np.float32).max, dtype=np.float32)
        self.observation_space = gym.spaces.Box(-high, high, dtype=np.float32)
        self.action_space = gym.spaces.MultiBinary(3)
        self.opponent = self._sv.BaselinePolicy()
        self.game = None
        self.t = 0

    def _observation(self) -> np.ndarray:
        return self.game.agent_right.getObservation().astype(np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.game = self._sv.Game(np_random=self.np_random)
        self.opponent.reset()
        self.t = 0
        return self._observation(), {}

    def step(self, action):
        if self.game is None:
            raise RuntimeError("call reset() before step()")
        self.t += 1
        left, right = self.game.agent_left, self.game.agent_right
        left.setAction(self.opponent.predict(left.getObservation()))
        right.setAction(np.asarray(action))
        reward = float(self.game.step())
        terminated = left.life <= 0 or right.life <= 0
        truncated = self.t >= self.max_steps
        info = {"lives": right.lives(), "opponent_lives": left.lives()}
        return self._observation(), reward, terminated, truncated, info

    def render(self):
        if self.render_mode == "rgb_array" and self.game is not None:
            return draw_court(self.game)
        return None


def draw_court(game, width: int = 600) -> np.ndarray:
    """A (width * 5 / 12, width, 3) uint8 frame of the court, players, ball and lives."""
    height = width * 5 // 12
    scale = width / COURT_WIDTH
    frame = np.empty((height, width, 3), dtype=np.uint8)
    frame[:] = COLORS["background"]
    rows, cols = np.mgrid[0:height, 0:width]

    def to_pixels(x: float, y: float) -> tuple[float, float]:
        return (x + COURT_WIDTH / 2) * scale, height - y * scale

    def disc(x, y, r, color, upper_half=False):
        cx, cy = to_pixels(x, y)
        inside = (cols - cx) ** 2 + (rows - cy) ** 2 <= (r * scale) ** 2
        if upper_half:
            inside &= rows <= cy
        frame[inside] = color

    def box(x0, y0, x1, y1, color):
        (c0, r1), (c1, r0) = to_pixels(x0, y0), to_pixels(x1, y1)
        frame[max(int(r0), 0) : max(int(r1), 0), max(int(c0), 0) : max(int(c1), 0)] = color

    box(-COURT_WIDTH / 2, 0.0, COURT_WIDTH / 2, GROUND_HEIGHT, COLORS["ground"])
    box(-FENCE_WIDTH / 2, 0.0, FENCE_WIDTH / 2, FENCE_HEIGHT, COLORS["fence"])
    disc(0.0, FENCE_HEIGHT, FENCE_WIDTH / 2, COLORS["fence"])
    ball = game.ball
    for agent, color in ((game.agent_left, COLORS["left"]), (game.agent_right, COLORS["right"])):
        disc(agent.x, agent.y, agent.r, color, upper_half=True)
        # the eye looks at the ball
        angle = math.radians(120 if agent.dir == 1 else 60)
        ex = agent.x + 0.6 * agent.r * math.cos(angle)
        ey = agent.y + 0.6 * agent.r * math.sin(angle)
        dist = math.hypot(ball.x - ex, ball.y - ey) or 1.0
        disc(ex, ey, 0.3 * agent.r, (255, 255, 255))
        disc(
            ex + 0.15 * agent.r * (ball.x - ex) / dist,
            ey + 0.15 * agent.r * (ball.y - ey) / dist,
            0.1 * agent.r,
            (0, 0, 0),
        )
        for i in range(1, agent.life):
            disc(agent.dir * (COURT_WIDTH / 2 + 0.5 - 2.0 * i), 18.5, 0.5, COLORS["fence"])
    disc(ball.x, ball.y, ball.r, COLORS["ball"])
    return frame
