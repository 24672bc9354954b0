"""World Models designs: the env, V, M and C of each game, and how actions pass between them.

A design fixes what the pipeline's steps must agree on: the real env and its 64x64 frames, z's
size, M's layout (hidden units, Gaussians, restart input, done head), the action M reads, the
controller's features and outputs, and the random policy that collects the data. Figures from
WorldModelsExperiments (WME) and the paper; see `WORLDMODELS.md` in the project's notes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from envs.spec import EnvSpec


def doom_m_action(action: np.ndarray) -> np.ndarray:
    """The controller's output in [-1, 1] (B, 1) -> the move the game made: -1, 0 or +1 (the
    env cuts the output into thirds; M learns what happened, not what was asked)."""
    action = np.asarray(action, dtype=np.float32)
    return (np.where(action < -1 / 3, -1.0, 0.0) + np.where(action > 1 / 3, 1.0, 0.0)).astype(
        np.float32
    )


def car_env_action(action: np.ndarray) -> np.ndarray:
    """The controller's tanh outputs (3,) -> CarRacing's action: steering a0, gas (a1 + 1) / 2,
    brake clip(a2, 0, 1) (WME's carracing controller)."""
    a = np.asarray(action, dtype=np.float64).reshape(-1)
    return np.array([a[0], (a[1] + 1) / 2, min(max(a[2], 0.0), 1.0)], dtype=np.float32)


def same(action: np.ndarray) -> np.ndarray:
    return np.asarray(action, dtype=np.float32)


def pressed(action: np.ndarray) -> np.ndarray:
    """Sigmoid outputs (..., buttons) -> 1.0 for each button pressed (above 0.5), else 0.0: what
    the game gets, and what M reads (the Sonic port)."""
    return (np.asarray(action) > 0.5).astype(np.float32)


@dataclass(frozen=True)
class Design:
    name: str
    env: EnvSpec  # the real env, frames (image_size, image_size, 3) uint8
    action_size: int  # the controller's outputs, and what M reads per step
    z_size: int
    rnn_hidden: int
    gaussians: int = 5
    restart_input: bool = False  # M reads a flag that is 1 on an episode's first step
    rnn_input_hidden: int = 0  # a ReLU layer of this many units before the LSTM (Sonic: 1024)
    done_head: bool = False  # M predicts the episode's end (Doom: death)
    reward_head: bool = False  # M predicts the next reward
    cell_in_features: bool = False  # C reads [z, c, h] (Doom) rather than [z, h]
    controller_bias: bool = True
    controller_hidden: int = 0  # C's hidden layer (Sonic: 512)
    controller_activations: tuple[str, str] = ("tanh", "tanh")  # C's hidden layer's, output's
    action_low: float = -1.0  # C's outputs lie in [action_low, 1]; the random policy draws there
    state_reset: int = 0  # in play, M's state restarts every this many steps (0: never)
    image_size: int = 64
    kl_tolerance: float = 0.5
    beta: float = 1.0
    bce: bool = False
    vae_batch: int = 100
    vae_lr: float = 1e-4
    rnn_batch: int = 100
    rnn_lr: float = 1e-3
    rnn_lr_decay: float = 1.0  # the rate is rnn_lr * decay ** step
    sequence_length: int = 500
    done_weight: float = 10.0  # a death's weight in M's done loss (WME)
    temperature: float = 1.15  # the dream's (the article's Doom figure)
    min_episode: int = 0  # shorter collected episodes are not used for M (WME drops them)
    collect_policy: str = "hold"
    m_action: Callable[[np.ndarray], np.ndarray] = same  # the controller's output -> M's input
    env_action: Callable[[np.ndarray], np.ndarray] = same  # the controller's output -> env's

    @property
    def feature_size(self) -> int:
        return self.z_size + self.rnn_hidden * (2 if self.cell_in_features else 1)

    def vae_args(self) -> dict:
        return {"z_size": self.z_size, "image_size": self.image_size}

    def rnn_args(self) -> dict:
        return dict(
            z_size=self.z_size,
            action_size=self.action_size,
            hidden=self.rnn_hidden,
            gaussians=self.gaussians,
            restart_input=self.restart_input,
            done_head=self.done_head,
            reward_head=self.reward_head,
            input_hidden=self.rnn_input_hidden,
        )

    def controller_args(self) -> dict:
        return dict(
            input_size=self.feature_size,
            output_size=self.action_size,
            hidden=self.controller_hidden,
            bias=self.controller_bias,
            activations=self.controller_activations,
        )


SONIC_BUTTONS = ("B", "LEFT", "RIGHT", "DOWN")  # the Sonic port's: UP, A and C do nothing useful


def sonic_like(name: str, game: str, levels: str | None = None) -> Design:
    """The Sonic port's World Model (dylandjian/retro-contest-sonic) on a Genesis game: frames
    resized to 128x128 (nearest), every step 4 frames (15 a second, in data, training and
    evaluation alike), a beta-VAE (z 200, beta 4, BCE), M with a 1024-unit input layer, one LSTM
    of 1024 units and 8 Gaussians on sequences of 500 steps (its state restarts every 500 steps
    in play, as in training), C [z, c, h] -> 512 ReLU -> one sigmoid a button of SONIC_BUTTONS.
    `levels`: the stem of its packaged level lists (`envs.levels`), and the contest's reward."""
    kwargs = dict(frame_skip=4, size=(128, 128), nearest=True, buttons=SONIC_BUTTONS)
    if levels is not None:
        kwargs.update(
            scenario="contest", levels=f"{levels}.test", training_levels=f"{levels}.train"
        )
    return Design(
        name,
        EnvSpec(game, kwargs, max_episode_steps=4500),  # the contest's cap: 5 minutes of play
        action_size=len(SONIC_BUTTONS),
        z_size=200,
        rnn_hidden=1024,
        gaussians=8,
        rnn_input_hidden=1024,
        cell_in_features=True,
        controller_hidden=512,
        controller_activations=("relu", "sigmoid"),
        action_low=0.0,
        state_reset=500,
        image_size=128,
        kl_tolerance=0.0,
        beta=4.0,
        bce=True,
        vae_batch=300,
        vae_lr=1e-3,
        rnn_batch=16,  # the port does not say; 16 windows of 500 steps, as Doom's here
        rnn_lr=1e-3,
        sequence_length=500,
        temperature=1.25,
        m_action=pressed,
        env_action=pressed,
    )


DESIGNS = {
    design.name: design
    for design in (
        Design(
            "doom",
            EnvSpec(
                "DoomTakeCover-v0",
                {"world_models": True, "continuous": True},
                max_episode_steps=2100,
            ),
            action_size=1,
            z_size=64,
            rnn_hidden=512,
            restart_input=True,
            done_head=True,
            cell_in_features=True,
            controller_bias=False,
            rnn_lr_decay=0.99999,
            # WME's batch is 100, for 10x the data; 16 windows of 500 steps give 42 updates an
            # epoch on 1,000 episodes. Windows of 500 see most episodes from their start: with 100,
            # M could not learn deaths (they follow the hits taken since the start)
            rnn_batch=16,
            min_episode=100,
            m_action=doom_m_action,
        ),
        Design(
            "carracing",
            EnvSpec("CarRacingFrames-v0", {"world_models": True}, max_episode_steps=1000),
            action_size=3,
            z_size=32,
            rnn_hidden=256,
            sequence_length=999,
            m_action=car_env_action,  # M reads the action the car got (WME)
            env_action=car_env_action,
        ),
        sonic_like("sonic", "SonicTheHedgehog-Genesis-v0", "sonic"),
        sonic_like("sonic2", "SonicTheHedgehog2-Genesis-v0", "sonic2"),
        sonic_like("sonic3", "SonicAndKnuckles3-Genesis-v0", "sonic3"),
        # the same models on the game stable-retro ships (no ROM to import): every Sonic path
        # runs on it
        sonic_like("airstriker", "Airstriker-Genesis-v0"),
    )
}


def design_named(name: str) -> Design:
    if name not in DESIGNS:
        raise ValueError(f"unknown World Models design {name!r}; choose one of {sorted(DESIGNS)}")
    return DESIGNS[name]
