"""Separable CMA-ES: Ros & Hansen 2008, "A Simple Modification in CMA-ES Achieving Linear Time and
Space Complexity" (PPSN X), natively in numpy.

CMA-ES with a diagonal covariance C = diag(d^2), whose learning rates c_1 and c_mu grow by
(n + 2) / 3 because only n variances are learned; the update is `cma_strategy`'s, with
z_i = y_i / d and, for the diagonal, the squares y_i^2 in place of y_i y_i^T:

    x_k   = m + sigma d * z_k,          z_k ~ N(0, I)              population (popsize, n)
    d^2  <- (1 - c_1 - c_mu sum w + c_1 delta(h_s)) d^2 + c_1 p_c^2 + c_mu sum_i w°_i y_i^2

O(popsize x n) time, and one population matrix of memory: the steps are reduced 2^17 numbers (or
16 rows) at a time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from estool.solvers.cma_strategy import CMAStrategy
from estool.solvers.sampling import standard_normal

BLOCK_SIZE = 1 << 17  # steps reduced this many numbers (1 MB: in cache), or 16 rows
TINY_VARIANCE = 1e-300  # a variance never reaches 0, so y / d stays finite


class SepCMAES(CMAStrategy):
    """sep-CMA-ES: CMA-ES with a diagonal covariance, linear in num_params; maximizes."""

    state_fields = ("mean", "step_size", "variances", "path_sigma", "path_c")

    diagonal = True

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(num_params, seed=seed, **hyperparameters)
        self.variances = np.ones(self.num_params)  # diag(C)

    @property
    def sigma(self) -> np.ndarray:
        return self.step_size * np.sqrt(self.variances)

    def _sample(self) -> np.ndarray:
        shape = (self.popsize, self.num_params)
        return standard_normal(self.rng, shape, self.sigma, self.mean, out=self._reusable())

    def _ranked_steps(self, shaped: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """y_w, y_w / d and sum_i w°_i y_i^2, over the steps y_i by rank.

        In the population's own order, each solution with its rank's weight: a block of rows is
        one subtraction away from sigma y, with no gathered copy of the population."""
        weights = self._rank_weights(shaped) / self.step_size
        positive = np.maximum(weights, 0.0)
        inverse_variance = 1.0 / (self.step_size * self.step_size * self.variances)  # |y / d|^2
        step = np.zeros(self.num_params)
        square = np.zeros(self.num_params)
        rows = max(16, BLOCK_SIZE // self.num_params)
        delta = np.empty((min(rows, self.popsize), self.num_params))
        for lo in range(0, self.popsize, rows):
            hi = min(lo + rows, self.popsize)
            block = delta[: hi - lo]
            np.subtract(self.solutions[lo:hi], self.mean, out=block)  # sigma y: y = (x - m) / sigma
            step += positive[lo:hi] @ block
            block *= block
            w = weights[lo:hi]
            negative = w < 0  # rescaled to the length sqrt(n) in the norm of C
            if negative.any():
                norms = block @ inverse_variance
                w = np.where(negative, w * self.num_params / np.maximum(norms, TINY_VARIANCE), w)
            square += (w / self.step_size) @ block
        return step, step / np.sqrt(self.variances), square

    def _adapt_covariance(self, decay: float, rank_mu: np.ndarray) -> None:
        self.variances *= decay
        self.variances += self.constants.c_1 * self.path_c**2 + self.constants.c_mu * rank_mu
        np.maximum(self.variances, TINY_VARIANCE, out=self.variances)
