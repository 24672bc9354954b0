"""Step 2: train V (`models.vae.ConvVAE`) on the collected frames, streamed in bounded memory.

Adam (the design's rate, 1e-4, unless `lr` says otherwise), the design's batch (100) and KL
tolerance (0.5), as World Models. After every epoch: the checkpoint, V's weights (`vae.pt`),
and `vae.png`: a row of frames over a row of their reconstructions.
"""

from __future__ import annotations

import io

import numpy as np
import torch

from estool.fileio import atomic_write_bytes
from estool.worldmodels.fitting import (
    Progress,
    batch_generator,
    fit,
    load_weights,
    rate_identity,
    seeded,
)
from estool.worldmodels.rotation import Rotation
from estool.worldmodels.store import ModelDir
from estool.worldmodels.stream import BUFFER_FRAMES, FrameStream
from models.vae import ConvVAE, frames_to_tensor, vae_loss

GRID_FRAMES = 8


def train_vae(
    store: ModelDir,
    epochs: int = 10,
    batch_size: int | None = None,
    buffer_frames: int = BUFFER_FRAMES,
    device: str = "cpu",
    seed: int = 0,
    checkpoint_seconds: float | None = None,
    max_batches: int | None = None,
    lr: float | None = None,
    rotation: Rotation | None = None,
) -> Progress:
    """`lr`: Adam's rate, the design's when None (a checkpoint of another rate is refused).
    `rotation`: the rotating buffer (`estool.worldmodels.rotation`)."""
    design = store.design()
    manifest = store.manifest()
    batch_size = batch_size or design.vae_batch
    stream = FrameStream(
        store,
        {e["index"]: e["frames"] for e in manifest["episodes"]},
        batch_size,
        max(buffer_frames, batch_size),
        seed,
        rotation,
    )
    model = seeded(lambda: ConvVAE(**design.vae_args()), seed).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr or design.vae_lr)
    identity = {
        "design": design.name, **design.vae_args(), "seed": seed, "batch": batch_size,
        **rate_identity(lr, design.vae_lr), **(rotation.identity() if rotation else {}),
    }  # fmt: skip

    def train_step(frames: np.ndarray, epoch: int, index: int) -> float:
        x = frames_to_tensor(frames, device)
        reconstruction, mu, logvar = model(x, batch_generator(seed, epoch, index, device))
        loss, _, _ = vae_loss(
            reconstruction, x, mu, logvar, design.kl_tolerance, design.beta, design.bce
        )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()

    return fit(
        "V", model, optimizer, store.vae_checkpoint, store.vae_file, identity, epochs,
        stream.batches_per_epoch(), stream.epoch, train_step,
        lambda epoch: write_grid(store, model, device), checkpoint_seconds, max_batches, device,
    )  # fmt: skip


def load_vae(store: ModelDir, device: str = "cpu") -> ConvVAE:
    """V from `vae.pt`, in eval mode; a ValueError when it is missing or not this design's."""
    design = store.design()
    path = store.require(store.vae_file, "train-vae")
    expected = {"design": design.name, **design.vae_args()}
    return load_weights(ConvVAE(**design.vae_args()), path, expected, device)


def write_grid(store: ModelDir, model: ConvVAE, device: str = "cpu") -> None:
    """`vae.png`: GRID_FRAMES frames spread over the first episode, above their reconstructions."""
    from PIL import Image

    first = store.episode_indices()[0]
    frames = store.read_episode(first, "frames")["frames"]
    picked = frames[np.linspace(0, len(frames) - 1, GRID_FRAMES).astype(int)]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        mu, _ = model.encode(frames_to_tensor(picked, device))
        rebuilt = model.decode(mu).permute(0, 2, 3, 1).mul(255).round().byte().cpu().numpy()
    model.train(was_training)
    grid = np.concatenate([np.concatenate(list(picked), 1), np.concatenate(list(rebuilt), 1)], 0)
    buffer = io.BytesIO()
    Image.fromarray(grid).save(buffer, format="PNG")
    atomic_write_bytes(store.vae_png, buffer.getvalue())
