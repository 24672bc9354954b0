"""Presets: a name for an environment spec plus the policy that plays it (estool's `Game`).

`preset_for(name)` returns a registered preset, or, for any registered Gymnasium id, a preset
with an MLP sized from the env's spaces. estool's preset names, layouts and parameter counts are
kept, so its zoo files load.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from envs.spec import EnvSpec
from models.registry import PolicySpec


@dataclass(frozen=True)
class Preset:
    name: str
    env: EnvSpec
    policy: PolicySpec


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


BIPED = EnvSpec("BipedalWalker-v3")
PENDULUM = EnvSpec("Pendulum-v1", actions="rescale")
for _preset in (
    Preset("cartpole_swingup", EnvSpec("CartPoleSwingUp-v0"), mlp(5, 1, (10, 0))),
    Preset("pendulum", PENDULUM, mlp(3, 1, (16, 0))),
    Preset("pendulum_rnn", PENDULUM, rnn(3, 1, hidden=8, layer=16)),
    Preset("biped", BIPED, mlp(24, 4, (40, 40))),
    Preset("bipedhard", EnvSpec(BIPED.id, kwargs={"hardcore": True}), mlp(24, 4, (40, 40))),
    # with the reward shaping estool's rollouts applied to every BipedalWalker training episode
    Preset(
        "biped_estool", EnvSpec(BIPED.id, wrappers=("estool_biped_reward",)), mlp(24, 4, (40, 40))
    ),
    Preset("lunar", EnvSpec("LunarLander-v3", kwargs={"continuous": True}), mlp(8, 2, (32, 16))),
    # against slimevolleygym's baseline; +0.01 per step survived in training, as estool trained it
    Preset(
        "slimevolley",
        EnvSpec("SlimeVolley-v0", wrappers=("survival_bonus",)),
        mlp(12, 3, (20, 20)),
    ),
):
    register_preset(_preset)


def preset_for(name: str) -> Preset:
    """The preset `name`, or an auto-sized preset for a registered Gymnasium id.

    `module:EnvId` first imports `module` (which registers EnvId), as `gymnasium.make` does;
    `module:preset` finds a preset that `module` registers with `register_preset`.
    """
    if name in PRESETS:
        return PRESETS[name]
    import gymnasium as gym

    import envs  # noqa: F401  (registers the custom envs)

    module, _, env_id = name.rpartition(":")
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
