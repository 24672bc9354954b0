"""The first draws of B episodes' generators, seeded as Gymnasium seeds an env, in a third the time.

`env.reset(seed=s)` makes its generator as `gymnasium.utils.seeding.np_random(s)` does:
`Generator(PCG64(SeedSequence(s)))`, about 15 us a seed, most of it SeedSequence's hashing
(O'Neill's seed_seq: a pool of four 32-bit words mixed by multiply-xorshift hashes) and PCG64's
seeding from its output. Those are integer arithmetic with the same constants for every seed, so
here they run once for the whole batch in numpy, and one reused generator is set to each seed's
PCG64 state in turn. The draws are the very ones a fresh generator gives (checked at import against
numpy's own; where they differ, as on a big-endian machine, every seed goes through numpy's path).

    draws(seeds (B,), draw: Generator -> array) -> (B, ...) the rows draw(np_random(seed))
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
from gymnasium.utils import seeding

U32 = np.uint32
MASK_32, MASK_128 = 0xFFFFFFFF, (1 << 128) - 1
# SeedSequence's constants (numpy/random/bit_generator.pyx)
INIT_A, MULT_A, INIT_B, MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
POOL_SIZE, STATE_WORDS = 4, 8  # PCG64 takes 4 uint64 = 8 uint32 words
PCG64_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645


def _hash_constants(init: int, mult: int, count: int) -> np.ndarray:
    """(count + 1,) the running hash constant: before the first hash, after each one."""
    values = [init]
    for _ in range(count):
        values.append((values[-1] * mult) & MASK_32)
    return np.array(values, dtype=U32)


# mix_entropy hashes each pool word once, then each (source, destination) pair of distinct words
_MIX = _hash_constants(INIT_A, MULT_A, POOL_SIZE + POOL_SIZE * (POOL_SIZE - 1))
_STATE = _hash_constants(INIT_B, MULT_B, STATE_WORDS)


def _hashmix(values: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    values = (values ^ before) * after
    return values ^ (values >> U32(16))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    result = U32(MIX_MULT_L) * x - U32(MIX_MULT_R) * y
    return result ^ (result >> U32(16))


def _pcg64_words(seeds: np.ndarray) -> list[list[int]]:
    """(B,) seeds in [0, 2^64) -> B rows of SeedSequence(seed).generate_state(4, uint64)."""
    seeds = np.asarray(seeds, dtype=np.uint64)
    entropy = np.zeros((POOL_SIZE, len(seeds)), dtype=U32)  # a seed's 32-bit words, then zeros
    entropy[0], entropy[1] = seeds & np.uint64(MASK_32), seeds >> np.uint64(32)
    pool = _hashmix(entropy, _MIX[:POOL_SIZE, None], _MIX[1 : POOL_SIZE + 1, None])
    k = POOL_SIZE
    for source in range(POOL_SIZE):
        targets = [row for row in range(POOL_SIZE) if row != source]
        n = len(targets)
        hashed = _hashmix(pool[source], _MIX[k : k + n, None], _MIX[k + 1 : k + n + 1, None])
        pool[targets] = _mix(pool[targets], hashed)
        k += n
    words = pool[np.arange(STATE_WORDS) % POOL_SIZE]
    words = _hashmix(words, _STATE[:STATE_WORDS, None], _STATE[1:, None])
    # uint32 words, least significant first, pair into uint64 (generate_state's view)
    return np.ascontiguousarray(words.T).view(np.uint64).tolist()


def _pcg64_state(words: list[int]) -> tuple[int, int]:
    """(state, inc) of PCG64 seeded with 4 uint64 words (pcg64_set_seed: state words 0-1,
    increment words 2-3, high word first; then pcg's srandom: two steps around the add)."""
    initstate = (words[0] << 64) | words[1]
    inc = ((((words[2] << 64) | words[3]) << 1) | 1) & MASK_128
    return ((inc + initstate) * PCG64_MULTIPLIER + inc) & MASK_128, inc


def draws(seeds, draw: Callable[[np.random.Generator], np.ndarray]) -> np.ndarray:
    """(B, ...) row i: `draw(seeding.np_random(seeds[i])[0])`, each from a fresh generator."""
    if not FAST:
        return np.array([draw(seeding.np_random(int(seed))[0]) for seed in seeds])
    bits = np.random.PCG64(0)
    generator = np.random.Generator(bits)
    inner = {"state": 0, "inc": 0}
    state = {"bit_generator": "PCG64", "state": inner, "has_uint32": 0, "uinteger": 0}
    rows = []
    for words in _pcg64_words(seeds):
        inner["state"], inner["inc"] = _pcg64_state(words)
        bits.state = state
        rows.append(draw(generator))
    return np.array(rows)


def _agrees() -> bool:
    probe = [0, 1, 12345, 2**31 - 1, 2**32 + 7, 2**63 + 11]
    if sys.byteorder != "little":
        return False
    ours = [_pcg64_state(words) for words in _pcg64_words(np.array(probe, dtype=np.uint64))]
    numpy = [np.random.PCG64(seed).state["state"] for seed in probe]
    return ours == [(s["state"], s["inc"]) for s in numpy]


FAST = _agrees()
