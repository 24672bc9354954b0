"""CarRacing-v3 from pixels: the 96x96x3 frame Gymnasium's env draws every step, through an
optional `FrameProcessor`; `world_models=True` crops it to rows 0:84 (the dashboard goes) and
resizes it to 64x64, as World Models (Ha & Schmidhuber, 2018). Actions: Box([-1, 0, 0], [1, 1, 1]),
steering, gas, brake.

Gymnasium's CarRacing draws its frame every step, and most of a step (about 70% here) goes to
rotating and culling the ~800 grass and road polygons one by one in Python. `fast_render=True`
does that for all of them at once in numpy and hands the same visible polygons to pygame: the
same arithmetic as pygame's `Vector2.rotate_rad`, so the same frames (bench/env_families.py and
tests/test_pixel_envs.py measure the pixels that differ).
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
from gymnasium.envs.box2d import car_racing
from pygame import gfxdraw

from envs.frames import FrameProcessor

ROTATION_EPSILON = 1e-6  # pygame's VECTOR_EPSILON: angles this close to k * 90 degrees are exact


def rotate(points: np.ndarray, angle: float) -> np.ndarray:
    """(..., 2) points rotated by `angle` radians as pygame's `Vector2.rotate_rad` does it: the
    angle taken modulo 2 pi, exact quarter turns, else (c x - s y, s x + c y)."""
    angle = math.fmod(angle, 2 * math.pi)
    if angle < 0:
        angle += 2 * math.pi
    x, y = points[..., 0], points[..., 1]
    if math.fmod(angle + ROTATION_EPSILON, math.pi / 2) < 2 * ROTATION_EPSILON:
        quarter = int((angle + ROTATION_EPSILON) / (math.pi / 2)) % 4
        turned = [(x, y), (-y, x), (-x, -y), (y, -x)][quarter]
        return np.stack(turned, axis=-1)
    c, s = math.cos(angle), math.sin(angle)
    return np.stack([c * x - s * y, s * x + c * y], axis=-1)


class FastRoadCarRacing(car_racing.CarRacing):
    """CarRacing with the grass and road polygons transformed and culled in numpy."""

    def _render_road(self, zoom, translation, angle):
        bounds = car_racing.PLAYFIELD
        field = [(bounds, bounds), (bounds, -bounds), (-bounds, -bounds), (-bounds, bounds)]
        self._draw_colored_polygon(
            self.surf, field, self.bg_color, zoom, translation, angle, clip=False
        )
        polygons = self._polygons()
        grass = len(polygons) - len(self.road_poly)
        corners = rotate(polygons, angle) * zoom + np.asarray(translation)
        margin = car_racing.MAX_SHAPE_DIM
        inside = (
            (corners[..., 0] >= -margin)
            & (corners[..., 0] <= car_racing.WINDOW_W + margin)
            & (corners[..., 1] >= -margin)
            & (corners[..., 1] <= car_racing.WINDOW_H + margin)
        ).any(axis=1)
        for index in np.flatnonzero(inside).tolist():
            points = [tuple(corner) for corner in corners[index].tolist()]
            # colors read now: a tile's color array changes in place during the episode
            if index < grass:
                color = self.grass_color
            else:
                color = [int(c) for c in self.road_poly[index - grass][1]]
            gfxdraw.aapolygon(self.surf, points, color)
            gfxdraw.filled_polygon(self.surf, points, color)

    def _polygons(self) -> np.ndarray:
        """(N, 4, 2) grass then road polygons, in drawing order (the road's are the episode's)."""
        if getattr(self, "_polygons_of", None) is not self.road_poly:
            dim = car_racing.GRASS_DIM
            grass = [
                [(dim * x + dim, dim * y), (dim * x, dim * y), (dim * x, dim * y + dim),
                 (dim * x + dim, dim * y + dim)]
                for x in range(-20, 20, 2)
                for y in range(-20, 20, 2)
            ]  # fmt: skip
            road = [[tuple(p) for p in poly] for poly, _ in self.road_poly]
            self._polygon_array = np.array(grass + road, dtype=np.float64)
            self._polygons_of = self.road_poly
        return self._polygon_array


class CarRacingFrames(gym.ObservationWrapper):
    def __init__(
        self,
        render_mode: str | None = None,
        world_models: bool = False,
        size: tuple[int, int] | None = None,
        gray: bool = False,
        fast_render: bool = False,
        **kwargs,
    ):
        env = gym.make("CarRacing-v3", render_mode=render_mode, disable_env_checker=True, **kwargs)
        if fast_render:
            env.unwrapped.__class__ = FastRoadCarRacing  # the same env, the road drawn faster
        super().__init__(env)
        crop, size = ((0, 84), (64, 64)) if world_models else (None, size)
        self.frames = FrameProcessor(crop, size, gray)
        self.observation_space = self.frames.space(env.observation_space.shape)

    def observation(self, observation):
        return self.frames(observation)
