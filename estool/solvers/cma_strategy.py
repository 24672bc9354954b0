"""What CMA-ES's two native forms share: constants, weights by rank, the evolution paths and the
step size (Hansen 2016, "The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772, Table 1 and
(40)-(47), active CMA included: Jastrebski & Arnold 2006).

Per generation, with y_i = (x_{i:lambda} - m) / sigma the i-th best step and z_i the same step in
the sampling distribution's whitened coordinates (C^{-1/2} y_i, or A^{-1} y_i for a factor
A A^T = C):

    y_w   = sum_{w_i > 0} w_i y_i,      z_w = sum_{w_i > 0} w_i z_i
    m    <- m + sigma y_w
    p_s  <- (1 - c_s) p_s + sqrt(c_s (2 - c_s) mu_eff) z_w
    p_c  <- (1 - c_c) p_c + h_s sqrt(c_c (2 - c_c) mu_eff) y_w
    C    <- (1 - c_1 - c_mu sum w + c_1 delta(h_s)) C + c_1 p_c p_c^T + c_mu sum_i w°_i y_i y_i^T
    sigma <- sigma exp(min(1, (c_s / d_s) (|p_s| / E|N(0, I)| - 1)))

with w°_i = w_i for w_i >= 0 and w_i n / |z_i|^2 otherwise. The subclasses say how C is held
(`sepcma.SepCMAES`: its diagonal; `fullcma.FullCMAES`: the matrix and a Cholesky factor).
"""

from __future__ import annotations

import dataclasses
from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np

from estool.solvers.base import Solver
from estool.solvers.params import SolverParams, require


@dataclasses.dataclass(frozen=True)
class CMAConstants:
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
    # generations a factorization of C may serve (Hansen 2016, B.2: 1 / (10 n (c_1 + c_mu)))
    lazy_gap: float

    @classmethod
    def for_size(cls, n: int, popsize: int, diagonal: bool = False) -> CMAConstants:
        raw = np.log((popsize + 1) / 2.0) - np.log(np.arange(1, popsize + 1))
        positive, negative = raw[raw > 0], raw[raw < 0]
        mu_eff = positive.sum() ** 2 / float(np.sum(positive**2))
        c_sigma = (mu_eff + 2.0) / (n + mu_eff + 5.0)
        d_sigma = 1.0 + 2.0 * max(0.0, np.sqrt((mu_eff - 1.0) / (n + 1.0)) - 1.0) + c_sigma
        c_c = (4.0 + mu_eff / n) / (n + 4.0 + 2.0 * mu_eff / n)
        c_1 = 2.0 / ((n + 1.3) ** 2 + mu_eff)
        c_mu = min(1.0 - c_1, 2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((n + 2.0) ** 2 + mu_eff))
        if diagonal:
            faster = (n + 2.0) / 3.0  # Ros & Hansen: n variances learn (n + 2) / 3 times faster
            c_1 = min(1.0, c_1 * faster)
            c_mu = min(1.0 - c_1, c_mu * faster)
        # the negative weights' total: bounded so that the covariance stays positive definite
        # (none when c_mu is 0: a single positive weight, popsize 3)
        negative_total = 0.0
        if c_mu > 0 and negative.size:
            mu_eff_negative = negative.sum() ** 2 / float(np.sum(negative**2))
            negative_total = min(
                1.0 + c_1 / c_mu,
                1.0 + 2.0 * mu_eff_negative / (mu_eff + 2.0),
                (1.0 - c_1 - c_mu) / (n * c_mu),
            )
        weights = np.where(raw > 0, raw / positive.sum(), 0.0)
        if negative.size:
            weights = np.where(raw < 0, raw * negative_total / -negative.sum(), weights)
        chi_n = np.sqrt(n) * (1.0 - 1.0 / (4.0 * n) + 1.0 / (21.0 * n * n))
        lazy_gap = 1.0 / (10.0 * n * (c_1 + c_mu))
        return cls(weights, mu_eff, c_sigma, d_sigma, c_c, c_1, c_mu, float(chi_n), lazy_gap)


class CMAStrategy(Solver):
    """CMA-ES's update around a covariance the subclass holds; maximizes."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Params(SolverParams):
        popsize: int = 255

        def __post_init__(self):
            super().__post_init__()
            require(self.popsize >= 3, f"CMA-ES needs a popsize of at least 3, got {self.popsize}")

    diagonal: ClassVar[bool] = False  # the learning rates of a diagonal covariance

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(num_params, seed=seed, **hyperparameters)
        self.constants = CMAConstants.for_size(self.num_params, self.popsize, self.diagonal)
        self.mean = np.zeros(self.num_params)
        self.step_size = float(self.hp.sigma_init)
        self.path_sigma = np.zeros(self.num_params)
        self.path_c = np.zeros(self.num_params)

    def current_param(self) -> np.ndarray:
        return self.mean.copy()

    def _set_mean(self, mu: np.ndarray) -> None:
        self.mean = mu

    def _rank_weights(self, shaped: np.ndarray) -> np.ndarray:
        """Each solution's weight, in the population's order: (popsize,)."""
        weights = np.empty(self.popsize)
        weights[np.argsort(-shaped, kind="stable")] = self.constants.weights
        return weights

    @abstractmethod
    def _ranked_steps(self, shaped: np.ndarray) -> tuple[np.ndarray, np.ndarray, Any]:
        """(y_w, z_w, the rank-mu term sum_i w°_i y_i y_i^T in the subclass's form)."""

    @abstractmethod
    def _adapt_covariance(self, decay: float, rank_mu: Any) -> None:
        """C <- decay C + c_1 p_c p_c^T + c_mu rank_mu, in the subclass's form."""

    def _update(self, shaped: np.ndarray) -> None:
        k = self.constants
        y_w, z_w, rank_mu = self._ranked_steps(shaped)
        self.mean = self.mean + self.step_size * y_w
        self.path_sigma *= 1.0 - k.c_sigma
        self.path_sigma += np.sqrt(k.c_sigma * (2.0 - k.c_sigma) * k.mu_eff) * z_w
        norm = float(np.linalg.norm(self.path_sigma))
        unbiased = norm / np.sqrt(1.0 - (1.0 - k.c_sigma) ** (2 * (self.generation + 1)))
        h_sigma = float(unbiased < (1.4 + 2.0 / (self.num_params + 1.0)) * k.chi_n)
        self.path_c *= 1.0 - k.c_c
        self.path_c += h_sigma * np.sqrt(k.c_c * (2.0 - k.c_c) * k.mu_eff) * y_w
        lost = (1.0 - h_sigma) * k.c_1 * k.c_c * (2.0 - k.c_c)  # delta(h_sigma), Hansen (47)
        self._adapt_covariance(1.0 - k.c_1 - k.c_mu * k.weights.sum() + lost, rank_mu)
        exponent = (k.c_sigma / k.d_sigma) * (norm / k.chi_n - 1.0)
        self.step_size *= float(np.exp(min(1.0, exponent)))  # bounded: Hansen 2016, footnote
