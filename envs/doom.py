"""ViZDoom's Take Cover (`VizdoomTakeCover-v1`) as World Models plays it.

Fireballs come from the far wall; the agent moves left or right to dodge them and earns +1 per
frame survived. Observation: the screen, (H, W, 3) uint8 (the game variables are dropped); the game
renders at 160x120 without its HUD (2.3x faster than its default 320x240). Options:
- `world_models=True`: frames cropped to their top 5/6 and resized to 64x64, as in World Models
  (Ha & Schmidhuber, 2018);
- `continuous=True`: the action is one number in [-1, 1] cut into thirds, left / stay / right, as
  the World Models controller outputs it; otherwise Discrete(3): stay, right, left (ViZDoom's);
- `max_steps`: the episode is truncated there (World Models: 2100 frames);
- `size`, `gray`: frames resized to `size` (h, w), in grayscale (see `envs.frames`).
"""

from __future__ import annotations

from typing import ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.frames import FrameProcessor

STAY, RIGHT, LEFT = 0, 1, 2  # VizdoomTakeCover-v1's Discrete(3)
MAX_STEPS = 2100


class TakeCover(gym.Env):
    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"], "render_fps": 35}

    def __init__(
        self,
        render_mode: str | None = None,
        world_models: bool = False,
        continuous: bool = False,
        max_steps: int = MAX_STEPS,
        resolution: str = "RES_160X120",
        size: tuple[int, int] | None = None,
        gray: bool = False,
    ):
        try:
            import vizdoom.gymnasium_wrapper  # noqa: F401  (registers VizdoomTakeCover-v1)
        except ImportError as error:
            raise ValueError(
                f"doom_takecover needs vizdoom ({error}): pip install 'estool[doom]'"
            ) from None
        self.render_mode = render_mode
        self.game = gym.make(
            "VizdoomTakeCover-v1",
            disable_env_checker=True,
            screen_resolution=resolution,
            render_hud=False,
        ).unwrapped
        screen = self.game.observation_space["screen"]
        height = screen.shape[0]
        self.frames = (
            FrameProcessor(crop=(0, height * 5 // 6), size=(64, 64))
            if world_models
            else FrameProcessor(size=size, gray=gray)
        )
        self.observation_space = self.frames.space(screen.shape)
        self.continuous = continuous
        self.action_space = (
            spaces.Box(-1.0, 1.0, (1,), np.float32) if continuous else spaces.Discrete(3)
        )
        self.max_steps = max_steps
        self.steps = 0
        self.screen = np.zeros(screen.shape, np.uint8)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        # the game's seed from this env's generator: an episode depends on its seed only
        obs, _ = self.game.reset(seed=int(self.np_random.integers(2**31)))
        self.steps = 0
        return self._observe(obs), {}

    def step(self, action):
        obs, reward, terminated, truncated, info = self.game.step(self._button(action))
        self.steps += 1
        truncated = truncated or self.steps >= self.max_steps
        return self._observe(obs), float(reward), bool(terminated), bool(truncated), info

    def _button(self, action) -> int:
        if not self.continuous:
            return int(action)
        value = float(np.asarray(action).reshape(-1)[0])
        return LEFT if value < -1 / 3 else RIGHT if value > 1 / 3 else STAY

    def _observe(self, obs: dict) -> np.ndarray:
        if self.game.state is not None:  # after the last frame ViZDoom gives a black screen
            self.screen = obs["screen"]
        return self.frames(self.screen)

    def render(self):
        return self.screen.copy() if self.render_mode == "rgb_array" else None

    def close(self):
        self.game.close()
