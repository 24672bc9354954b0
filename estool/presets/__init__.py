"""Presets: a name for an environment spec plus the policy that plays it (estool's `Game`).

The presets themselves are in one module a family (`classic`, `bullet`, ...).

`preset_for(name)` returns a registered preset, or, for any registered Gymnasium id, a preset
with an MLP sized from the env's spaces. estool's preset names, layouts and parameter counts are
kept, so its zoo files load.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from envs.spec import EnvSpec
from models.registry import PolicySpec


@dataclass(frozen=True)
class Preset:
    name: str
    env: EnvSpec
    policy: PolicySpec
    world_model: str | None = None  # the World Models design whose trained V and M it plays

    def with_world_model(self, wm_dir: str | None, log_dir: str = "log") -> Preset:
        """This preset playing the World Model in `wm_dir` (default: `default_wm_dir`); itself
        for a preset without one."""
        if self.world_model is None:
            return self
        wm_dir = wm_dir or str(default_wm_dir(self.world_model, log_dir))
        return replace(self, env=replace(self.env, kwargs={**self.env.kwargs, "wm_dir": wm_dir}))

    def with_training_wrappers(self, names: Sequence[str]) -> Preset:
        """This preset with the named wrappers (`envs.wrappers`) added to its training episodes;
        a ValueError for an unknown name."""
        if not names:
            return self
        from envs.wrappers import parse_wrapper

        for name in names:
            parse_wrapper(name)
        return replace(self, env=replace(self.env, wrappers=(*self.env.wrappers, *names)))

    def with_levels(self, training: str | None = None, held_out: str | None = None) -> Preset:
        """This preset drawing its training episodes' levels from the list `training` and its
        evaluations' from `held_out` (files, `envs.levels`); a ValueError for a game that is not
        a retro game or a list that cannot be read."""
        if training is None and held_out is None:
            return self
        from envs.levels import read_levels
        from envs.retro import is_retro_game
        from estool.worldmodels.designs import DESIGNS

        real = DESIGNS[self.world_model].env if self.world_model else self.env
        if not is_retro_game(real.id):
            raise ValueError(
                f"{self.name} plays no level lists: only retro games do (sonic_wm, sonic, "
                "airstriker_wm...)"
            )
        chosen = {"training_levels": training, "levels": held_out}
        chosen = {key: source for key, source in chosen.items() if source is not None}
        for source in chosen.values():
            read_levels(source)
        wrappers = self.env.wrappers
        if training is not None and "training_levels" not in wrappers:
            wrappers = (*wrappers, "training_levels")
        env = replace(self.env, kwargs={**self.env.kwargs, **chosen}, wrappers=wrappers)
        return replace(self, env=env)


def default_wm_dir(design: str, log_dir: str = "log") -> Path:
    """Where `estool wm collect DESIGN` puts its data and models unless told: log/DESIGN.wm."""
    return Path(log_dir) / f"{design}.wm"


PRESETS: dict[str, Preset] = {}


def register_preset(preset: Preset) -> None:
    if preset.name in PRESETS:
        raise ValueError(f"preset {preset.name!r} is already registered")
    PRESETS[preset.name] = preset


def mlp(
    inputs: int, outputs: int, hidden: Sequence[int] = (32, 32), activation: str = "tanh", **kwargs
) -> PolicySpec:
    """estool's feed-forward policy (`models.mlp.MLPPolicy`); hidden (h1, 0) is one layer."""
    args = dict(input_size=inputs, output_size=outputs, hidden=tuple(hidden), **kwargs)
    return PolicySpec("mlp", {**args, "activation_name": activation})


def rnn(inputs: int, outputs: int, hidden: int, layer: int) -> PolicySpec:
    """estool's recurrent policy (`models.rnn.RNNPolicy`): a hidden state of `hidden` units."""
    return PolicySpec(
        "rnn", dict(input_size=inputs, output_size=outputs, hidden=hidden, layer=layer)
    )


def preset_for(name: str) -> Preset:
    """The preset `name`, or an auto-sized preset for a registered Gymnasium id.

    `module:EnvId` first imports `module` (which registers EnvId), as `gymnasium.make` does;
    `module:preset` finds a preset that `module` registers with `register_preset`.
    """
    if name in PRESETS:
        return PRESETS[name]
    import gymnasium as gym

    import envs

    module, _, env_id = name.rpartition(":")
    envs.ensure_registered(env_id)
    if module:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise ValueError(f"unknown game {name!r}: cannot import {module!r} ({error})") from None
        if env_id in PRESETS:
            return PRESETS[env_id]
    if env_id not in gym.registry:
        raise ValueError(
            f"unknown game {name!r}: not a preset ({', '.join(sorted(PRESETS))}) "
            "nor a registered Gymnasium id (e.g. Pendulum-v1)"
        )
    env = gym.make(env_id, disable_env_checker=True)
    try:
        obs_space, act_space = env.observation_space, env.action_space
    finally:
        env.close()
    if not isinstance(obs_space, gym.spaces.Box):
        raise ValueError(f"{name}: only Box observations are supported, got {obs_space}")
    inputs = int(np.prod(obs_space.shape))
    if isinstance(act_space, gym.spaces.Discrete):
        return Preset(
            name,
            EnvSpec(name, actions="argmax"),
            mlp(inputs, int(act_space.n), activation="passthru"),
        )
    if isinstance(act_space, gym.spaces.Box):
        outputs = int(np.prod(act_space.shape))
        return Preset(name, EnvSpec(name, actions="rescale"), mlp(inputs, outputs))
    if isinstance(act_space, gym.spaces.MultiBinary):
        outputs = int(np.prod(act_space.shape))
        return Preset(name, EnvSpec(name, actions="binary"), mlp(inputs, outputs))
    raise ValueError(
        f"{name}: only Box, Discrete or MultiBinary actions are supported, got {act_space}"
    )


# the presets of each family register themselves on import
from estool.presets import bullet, classic, mujoco, pixels, worldmodels  # noqa: E402, F401
