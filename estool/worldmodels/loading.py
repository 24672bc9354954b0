"""Loading a trained World Model for play: M (numpy, from `dream.npz`) and V (torch), with a
one-line error for a directory that is missing, unfinished, of another design, or whose M was
trained on another V than the one it holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from estool.worldmodels.designs import Design
from estool.worldmodels.store import ModelDir
from models.latent_dynamics import LatentDynamics


@dataclass
class WorldModel:
    store: ModelDir
    design: Design
    dynamics: LatentDynamics
    initial_mu: np.ndarray  # (N, z) the first frame of every collected episode
    initial_logvar: np.ndarray  # (N, z)

    def vae(self):
        """V, on one torch thread (one per rollout process)."""
        try:
            import torch
        except ImportError as error:
            raise ValueError(f"V needs torch ({error}): pip install 'estool[torch]'") from None

        from estool.worldmodels.train_vae import load_vae

        torch.set_num_threads(1)
        return load_vae(self.store)


def load_world_model(wm_dir: str | Path, design_name: str) -> WorldModel:
    store = ModelDir(wm_dir)
    if not store.path.is_dir():
        raise ValueError(
            f"no World Models directory at {store}: make one with `estool wm collect "
            f"{design_name} --out {store}` and the steps after it, or pass --wm DIR"
        )
    design = store.design()
    if design.name != design_name:
        raise ValueError(
            f"{store} holds {design.name!r} models, this game needs {design_name!r}: pass --wm DIR"
        )
    with np.load(store.require(store.dream_file, "train-rnn")) as saved:
        weights = {k: saved[k] for k in saved.files}
    if store.vae_file.exists() and str(weights["vae"]) != store.vae_digest():
        raise ValueError(
            f"{store.dream_file}: M was trained on another V than {store.vae_file}; run "
            f"`estool wm encode {store}` and `estool wm train-rnn {store}` again"
        )
    expected = (
        design.z_size + design.action_size + int(design.restart_input) + design.rnn_hidden,
        4 * design.rnn_hidden,
    )
    if "input_w" not in weights and weights["lstm_w"].shape != expected:
        raise ValueError(
            f"{store.dream_file}: M's LSTM is {weights['lstm_w'].shape}, {design.name} needs "
            f"{expected}; train M again"
        )
    dynamics = LatentDynamics(
        weights, design.z_size, design.gaussians, design.done_head, design.restart_input
    )
    return WorldModel(store, design, dynamics, weights["initial_mu"], weights["initial_logvar"])
