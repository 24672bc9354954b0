"""Step 4: train M (`models.mdrnn.MDNRNN`) on the encoded episodes.

Each batch is B windows of `length` steps, drawn from (seed, epoch, batch): an episode in
proportion to its steps, a start uniform in it (a shorter episode fills its window's front and
is masked after its end). z is resampled from V's (mu, logvar) for every batch (World Models), so
M never sees the same code twice. Input x_t = [z_t, a_t (, restart_t: 1 on an episode's first
step)]; targets z_{t+1} and, with a done head, done_{t+1} (1 on the step that ends an episode by
termination), with a reward head r_{t+1} (squared error). An epoch is as many windows as the
data has steps. Adam with gradient norm clipped at 1 (WME), rate rnn_lr * rnn_lr_decay ** step.

After every epoch: `rnn.pt`, and `dream.npz` (M for numpy and the dream's start states).
"""

from __future__ import annotations

import numpy as np
import torch

from estool.worldmodels.encode import is_current
from estool.worldmodels.fitting import (
    Progress,
    batch_generator,
    fit,
    rate_identity,
    seeded,
)
from estool.worldmodels.rotation import Rotation
from estool.worldmodels.store import ModelDir, save_npz
from models.mdrnn import MDNRNN, done_loss, mdn_loss, reward_loss

GRAD_CLIP = 1.0


def load_series(store: ModelDir) -> dict[int, dict[str, np.ndarray]]:
    """Every episode's series, or a ValueError when one is missing or from another V."""
    digest = store.vae_digest()
    series = {}
    for episode in store.manifest()["episodes"]:
        index = episode["index"]
        if not is_current(store, index, digest):
            raise ValueError(
                f"episode {index} has no series of the current V: run `estool wm encode {store}`"
            )
        with np.load(store.series_path(index)) as data:
            series[index] = {
                k: data[k] for k in ("mu", "logvar", "actions", "rewards", "terminated")
            }
    return series


class SequenceBatches:
    """Windows of `length` steps from `series` ({index: series}): batch(epoch, b) -> dict of
    numpy arrays mu, logvar (B, L + 1, z); actions (B, L, a); rewards, first, done, mask (B, L).
    With a `Rotation`, epoch e draws from that epoch's set of episodes only."""

    def __init__(
        self,
        series: dict[int, dict],
        batch_size: int,
        length: int,
        seed: int,
        rotation: Rotation | None = None,
    ):
        if not series:
            raise ValueError("no episodes long enough for M: collect more, or lower --min-episode")
        self.all_series, self.batch_size, self.length, self.seed = series, batch_size, length, seed
        self.rotation, self.epoch_used = rotation, None
        self._use_epoch(0)

    def _use_epoch(self, epoch: int) -> None:
        """Draw from epoch `epoch`'s episodes (a new set every rotation)."""
        if epoch == self.epoch_used:
            return
        self.epoch_used = epoch
        members = sorted(self.all_series)
        if self.rotation is not None:
            members = self.rotation.members(members, epoch)
        self.series = [self.all_series[i] for i in members]
        self.steps = np.array([len(s["actions"]) for s in self.series])
        self.weights = self.steps / self.steps.sum()

    def batches_per_epoch(self, epoch: int = 0) -> int:
        self._use_epoch(epoch)
        return max(1, -(-int(self.steps.sum()) // (self.batch_size * self.length)))

    def epoch(self, epoch: int, skip: int = 0):
        for b in range(skip, self.batches_per_epoch(epoch)):
            yield self.batch(epoch, b)

    def batch(self, epoch: int, b: int) -> dict[str, np.ndarray]:
        self._use_epoch(epoch)
        rng = np.random.default_rng([self.seed, epoch, b])
        B, L = self.batch_size, self.length
        z_size = self.series[0]["mu"].shape[1]
        action_size = self.series[0]["actions"].shape[1]
        out = dict(
            mu=np.zeros((B, L + 1, z_size), np.float32),
            logvar=np.zeros((B, L + 1, z_size), np.float32),
            actions=np.zeros((B, L, action_size), np.float32),
            rewards=np.zeros((B, L), np.float32),
            first=np.zeros((B, L), np.float32),
            done=np.zeros((B, L), np.float32),
            mask=np.zeros((B, L), bool),
        )
        for row in range(B):
            episode = self.series[rng.choice(len(self.series), p=self.weights)]
            steps = len(episode["actions"])
            start = int(rng.integers(0, max(steps - L, 0) + 1))
            n = min(L, steps - start)
            out["mu"][row, : n + 1] = episode["mu"][start : start + n + 1]
            out["logvar"][row, : n + 1] = episode["logvar"][start : start + n + 1]
            out["actions"][row, :n] = episode["actions"][start : start + n]
            out["rewards"][row, :n] = episode["rewards"][start : start + n]
            out["first"][row, 0] = float(start == 0)
            out["done"][row, n - 1] = float(start + n == steps and bool(episode["terminated"]))
            out["mask"][row, :n] = True
        return out


def train_rnn(
    store: ModelDir,
    epochs: int = 20,
    batch_size: int | None = None,
    length: int | None = None,
    min_episode: int | None = None,
    device: str = "cpu",
    seed: int = 0,
    checkpoint_seconds: float | None = None,
    max_batches: int | None = None,
    lr: float | None = None,
    rotation: Rotation | None = None,
) -> Progress:
    """`lr`: Adam's initial rate, the design's when None (a checkpoint of another rate is
    refused); it decays by the design's factor every step. `rotation`: the rotating buffer."""
    design = store.design()
    batch_size, length = batch_size or design.rnn_batch, length or design.sequence_length
    min_episode = design.min_episode if min_episode is None else min_episode
    series = load_series(store)
    used = {i: s for i, s in series.items() if len(s["actions"]) > min_episode}
    batches = SequenceBatches(used, batch_size, length, seed, rotation)
    model = seeded(lambda: MDNRNN(**design.rnn_args()), seed).to(device)
    initial_lr = lr or design.rnn_lr
    optimizer = torch.optim.Adam(model.parameters(), lr=initial_lr)
    identity = {
        "design": design.name, **design.rnn_args(), "seed": seed, "batch": batch_size,
        "length": length, "min_episode": min_episode, "vae": store.vae_digest(),
        **rate_identity(lr, design.rnn_lr), **(rotation.identity() if rotation else {}),
    }  # fmt: skip
    per_epoch = batches.batches_per_epoch()

    def train_step(batch: dict, epoch: int, index: int) -> float:
        tensors = {k: torch.as_tensor(v, device=device) for k, v in batch.items()}
        generator = batch_generator(seed, epoch, index, device)
        eps = torch.randn(tensors["mu"].shape, generator=generator, device=device)
        z = tensors["mu"] + torch.exp(0.5 * tensors["logvar"]) * eps
        parts = [z[:, :-1], tensors["actions"]]
        if design.restart_input:
            parts.append(tensors["first"].unsqueeze(-1))
        out, _ = model(torch.cat(parts, -1))
        mask = tensors["mask"]
        loss = mdn_loss(out.logit_pi, out.mu, out.log_sigma, z[:, 1:], mask)
        if design.done_head:
            loss = loss + done_loss(out.done_logit, tensors["done"], mask, design.done_weight)
        if design.reward_head:
            loss = loss + reward_loss(out.reward, tensors["rewards"], mask)
        for group in optimizer.param_groups:
            group["lr"] = initial_lr * design.rnn_lr_decay ** (epoch * per_epoch + index)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), GRAD_CLIP)
        optimizer.step()
        return loss.item()

    return fit(
        "M", model, optimizer, store.rnn_checkpoint, store.rnn_file, identity, epochs, per_epoch,
        batches.epoch, train_step, lambda epoch: write_dream(store, model, series),
        checkpoint_seconds, max_batches, device,
    )  # fmt: skip


def write_dream(store: ModelDir, model: MDNRNN, series: dict[int, dict]) -> None:
    """`dream.npz`: M's numpy weights, the design, and every episode's first (mu, logvar)."""
    firsts = [series[index] for index in sorted(series)]
    save_npz(
        store.dream_file,
        design=np.asarray(store.design().name),
        vae=np.asarray(store.vae_digest()),
        initial_mu=np.stack([s["mu"][0] for s in firsts]),
        initial_logvar=np.stack([s["logvar"][0] for s in firsts]),
        **model.export(),
    )
