"""Random sampling for the solvers: explicit generators, never numpy's global state.

Large Gaussian matrices are the per-generation floor of every solver at 100k+ parameters. They are
filled block by block, each block from its own SFC64 stream seeded from the solver's generator, in
threads (numpy releases the GIL while it fills). The block layout depends only on the shape, so the
numbers are the same on any machine, whatever its core count.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import numpy as np

THREADED_MIN_SIZE = 1 << 16  # from here on, two threads beat one (a block costs ~50 us to seed)
BLOCK_SIZE = 1 << 17  # beyond two blocks, about this many numbers each (1.7 ms of normals here)
NUM_BLOCKS = 16


def make_rng(seed: int | np.random.SeedSequence | None) -> np.random.Generator:
    """The solver's own generator (PCG64)."""
    return np.random.Generator(np.random.PCG64(seed))


def fresh_seed() -> int:
    """A seed from OS entropy for `seed=None` (recorded, so the run can be redone)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=min(NUM_BLOCKS, os.cpu_count() or 1))


def standard_normal(
    rng: np.random.Generator,
    shape: tuple[int, int],
    scale: float | np.ndarray | None = None,
    shift: np.ndarray | None = None,
    out: np.ndarray | None = None,
    then: Callable[[slice, np.random.Generator], None] | None = None,
) -> np.ndarray:
    """N(0, 1) float64 samples of `shape` (rows, cols), times `scale` plus `shift` if given (each
    a scalar or (cols,)), in the same threads, into `out` if given (float64 of `shape`) or a new
    array; uses a fixed amount of `rng`'s stream.

    `then(rows, generator)`, when given, runs on each block of rows as soon as it is filled, in
    its thread, while the block is in cache: `generator` is the block's stream (after its
    normals), or `rng` itself when one stream fills all rows.

    float64: float32 normals are no faster from SFC64 and measurably hurt OpenES on Rastrigin.
    """
    if out is None:
        out = np.empty(shape)
    rows = shape[0]
    num_blocks = _num_blocks(rows, out.size)
    if num_blocks < 2:  # one stream in the calling thread
        rng.standard_normal(out=out)
        _affine(out, scale, shift)
        if then is not None:
            then(slice(0, rows), rng)
        return out
    entropy = [int(e) for e in rng.integers(0, 2**63, size=4, dtype=np.uint64)]
    bounds = np.linspace(0, rows, num_blocks + 1).astype(int).tolist()

    def fill(block: int) -> None:
        block_rows = slice(bounds[block], bounds[block + 1])
        # SeedSequence(entropy).spawn(n)[block], seeded in the block's own thread
        seed = np.random.SeedSequence(entropy, spawn_key=(block,))
        generator = np.random.Generator(np.random.SFC64(seed))
        generator.standard_normal(out=out[block_rows])
        _affine(out[block_rows], scale, shift)
        if then is not None:
            then(block_rows, generator)

    # the calling thread fills the first block instead of waiting: one thread wake-up fewer
    # (~0.1-0.25 ms here, as much as the gain from a second thread at 128 x 1,000 numbers)
    pending = [_pool().submit(fill, block) for block in range(1, num_blocks)]
    fill(0)
    for future in pending:
        future.result()
    return out


def _num_blocks(rows: int, size: int) -> int:
    """How many blocks `size` numbers in `rows` rows are filled in: 1 under THREADED_MIN_SIZE,
    else a power of two, so that they share out evenly over 2, 4, 8 or 16 cores (3 blocks on
    2 cores took 2.95 ms for 256 x 1,000 normals, 2 blocks 2.28): 2, and 4, 8, 16 from 4, 8,
    16 BLOCK_SIZEs on; never more than `rows`."""
    if size < THREADED_MIN_SIZE or rows < 2:
        return 1
    by_size = max(2, min(NUM_BLOCKS, size // BLOCK_SIZE))
    return 1 << (min(by_size, rows).bit_length() - 1)


def parallel_rows(rows: int, cols: int, fill: Callable[[slice], None]) -> None:
    """`fill(rows)` over blocks of `rows` (as `standard_normal` splits them), in threads."""
    num_blocks = _num_blocks(rows, rows * cols)
    bounds = np.linspace(0, rows, num_blocks + 1).astype(int)
    blocks = [slice(a, b) for a, b in itertools.pairwise(bounds.tolist())]
    if num_blocks == 1:
        fill(blocks[0])
    else:
        list(_pool().map(fill, blocks))


def _affine(x: np.ndarray, scale, shift) -> None:
    if scale is not None:
        x *= scale
    if shift is not None:
        x += shift


def mirror(plus: np.ndarray, minus: np.ndarray, mean: np.ndarray):
    """A `standard_normal` `then` for mirrored pairs: the rows of `plus` hold steps sigma z; they
    become mean + sigma z, and the same rows of `minus` mean - sigma z."""

    def pair(rows: slice, _generator: np.random.Generator) -> None:
        np.subtract(mean, plus[rows], out=minus[rows])
        plus[rows] += mean

    return pair
