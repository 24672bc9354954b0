"""CMA-ES with a full covariance, natively in numpy, sampled through a Cholesky factor.

Hansen & Ostermeier 2001, "Completely Derandomized Self-Adaptation in Evolution Strategies"
(Evolutionary Computation 9(2)), with Hansen 2016's constants and active update (`cma_strategy`).
C is sampled through its Cholesky factor A (A A^T = C) instead of its eigendecomposition
C = B D^2 B^T: x_k = m + sigma A z_k, and the whitened steps z_k that the step-size path and the
active update need are the normals drawn. The triangular factor in the path is Suttorp, Hansen &
Igel 2009 ("Efficient covariance matrix update for variable metric evolution strategies", Machine
Learning 75), shown to do as well as C^{-1/2} by Krause, Arbonès & Igel 2016 (NeurIPS, the
Cholesky-CMA-ES). A factorization costs n^3 / 3 against ~9 n^3 for an eigendecomposition; like
pycma's, it is redone only every 1 / (10 n (c_1 + c_mu)) generations (every one at popsize 256 and
n = 1,000).

Shapes: population, normals (popsize, n); covariance, factor (n, n).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from estool.solvers.cma_strategy import CMAStrategy
from estool.solvers.sampling import standard_normal

TINY_NORM = 1e-300  # a step's squared whitened length is never divided by 0
CONDITION_LIMIT = 1e14  # a covariance that is no longer positive definite is repaired to this
# above this, one n x n matrix is over 3 GB (three are held at the peak) and a factorization takes
# minutes
FULL_COVARIANCE_MAX = 20_000


def require_full_covariance_fits(num_params: int) -> None:
    """ValueError naming --diagonal for a model too large for a full covariance."""
    if num_params > FULL_COVARIANCE_MAX:
        gigabytes = 8 * num_params**2 / 1e9
        raise ValueError(
            f"-o cma with {num_params:,} parameters: its full covariance is {gigabytes:,.1f} GB "
            "a matrix; add --diagonal (sep-CMA-ES)"
        )


class FullCMAES(CMAStrategy):
    """CMA-ES with a full covariance, O(n^2) memory; maximizes."""

    update_blas_threads = None  # matrix products: compute-bound, the caller's threads

    state_fields = (
        "mean",
        "step_size",
        "covariance",
        "factor",
        "factored_at",
        "normals",
        "path_sigma",
        "path_c",
    )

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(num_params, seed=seed, **hyperparameters)
        require_full_covariance_fits(self.num_params)
        self.covariance = np.eye(self.num_params)
        # lower triangular: factor @ factor.T is the covariance of generation `factored_at`
        self.factor = np.eye(self.num_params)
        self.factored_at = 0
        self.normals: np.ndarray | None = None  # the last ask's z, until its tell
        self._spare_normals: np.ndarray | None = None

    @property
    def sigma(self) -> np.ndarray:
        return self.step_size * np.sqrt(np.diagonal(self.covariance))

    def _sample(self) -> np.ndarray:
        shape = (self.popsize, self.num_params)
        self.normals = standard_normal(self.rng, shape, out=self._reusable("_spare_normals"))
        population = self._reusable()
        population = np.matmul(self.normals, self.factor.T, out=population)
        population *= self.step_size
        population += self.mean
        return population

    def _ranked_steps(self, shaped: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
        """y_w, z_w and the steps y_i (popsize, n) with their weights w°_i, multiplied out in
        `_adapt_covariance`."""
        weights = self._rank_weights(shaped)
        positive = np.maximum(weights, 0.0)
        steps = self.solutions - self.mean
        steps /= self.step_size
        squared = np.einsum("ij,ij->i", self.normals, self.normals)  # |C^{-1/2} y_i|^2
        negative = weights < 0  # rescaled to the length sqrt(n) in the norm of C
        weights = np.where(
            negative, weights * self.num_params / np.maximum(squared, TINY_NORM), weights
        )
        y_w, z_w = positive @ steps, positive @ self.normals
        self._spare_normals, self.normals = self.normals, None
        return y_w, z_w, (steps, weights)

    def _adapt_covariance(self, decay: float, rank_mu: tuple[np.ndarray, np.ndarray]) -> None:
        """C <- decay C + [y; p_c]^T diag(c_mu w°, c_1) [y; p_c]: the rank-one and rank-mu terms
        in one product, with no n x n temporary besides it."""
        k = self.constants
        steps, weights = rank_mu
        vectors = np.vstack([steps, self.path_c])
        coefficients = np.append(k.c_mu * weights, k.c_1)
        self.covariance *= decay
        self.covariance += (vectors.T * coefficients) @ vectors
        del vectors
        tells = self.generation + 1
        if tells - self.factored_at >= k.lazy_gap:
            self.factor = None  # let go of the old one first: an n x n matrix less at the peak
            self.factor = cholesky_factor(self.covariance)
            self.factored_at = tells


def cholesky_factor(covariance: np.ndarray) -> np.ndarray:
    """The lower Cholesky factor of `covariance` (n, n), symmetrized in place first. One that
    rounding has made indefinite, or near it, has its eigenvalues raised to the largest / 1e14
    (pycma's condition limit) and is factored again."""
    covariance += covariance.T
    covariance *= 0.5
    try:
        return np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(covariance)
        values = np.maximum(values, values.max() / CONDITION_LIMIT)
        covariance[...] = (vectors * values) @ vectors.T
        covariance += covariance.T
        covariance *= 0.5
        return np.linalg.cholesky(covariance)
