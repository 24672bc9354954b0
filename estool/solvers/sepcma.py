"""Separable CMA-ES: Ros & Hansen 2008, "A Simple Modification in CMA-ES Achieving Linear Time and
Space Complexity" (PPSN X), natively in numpy.

CMA-ES with a diagonal covariance C = diag(d^2), whose learning rates c_1 and c_mu grow by
(n + 2) / 3 because only n variances are learned. Constants and updates follow Hansen 2016,
"The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772), active CMA included (Jastrebski &
Arnold 2006: the worse half of the population gets negative weights in the covariance update):

    x_k   = m + sigma d * z_k,          z_k ~ N(0, I)              population (popsize, n)
    y_i   = (x_{i:lambda} - m) / sigma                             i-th best step, (n,)
    y_w   = sum_{w_i > 0} w_i y_i                                  (n,)
    m    <- m + sigma y_w
    p_s  <- (1 - c_s) p_s + sqrt(c_s (2 - c_s) mu_eff) y_w / d
    p_c  <- (1 - c_c) p_c + h_s sqrt(c_c (2 - c_c) mu_eff) y_w
    d^2  <- (1 - c_1 - c_mu sum w + c_1 delta(h_s)) d^2 + c_1 p_c^2 + c_mu sum_i w°_i y_i^2
    sigma <- sigma exp(min(1, (c_s / d_s) (|p_s| / E|N(0, I)| - 1)))

with w°_i = w_i for w_i >= 0 and w_i n / |y_i / d|^2 otherwise. O(popsize x n) time, and one
population matrix of memory: the steps are reduced 2^15 numbers (or 16 rows) at a time.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from estool.solvers.base import Solver
from estool.solvers.params import SolverParams, require
from estool.solvers.sampling import standard_normal

BLOCK_SIZE = 1 << 15  # steps reduced this many numbers (a block stays in cache), or 16 rows
TINY_VARIANCE = 1e-300  # a variance never reaches 0, so y / d stays finite


@dataclasses.dataclass(frozen=True)
class SepConstants:
    """The strategy's constants, fixed by n and popsize (Hansen 2016, Table 1 and (50)-(53);
    Ros & Hansen 2008 for the diagonal's learning rates)."""

    weights: np.ndarray  # (popsize,) by rank: positive ones sum to 1, then 0s, then negative
    mu_eff: float
    c_sigma: float
    d_sigma: float
    c_c: float
    c_1: float
    c_mu: float
    chi_n: float  # E|N(0, I_n)|

    @classmethod
    def for_size(cls, n: int, popsize: int) -> SepConstants:
        raw = np.log((popsize + 1) / 2.0) - np.log(np.arange(1, popsize + 1))
        positive, negative = raw[raw > 0], raw[raw < 0]
        mu_eff = positive.sum() ** 2 / float(np.sum(positive**2))
        c_sigma = (mu_eff + 2.0) / (n + mu_eff + 5.0)
        d_sigma = 1.0 + 2.0 * max(0.0, np.sqrt((mu_eff - 1.0) / (n + 1.0)) - 1.0) + c_sigma
        c_c = (4.0 + mu_eff / n) / (n + 4.0 + 2.0 * mu_eff / n)
        c_1 = 2.0 / ((n + 1.3) ** 2 + mu_eff)
        c_mu = min(1.0 - c_1, 2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((n + 2.0) ** 2 + mu_eff))
        faster = (n + 2.0) / 3.0  # Ros & Hansen: n variances learn (n + 2) / 3 times faster
        c_1 = min(1.0, c_1 * faster)
        c_mu = min(1.0 - c_1, c_mu * faster)
        # the negative weights' total: bounded so that the variances stay positive
        mu_eff_negative = negative.sum() ** 2 / float(np.sum(negative**2))
        negative_total = min(
            1.0 + c_1 / c_mu,
            1.0 + 2.0 * mu_eff_negative / (mu_eff + 2.0),
            (1.0 - c_1 - c_mu) / (n * c_mu),
        )
        weights = np.where(raw > 0, raw / positive.sum(), raw * negative_total / -negative.sum())
        chi_n = np.sqrt(n) * (1.0 - 1.0 / (4.0 * n) + 1.0 / (21.0 * n * n))
        return cls(weights, mu_eff, c_sigma, d_sigma, c_c, c_1, c_mu, float(chi_n))


class SepCMAES(Solver):
    """sep-CMA-ES: CMA-ES with a diagonal covariance, linear in num_params; maximizes."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Params(SolverParams):
        popsize: int = 255

        def __post_init__(self):
            super().__post_init__()
            require(
                self.popsize >= 4, f"sep-CMA-ES needs a popsize of at least 4, got {self.popsize}"
            )

    state_fields = ("mean", "step_size", "variances", "path_sigma", "path_c")

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(num_params, seed=seed, **hyperparameters)
        self.constants = SepConstants.for_size(self.num_params, self.popsize)
        self.mean = np.zeros(self.num_params)
        self.step_size = float(self.hp.sigma_init)
        self.variances = np.ones(self.num_params)  # diag(C)
        self.path_sigma = np.zeros(self.num_params)
        self.path_c = np.zeros(self.num_params)

    @property
    def sigma(self) -> np.ndarray:
        return self.step_size * np.sqrt(self.variances)

    def current_param(self) -> np.ndarray:
        return self.mean.copy()

    def _set_mean(self, mu: np.ndarray) -> None:
        self.mean = mu

    def _sample(self) -> np.ndarray:
        shape = (self.popsize, self.num_params)
        return standard_normal(self.rng, shape, self.sigma, self.mean, out=self._reusable())

    def _ranked_steps(self, shaped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """y_w = sum_{w_i > 0} w_i y_i and sum_i w°_i y_i^2, over the steps y_i by rank.

        In the population's own order, each solution with its rank's weight: a block of rows is
        one subtraction away from sigma y, with no gathered copy of the population."""
        weights = np.empty(self.popsize)
        weights[np.argsort(-shaped, kind="stable")] = self.constants.weights / self.step_size
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
        return step, square

    def _update(self, shaped: np.ndarray) -> None:
        k = self.constants
        y_w, y_squared = self._ranked_steps(shaped)
        self.mean = self.mean + self.step_size * y_w
        self.path_sigma *= 1.0 - k.c_sigma
        self.path_sigma += np.sqrt(k.c_sigma * (2.0 - k.c_sigma) * k.mu_eff) * (
            y_w / np.sqrt(self.variances)
        )
        norm = float(np.linalg.norm(self.path_sigma))
        unbiased = norm / np.sqrt(1.0 - (1.0 - k.c_sigma) ** (2 * (self.generation + 1)))
        h_sigma = float(unbiased < (1.4 + 2.0 / (self.num_params + 1.0)) * k.chi_n)
        self.path_c *= 1.0 - k.c_c
        self.path_c += h_sigma * np.sqrt(k.c_c * (2.0 - k.c_c) * k.mu_eff) * y_w
        lost = (1.0 - h_sigma) * k.c_1 * k.c_c * (2.0 - k.c_c)  # delta(h_sigma), Hansen (47)
        self.variances *= 1.0 - k.c_1 - k.c_mu * k.weights.sum() + lost
        self.variances += k.c_1 * self.path_c**2 + k.c_mu * y_squared
        np.maximum(self.variances, TINY_VARIANCE, out=self.variances)
        exponent = (k.c_sigma / k.d_sigma) * (norm / k.chi_n - 1.0)
        self.step_size *= float(np.exp(min(1.0, exponent)))  # bounded: Hansen 2016, footnote
