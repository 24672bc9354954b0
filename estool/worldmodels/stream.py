"""Shuffled batches of frames from the episode shards, in bounded memory.

The originals loaded every frame into RAM (about 125 GB for CarRacing). Here an epoch reads the
episodes in a shuffled order into one buffer of `buffer_frames` frames; when it is full, its
frames are shuffled and handed out as batches, and the few left over (fewer than a batch) stay for
the next fill. Peak memory: the buffer, one decoded episode and one batch, whatever the dataset's
size: (buffer_frames + longest episode + batch) * frame bytes, e.g. (20,000 + 2,101 + 100) *
12,288 B = 273 MB for Doom at the defaults.

The order depends on (seed, epoch) only, so an epoch can be replayed from any batch: a training
run resumes mid-epoch exactly where it stopped. With a `Rotation`, an epoch streams only the
episodes of that epoch's set (`estool.worldmodels.rotation`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from estool.worldmodels.rotation import Rotation
from estool.worldmodels.store import ModelDir

BUFFER_FRAMES = 20_000


class FrameStream:
    """Batches (batch_size, S, S, 3) uint8 of the frames of `episodes` ({index: frames})."""

    def __init__(
        self,
        store: ModelDir,
        episodes: dict[int, int],
        batch_size: int,
        buffer_frames: int = BUFFER_FRAMES,
        seed: int = 0,
        rotation: Rotation | None = None,
    ):
        if buffer_frames < batch_size:
            raise ValueError(
                f"a buffer of {buffer_frames} frames cannot hold a batch of {batch_size}"
            )
        self.store, self.episodes = store, dict(episodes)
        self.batch_size, self.buffer_frames, self.seed = batch_size, buffer_frames, seed
        self.rotation = rotation

    def members(self, epoch: int) -> list[int]:
        """The episodes epoch `epoch` streams."""
        if self.rotation is None:
            return sorted(self.episodes)
        return self.rotation.members(self.episodes, epoch)

    def batches_per_epoch(self, epoch: int = 0) -> int:
        frames = sum(self.episodes[index] for index in self.members(epoch))
        return -(-frames // self.batch_size)

    def epoch(self, epoch: int, skip: int = 0) -> Iterator[np.ndarray]:
        """The batches of epoch `epoch`, from batch number `skip` on."""
        rng = np.random.default_rng([self.seed, epoch])
        order: Sequence[int] = rng.permutation(self.members(epoch)).tolist()
        buffer, filled, emitted = None, 0, 0
        for index in order:
            frames = self.store.read_episode(index, "frames")["frames"]
            if buffer is None:
                buffer = np.empty((self.buffer_frames, *frames.shape[1:]), np.uint8)
            start = 0
            while start < len(frames):
                take = min(len(frames) - start, self.buffer_frames - filled)
                buffer[filled : filled + take] = frames[start : start + take]
                filled, start = filled + take, start + take
                if filled == self.buffer_frames:
                    filled, batches = self._drain(buffer, filled, rng, last=False)
                    for batch in batches:
                        if emitted >= skip:
                            yield batch
                        emitted += 1
            del frames
        if buffer is not None and filled:
            for batch in self._drain(buffer, filled, rng, last=True)[1]:
                if emitted >= skip:
                    yield batch
                emitted += 1

    def _drain(self, buffer: np.ndarray, filled: int, rng, last: bool):
        """Shuffle the buffer's `filled` frames: (frames left at its front, batches to hand out
        lazily). Without `last`, fewer than a batch stay for the next fill."""
        perm = rng.permutation(filled)
        whole = filled if last else filled - filled % self.batch_size
        left = perm[whole:]

        def batches():
            for start in range(0, whole, self.batch_size):
                yield buffer[perm[start : start + self.batch_size]]
            buffer[: len(left)] = buffer[left]  # after the batches: they read these rows

        return len(left), batches()
