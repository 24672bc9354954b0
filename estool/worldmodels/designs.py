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


@dataclass(frozen=True)
class Design:
    name: str
    env: EnvSpec  # the real env, frames (image_size, image_size, 3) uint8
    action_size: int  # the controller's outputs, and what M reads per step
    z_size: int
    rnn_hidden: int
    gaussians: int = 5
    restart_input: bool = False  # M reads a flag that is 1 on an episode's first step
    done_head: bool = False  # M predicts the episode's end (Doom: death)
    reward_head: bool = False  # M predicts the next reward
    cell_in_features: bool = False  # C reads [z, c, h] (Doom) rather than [z, h]
    controller_bias: bool = True
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
    )
}


def design_named(name: str) -> Design:
    if name not in DESIGNS:
        raise ValueError(f"unknown World Models design {name!r}; choose one of {sorted(DESIGNS)}")
    return DESIGNS[name]
