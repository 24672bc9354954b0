"""The training loop V and M share: epochs of batches, a checkpoint that resumes exactly, a
progress bar.

The checkpoint holds the model, the optimizer, the position (epoch, next batch) and the losses so
far; it is written after every epoch and every `checkpoint_seconds` within one. Each batch's data
and noise depend on (seed, epoch, batch) only (`batch_seed`), so a resumed run replays the stream
to its position and goes on as if it had never stopped: the same weights, bit for bit, on the same
machine and thread count.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from estool.fileio import atomic_write_bytes
from estool.log import logger
from estool.worldmodels.progress import progress_bar

CHECKPOINT_SECONDS = 300.0


def batch_seed(seed: int, epoch: int, batch: int) -> int:
    return int(np.random.SeedSequence([seed, epoch, batch]).generate_state(1, np.uint32)[0])


def batch_generator(seed: int, epoch: int, batch: int, device) -> torch.Generator:
    """The torch generator of one batch's noise."""
    return torch.Generator(device=device).manual_seed(batch_seed(seed, epoch, batch))


def seeded(build: Callable[[], torch.nn.Module], seed: int) -> torch.nn.Module:
    """`build()` with torch's initializers drawing from `seed`, the global generator left as it
    was (the project keeps no global random state)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def rate_identity(lr: float | None, design_lr: float) -> dict:
    """The checkpoint identity's entry for a learning rate: none for the design's own (so the
    checkpoints of runs at the design's rate stay what they were), else {"lr": lr}."""
    return {} if lr is None or lr == design_lr else {"lr": float(lr)}


def save_torch(path: Path, data: dict) -> None:
    buffer = io.BytesIO()
    torch.save(data, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_torch(path: Path, device="cpu") -> dict:
    try:
        return torch.load(path, map_location=device, weights_only=True)
    except Exception as error:  # a truncated or foreign file: say which and what to do
        raise ValueError(
            f"cannot read {path} ({error}); delete it to start that step over"
        ) from None


@dataclass
class Progress:
    """Where a training run stands: the next (epoch, batch) and the losses so far."""

    epoch: int = 0
    batch: int = 0
    epoch_losses: list[float] = field(default_factory=list)  # the mean of each finished epoch
    running: float = 0.0  # the sum of this epoch's losses so far

    def as_dict(self) -> dict:
        return dict(
            epoch=self.epoch,
            batch=self.batch,
            epoch_losses=list(self.epoch_losses),
            running=self.running,
        )


def fit(
    name: str,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    checkpoint: Path,
    weights: Path,
    identity: dict,
    epochs: int,
    batches_per_epoch: int,
    epoch_batches: Callable[[int, int], Iterator],
    train_step: Callable[[object, int, int], float],
    on_epoch_end: Callable[[int], None] = lambda epoch: None,
    checkpoint_seconds: float | None = None,
    max_batches: int | None = None,
    device="cpu",
) -> Progress:
    """Train `model` up to `epochs` epochs, resuming from `checkpoint` when it exists; after
    each epoch, the weights go to `weights` (with `identity`), then `on_epoch_end(epochs done)`.

    `identity` (the design and model arguments) must match the checkpoint's, or the run would mix
    two models: a ValueError then. `epoch_batches(epoch, skip)` yields an epoch's batches from
    number `skip`; `train_step(batch, epoch, index)` does one optimizer step and returns its loss.
    `max_batches` stops after that many batches in this call (a checkpoint is written): a test's
    stand-in for a kill.
    """
    checkpoint_seconds = CHECKPOINT_SECONDS if checkpoint_seconds is None else checkpoint_seconds
    progress = Progress()
    if checkpoint.exists():
        saved = load_torch(checkpoint, device)
        if saved["identity"] != identity:
            raise ValueError(
                f"{checkpoint} is a checkpoint of another {name} ({saved['identity']}); "
                f"delete it to train {identity} from scratch"
            )
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        progress = Progress(**saved["progress"])

    def save() -> None:
        state = dict(
            identity=identity,
            model=model.state_dict(),
            optimizer=optimizer.state_dict(),
            progress=progress.as_dict(),
        )
        save_torch(checkpoint, state)

    done_before = progress.epoch * batches_per_epoch + progress.batch
    total = epochs * batches_per_epoch
    played, last_save = 0, time.monotonic()
    with progress_bar(total, "batch", initial=min(done_before, total), desc=name) as bar:
        while progress.epoch < epochs:
            for batch in epoch_batches(progress.epoch, progress.batch):
                loss = train_step(batch, progress.epoch, progress.batch)
                progress.running += loss
                progress.batch += 1
                played += 1
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
                if max_batches is not None and played >= max_batches:
                    save()
                    return progress
                if time.monotonic() - last_save >= checkpoint_seconds:
                    save()
                    last_save = time.monotonic()
            progress.epoch_losses.append(progress.running / max(progress.batch, 1))
            logger.info(
                "%s epoch %d/%d: loss %.4f",
                name,
                progress.epoch + 1,
                epochs,
                progress.epoch_losses[-1],
            )
            progress.epoch, progress.batch, progress.running = progress.epoch + 1, 0, 0.0
            save()
            last_save = time.monotonic()
            state = {"identity": identity, "model": model.state_dict(), "epochs": progress.epoch}
            save_torch(weights, state)
            on_epoch_end(progress.epoch)
    return progress


def load_weights(
    model: torch.nn.Module, path: Path, expected: dict, device="cpu"
) -> torch.nn.Module:
    """`model` with the weights `fit` saved at `path`, in eval mode; a ValueError when the saved
    identity disagrees with `expected` (another design, other sizes)."""
    saved = load_torch(path, device)
    different = sorted(k for k, v in expected.items() if saved["identity"].get(k) != v)
    if different:
        raise ValueError(f"{path} was trained with other {', '.join(different)}; train it again")
    model.load_state_dict(saved["model"])
    return model.to(device).eval()
