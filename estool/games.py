"""Game presets: an environment plus the policy that plays it, with estool's `config.Game` fields.

`game_for(name)` returns a preset by name, or, for any registered Gymnasium id, a Game with an MLP
sized from the env's spaces (Box or Discrete actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Game:
    """estool's Game: env id and policy shape (see `models.mlp.MLPPolicy`)."""

    name: str
    env_id: str
    input_size: int
    output_size: int
    layers: tuple[int, int] = (32, 32)
    activation: str = "tanh"
    noise_bias: float = 0.0
    output_noise: tuple[bool, bool, bool] = (False, False, False)
    time_factor: float = 0.0
    rnn_mode: bool = False  # a recurrent policy: layers = (hidden state size, layer size)
    wrappers: tuple[str, ...] = ()  # task tweaks for training episodes (envs.wrappers.WRAPPERS)
    discrete: bool = False  # Discrete action space: the action is the argmax of the outputs
    rescale_actions: bool = False  # map tanh outputs in [-1, 1] onto the Box's bounds
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    max_episode_steps: int = 3000  # estool's cap on an episode


GAMES: dict[str, Game] = {}


def register_game(game: Game) -> None:
    if game.name in GAMES:
        raise ValueError(f"game {game.name!r} is already registered")
    GAMES[game.name] = game


register_game(Game("cartpole_swingup", "CartPoleSwingUp-v0", 5, 1, (10, 0), "tanh"))
register_game(Game("pendulum", "Pendulum-v1", 3, 1, (16, 0), "tanh", rescale_actions=True))
register_game(
    Game(
        "pendulum_rnn",
        "Pendulum-v1",
        3,
        1,
        (8, 16),
        rescale_actions=True,
        rnn_mode=True,
    )
)
register_game(Game("biped", "BipedalWalker-v3", 24, 4, (40, 40), "tanh"))
register_game(
    Game("bipedhard", "BipedalWalker-v3", 24, 4, (40, 40), "tanh", env_kwargs={"hardcore": True})
)
# with the reward shaping estool's rollouts applied to every BipedalWalker training episode
register_game(
    Game("biped_estool", "BipedalWalker-v3", 24, 4, (40, 40), wrappers=("estool_biped_reward",))
)
register_game(
    Game("lunar", "LunarLander-v3", 8, 2, (32, 16), "tanh", env_kwargs={"continuous": True})
)
# against slimevolleygym's baseline; +0.01 per step survived in training, as estool trained it
register_game(
    Game("slimevolley", "SlimeVolley-v0", 12, 3, (20, 20), "tanh", wrappers=("survival_bonus",))
)


def game_for(name: str) -> Game:
    """The preset `name`, or an auto-sized Game for a registered Gymnasium id.

    `module:EnvId` first imports `module` (which registers EnvId), as `gymnasium.make` does;
    `module:preset` finds a preset that `module` registers with `register_game`.
    """
    if name in GAMES:
        return GAMES[name]
    import importlib

    import gymnasium as gym

    import envs  # noqa: F401  (registers the custom envs)

    module, _, env_id = name.rpartition(":")
    if module:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise ValueError(f"unknown game {name!r}: cannot import {module!r} ({error})") from None
        if env_id in GAMES:
            return GAMES[env_id]
    if env_id not in gym.registry:
        raise ValueError(
            f"unknown game {name!r}: not a preset ({', '.join(sorted(GAMES))}) "
            "nor a registered Gymnasium id (e.g. Pendulum-v1)"
        )
    env = gym.make(env_id, disable_env_checker=True)
    try:
        obs_space, act_space = env.observation_space, env.action_space
    finally:
        env.close()
    if not isinstance(obs_space, gym.spaces.Box):
        raise ValueError(f"{name}: only Box observations are supported, got {obs_space}")
    input_size = int(np.prod(obs_space.shape))
    if isinstance(act_space, gym.spaces.Discrete):
        return Game(name, name, input_size, int(act_space.n), activation="passthru", discrete=True)
    if isinstance(act_space, gym.spaces.Box):
        outputs = int(np.prod(act_space.shape))
        return Game(name, name, input_size, outputs, activation="tanh", rescale_actions=True)
    if isinstance(act_space, gym.spaces.MultiBinary):
        return Game(name, name, input_size, int(np.prod(act_space.shape)), activation="tanh")
    raise ValueError(
        f"{name}: only Box, Discrete or MultiBinary actions are supported, got {act_space}"
    )


def make_policy(game: Game):
    """The numpy policy of `game`, MLP or RNN (parameters zero until `set_params`)."""
    from models.mlp import MLPPolicy
    from models.rnn import RNNPolicy

    if game.rnn_mode:
        return RNNPolicy(game.input_size, game.output_size, *game.layers)
    return MLPPolicy(
        game.input_size,
        game.output_size,
        game.layers,
        game.activation,
        time_factor=game.time_factor,
        output_noise=game.output_noise,
        noise_bias=game.noise_bias,
    )
