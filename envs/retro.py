"""Retro games through stable-retro (the maintained gym-retro): any integrated game id as GAME.

An id is the game's integration name, e.g. `Airstriker-Genesis-v0` (its ROM ships with
stable-retro) or `SonicTheHedgehog-Genesis-v0` (bring the ROM: `python -m stable_retro.import DIR`).
Observation: the screen, (H, W, 3) uint8, through an optional `FrameProcessor`. Actions: the
game's buttons as MultiBinary, or MultiBinary over the named `buttons` only (the others stay
released), or, with `combos`, Discrete over those button combinations (the Retro Contest's seven
for Sonic). `frame_skip` repeats each action that many frames and sums the rewards.

With `levels` (a level list, `envs.levels`), each episode starts from a level drawn from its
seed; training episodes (reset with `options={"training": True}`, which the `training_levels`
wrapper passes) draw from `training_levels` instead. `info["level"]` names it.

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
from envs.levels import draw_level, read_levels, state_bytes

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
        nearest: bool = False,
        buttons: tuple[str, ...] | None = None,
        levels: str | None = None,
        training_levels: str | None = None,
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
        self.game = game
        self.frames = FrameProcessor(crop, size, gray, nearest)
        self.observation_space = self.frames.space(self.emulator.observation_space.shape)
        self.buttons = list(self.emulator.buttons)
        self.masks, self.pressable = None, None
        if combos is not None:
            self.masks = np.zeros((len(combos), len(self.buttons)), np.int8)
            for row, combo in enumerate(combos):
                self.masks[row, self.button_indices(combo)] = 1
            self.action_space = spaces.Discrete(len(combos))
        elif buttons is not None:
            self.pressable = self.button_indices(buttons)
            self.action_space = spaces.MultiBinary(len(buttons))
        else:
            self.action_space = self.emulator.action_space
        self.frame_skip = int(frame_skip)
        self.screen = None
        self.levels = None if levels is None else read_levels(levels)
        self.training_levels = None if training_levels is None else read_levels(training_levels)
        self.level: str | None = None
        self.states: dict[str, bytes] = {}
        self.start = self.emulator.initial_state  # the game's own start state

    def button_indices(self, names) -> list[int]:
        missing = [name for name in names if name not in self.buttons]
        if missing:
            raise ValueError(f"{self.game} has no button {missing[0]!r}; it has {self.buttons}")
        return [self.buttons.index(name) for name in names]

    def _start_level(self, seed: int | None, training: bool) -> None:
        """Make the next reset start from the level episode `seed` plays, or from the game's
        own start without a list."""
        levels = self.training_levels if training and self.training_levels else self.levels
        if levels is None:
            self.level, self.emulator.initial_state = None, self.start
            return
        if seed is None:  # an unseeded episode: a level from the env's own generator
            seed = int(self.np_random.integers(2**31))
        self.level = draw_level(seed, levels)
        if self.level not in self.states:
            self.states[self.level] = state_bytes(self.game, self.level)
        self.emulator.initial_state = self.states[self.level]

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        """`options`: {"training": True} draws from the training levels; {"state": bytes}
        starts from that save state instead of a level (a movie's, `estool.worldmodels.movies`)."""
        super().reset(seed=seed)
        options = options or {}
        if "state" in options:
            self.level = None
            self.emulator.initial_state = options["state"]
        elif self.levels is not None or self.training_levels is not None:
            self._start_level(seed, bool(options.get("training")))
        obs, info = self.emulator.reset(seed=seed)
        self.screen = obs
        return self.frames(obs), self._info(info)

    def _info(self, info) -> dict:
        info = dict(info)
        if self.level is not None:
            info["level"] = self.level
        return info

    def press(self, action) -> np.ndarray:
        """The action -> the emulator's button array."""
        if self.masks is not None:
            return self.masks[int(action)]
        if self.pressable is not None:
            buttons = np.zeros(len(self.buttons), np.int8)
            buttons[self.pressable] = np.asarray(action).reshape(-1) > 0
            return buttons
        return np.asarray(action)

    def step(self, action):
        return self.step_frames([self.press(action)] * self.frame_skip)

    def step_frames(self, buttons):
        """One step of len(buttons) frames, frame i with the button array buttons[i] (a movie's
        frames replay through this): the rewards summed, the last frame's observation."""
        total = 0.0
        for pressed in buttons:
            obs, reward, terminated, truncated, info = self.emulator.step(pressed)
            total += float(reward)
            if terminated or truncated:
                break
        self.screen = obs
        return self.frames(obs), total, bool(terminated), bool(truncated), self._info(info)

    def render(self):
        return None if self.render_mode != "rgb_array" else np.array(self.screen)

    def close(self):
        self.emulator.close()
        del self.emulator
