"""Simple genetic algorithm, as in estool's `es.py` `SimpleGA` (see also Such et al. 2017, "Deep
Neuroevolution", arXiv:1712.06567).

Each child takes every parameter from one of two elites picked at random (uniform crossover), plus
Gaussian noise of scale sigma. The elites are the best `elite_ratio` of the population (competing
with the previous elites unless `forget_best`). The distribution's "center" is the best elite.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from estool.solvers.base import Solver
from estool.solvers.optimizers import anneal
from estool.solvers.params import AnnealedParams, require
from estool.solvers.sampling import standard_normal

CROSSOVER_CHUNK = 1 << 17  # numbers per block of children: fewer, larger steps in each thread


def uniform_crossover(
    rng: np.random.Generator,
    pool: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    add_to: np.ndarray | None = None,
) -> np.ndarray:
    """Children (len(first), num_params): each parameter from `pool[first[i]]` or `pool[second[i]]`
    with probability 1/2; added to `add_to` (e.g. the mutation noise) and returned in it if given.

    A bitwise select on the float64 bit patterns, a ^ ((a ^ b) & mask), with an all-ones or
    all-zeros 64-bit mask per parameter (a random byte's sign bit, arithmetic-shifted and
    sign-extended). Rows go in blocks of about 2^17 numbers through three block-sized buffers,
    allocated once: several times faster than a boolean-masked copy, and than fresh temporaries
    per block. The blocks depend only on the shape.
    """
    num_params = pool.shape[1]
    children = np.empty((len(first), num_params)) if add_to is None else add_to
    pool_bits = pool.view(np.uint64)
    rows = max(1, CROSSOVER_CHUNK // num_params)
    a, b = np.empty((2, rows, num_params), np.uint64)
    mask = np.empty((rows, num_params), np.int64)
    for lo in range(0, len(first), rows):
        k = min(rows, len(first) - lo)
        # random bytes from whole 64-bit draws (little-endian on any machine): 2x numpy's bytes()
        words = rng.integers(0, 2**64, size=-(-k * num_params // 8), dtype=np.uint64)
        signs = words.astype("<u8", copy=False).view(np.int8)[: k * num_params]
        signs = signs.reshape(k, num_params)
        np.right_shift(signs, 7, out=mask[:k], casting="unsafe")
        # mode="clip": no bounds check, no buffered copy (3x faster); the indices are in range
        np.take(pool_bits, first[lo : lo + k], axis=0, out=a[:k], mode="clip")
        np.take(pool_bits, second[lo : lo + k], axis=0, out=b[:k], mode="clip")
        select = b[:k]
        select ^= a[:k]
        select &= mask[:k].view(np.uint64)
        select ^= a[:k]
        if add_to is None:
            children[lo : lo + k] = select.view(np.float64)
        else:
            children[lo : lo + k] += select.view(np.float64)
    return children


class SimpleGA(Solver):
    """Truncation selection + uniform crossover + Gaussian mutation."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Params(AnnealedParams):
        elite_ratio: float = 0.1
        forget_best: bool = False  # False: elites compete with the previous generation's

        def __post_init__(self):
            super().__post_init__()
            require(
                int(self.popsize * self.elite_ratio) >= 1,
                f"elite_ratio {self.elite_ratio} keeps no elite out of popsize {self.popsize}; "
                "raise either",
            )

    state_fields = ("elite_params", "elite_fitness", "sigma_value")

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters):
        super().__init__(num_params, seed=seed, **hyperparameters)
        self.elite_popsize = int(self.popsize * self.hp.elite_ratio)
        self.elite_params = np.zeros((self.elite_popsize, self.num_params))
        # -inf: the initial elites (the starting point) lose to any evaluated solution
        self.elite_fitness = np.full(self.elite_popsize, -np.inf)
        self.sigma_value = float(self.hp.sigma_init)

    @property
    def sigma(self) -> float:
        return self.sigma_value

    def current_param(self) -> np.ndarray:
        return self.elite_params[0].copy()

    def _set_mean(self, mu: np.ndarray) -> None:
        """Restart the population around `mu`: every elite becomes `mu`, unevaluated."""
        self.elite_params = np.tile(mu, (self.elite_popsize, 1))
        self.elite_fitness = np.full(self.elite_popsize, -np.inf)

    def _sample(self) -> np.ndarray:
        parents = self.rng.integers(0, self.elite_popsize, size=(2, self.popsize))
        shape = (self.popsize, self.num_params)
        elites, first, second = self.elite_params, parents[0], parents[1]

        def cross(rows: slice, generator: np.random.Generator) -> None:
            uniform_crossover(generator, elites, first[rows], second[rows], noise[rows])

        noise = self._reusable()
        noise = np.empty(shape) if noise is None else noise
        # the crossover is added onto each block of noise in its thread, from its stream
        return standard_normal(self.rng, shape, self.sigma_value, out=noise, then=cross)

    def _update(self, shaped: np.ndarray) -> None:
        fitness = shaped if self.forget_best else np.concatenate([shaped, self.elite_fitness])
        elite = np.argsort(-fitness, kind="stable")[: self.elite_popsize]
        from_population = elite < self.popsize
        params = np.empty((self.elite_popsize, self.num_params))
        params[from_population] = self.solutions[elite[from_population]]
        params[~from_population] = self.elite_params[elite[~from_population] - self.popsize]
        self.elite_params, self.elite_fitness = params, fitness[elite]
        self.sigma_value = float(anneal(self.sigma_value, self.hp.sigma_decay, self.hp.sigma_limit))
