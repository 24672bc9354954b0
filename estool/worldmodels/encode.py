"""Step 3: V's (mu, logvar) for every frame of every episode, one series file per episode.

A series file records which V made it (a digest of `vae.pt`): a rerun encodes only the episodes
without a series of the current V, so it resumes after a kill and redoes everything after V
changes.
"""

from __future__ import annotations

import numpy as np
import torch

from estool.worldmodels.progress import progress_bar
from estool.worldmodels.store import ModelDir, save_npz
from estool.worldmodels.train_vae import load_vae
from models.vae import frames_to_tensor

ENCODE_BATCH = 256


def is_current(store: ModelDir, index: int, digest: str) -> bool:
    path = store.series_path(index)
    if not path.exists():
        return False
    with np.load(path) as series:
        return str(series["vae"]) == digest


def encode(store: ModelDir, device: str = "cpu") -> int:
    """Encode the episodes that lack a current series; returns how many were encoded."""
    vae = load_vae(store, device)
    digest = store.vae_digest()
    todo = [e["index"] for e in store.manifest()["episodes"]]
    todo = [index for index in todo if not is_current(store, index, digest)]
    with progress_bar(len(todo), "episodes", desc="encode") as bar, torch.no_grad():
        for index in todo:
            episode = store.read_episode(index, "frames", "actions", "rewards", "terminated")
            parts = [
                vae.encode(
                    frames_to_tensor(episode["frames"][start : start + ENCODE_BATCH], device)
                )
                for start in range(0, len(episode["frames"]), ENCODE_BATCH)
            ]
            mu = torch.cat([p[0] for p in parts]).cpu().numpy()
            logvar = torch.cat([p[1] for p in parts]).cpu().numpy()
            save_npz(
                store.series_path(index),
                mu=mu.astype(np.float32),
                logvar=logvar.astype(np.float32),
                actions=episode["actions"],
                rewards=episode["rewards"],
                terminated=episode["terminated"],
                vae=np.asarray(digest),
            )
            bar.update(1)
    return len(todo)
