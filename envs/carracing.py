"""CarRacing-v3 from pixels: the 96x96x3 frame Gymnasium's env draws every step, through an
optional `FrameProcessor`; `world_models=True` crops it to rows 0:84 (the dashboard goes) and
resizes it to 64x64, as World Models (Ha & Schmidhuber, 2018). Actions: Box([-1, 0, 0], [1, 1, 1]),
steering, gas, brake.
"""

from __future__ import annotations

import gymnasium as gym

from envs.frames import FrameProcessor


class CarRacingFrames(gym.ObservationWrapper):
    def __init__(
        self,
        render_mode: str | None = None,
        world_models: bool = False,
        size: tuple[int, int] | None = None,
        gray: bool = False,
        **kwargs,
    ):
        env = gym.make("CarRacing-v3", render_mode=render_mode, disable_env_checker=True, **kwargs)
        super().__init__(env)
        crop, size = ((0, 84), (64, 64)) if world_models else (None, size)
        self.frames = FrameProcessor(crop, size, gray)
        self.observation_space = self.frames.space(env.observation_space.shape)

    def observation(self, observation):
        return self.frames(observation)
