"""Retro games through stable-retro (the maintained gym-retro): any integrated game id as GAME.

An id is the game's integration name, e.g. `Airstriker-Genesis-v0` (its ROM ships with
stable-retro) or `SonicTheHedgehog-Genesis-v0` (bring the ROM: `python -m stable_retro.import DIR`).
Observation: the screen, (H, W, 3) uint8, through an optional `FrameProcessor`. Actions: the
game's buttons as MultiBinary, or, with `combos`, Discrete over those button combinations (the
Retro Contest's seven for Sonic). `frame_skip` repeats each action that many frames and sums the
rewards.

stable-retro runs one emulator per process: a second env of it in a process is a ValueError that
says so (close the first one).
"""

from __future__ import annotations

import importlib.util
from typing import ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from envs.frames import FrameProcessor

# the Retro Contest's discrete action set for Sonic (OpenAI's retro-baselines)
SONIC_COMBOS = (
    ("LEFT",),
    ("RIGHT",),
    ("LEFT", "DOWN"),
    ("RIGHT", "DOWN"),
    ("DOWN",),
    ("DOWN", "B"),
    ("B",),
)
ROM_HINT = "python -m stable_retro.import DIR  (DIR: a folder holding the ROM)"


def is_retro_game(env_id: str) -> bool:
    """Whether `env_id` is a game stable-retro integrates (stable-retro installed)."""
    if importlib.util.find_spec("stable_retro") is None:
        return False
    import stable_retro.data

    try:
        return bool(stable_retro.data.get_file_path(env_id, "rom.sha"))
    except Exception:  # stable-retro reports an unknown game in several ways
        return False


class RetroGame(gym.Env):
    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"], "render_fps": 60}

    def __init__(
        self,
        game: str,
        render_mode: str | None = None,
        state: str | None = None,
        scenario: str | None = None,
        combos: tuple[tuple[str, ...], ...] | None = None,
        frame_skip: int = 1,
        crop: tuple[int, int] | None = None,
        size: tuple[int, int] | None = None,
        gray: bool = False,
    ):
        import stable_retro

        self.render_mode = render_mode
        options = {"render_mode": "rgb_array", "scenario": scenario}
        if state is not None:
            options["state"] = state
        try:
            self.emulator = stable_retro.make(game, **options)
        except FileNotFoundError:
            raise ValueError(f"{game}: its ROM is not imported; add it with {ROM_HINT}") from None
        except RuntimeError as error:
            if "emulator" in str(error).lower():
                raise ValueError(
                    f"{game}: stable-retro runs one emulator per process and one is open here; "
                    "close that env first"
                ) from None
            raise
        self.frames = FrameProcessor(crop, size, gray)
        self.observation_space = self.frames.space(self.emulator.observation_space.shape)
        buttons = list(self.emulator.buttons)
        if combos is None:
            self.masks = None
            self.action_space = self.emulator.action_space
        else:
            self.masks = np.zeros((len(combos), len(buttons)), np.int8)
            for row, combo in enumerate(combos):
                for button in combo:
                    self.masks[row, buttons.index(button)] = 1
            self.action_space = spaces.Discrete(len(combos))
        self.frame_skip = int(frame_skip)
        self.screen = None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        obs, info = self.emulator.reset(seed=seed)
        self.screen = obs
        return self.frames(obs), dict(info)

    def step(self, action):
        buttons = self.masks[int(action)] if self.masks is not None else np.asarray(action)
        total = 0.0
        for _ in range(self.frame_skip):
            obs, reward, terminated, truncated, info = self.emulator.step(buttons)
            total += float(reward)
            if terminated or truncated:
                break
        self.screen = obs
        return self.frames(obs), total, bool(terminated), bool(truncated), dict(info)

    def render(self):
        return None if self.render_mode != "rgb_array" else np.array(self.screen)

    def close(self):
        self.emulator.close()
        del self.emulator
