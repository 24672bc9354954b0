"""OpenAI-ES: Salimans et al. 2017, "Evolution Strategies as a Scalable Alternative to
Reinforcement Learning" (arXiv:1703.03864), as in estool's `es.py` `OpenES`.

Isotropic Gaussian search around the mean mu with a scalar sigma:
    x_i = mu + sigma * eps_i,   eps_i ~ N(0, I),   eps: (popsize, num_params)
    grad = eps^T F / (popsize * sigma),   F = standardized shaped fitness (popsize,)
and mu follows Adam (or SGD) ascent on grad. Sigma and the learning rate anneal geometrically.
The noise is not kept: eps^T F = (x^T F - mu sum(F)) / sigma, from the population itself.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from estool.solvers import shaping
from estool.solvers.base import Solver
from estool.solvers.optimizers import anneal, make_optimizer
from estool.solvers.params import GradientParams, require
from estool.solvers.population import GaussianPopulation, draw_entropy
from estool.solvers.sampling import mirror, standard_normal


class OpenES(Solver):
    """OpenAI-ES with antithetic sampling option, rank shaping, Adam, sigma / lr annealing."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Params(GradientParams):
        learning_rate_limit: float = 0.001
        antithetic: bool = False  # mirrored pairs: solution i + popsize/2 is mu - sigma eps_i

        def __post_init__(self):
            super().__post_init__()
            require(
                not self.antithetic or self.popsize % 2 == 0,
                f"antithetic sampling needs an even popsize, got {self.popsize}",
            )

    state_fields = ("mu", "sigma_value", "learning_rate", "optimizer")

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters):
        super().__init__(num_params, seed=seed, **hyperparameters)
        self.mu = np.zeros(self.num_params)
        self.sigma_value = float(self.hp.sigma_init)
        self.learning_rate = float(self.hp.learning_rate)
        self.optimizer = make_optimizer(self.hp.optimizer, self.num_params)
        self._population: GaussianPopulation | None = None  # the last ask's, with row_seeds

    @property
    def sigma(self) -> float:
        return self.sigma_value

    def current_param(self) -> np.ndarray:
        return self.mu.copy()

    def _set_mean(self, mu: np.ndarray) -> None:
        self.mu = mu

    def population(self) -> GaussianPopulation | None:
        return self._population

    def _sample(self) -> np.ndarray:
        spare = self._reusable()
        if self.hp.row_seeds:
            solutions = np.empty((self.popsize, self.num_params)) if spare is None else spare
            self._population = GaussianPopulation(
                self.mu, self.sigma_value, draw_entropy(self.rng), self.popsize, self.hp.antithetic
            )
            self._population.sample(solutions)
            return solutions
        if not self.hp.antithetic:
            shape = (self.popsize, self.num_params)
            return standard_normal(self.rng, shape, self.sigma_value, self.mu, out=spare)
        half = self.popsize // 2
        solutions = np.empty((self.popsize, self.num_params)) if spare is None else spare
        plus, minus = solutions[:half], solutions[half:]
        standard_normal(
            self.rng, plus.shape, self.sigma_value, out=plus, then=mirror(plus, minus, self.mu)
        )
        return solutions

    def _update(self, shaped: np.ndarray) -> None:
        weights = shaping.standardize(shaped)
        eps_dot_weights = (weights @ self.solutions - weights.sum() * self.mu) / self.sigma_value
        grad = eps_dot_weights / (self.popsize * self.sigma_value)
        self.mu = self.mu + self.optimizer.step(grad, self.learning_rate)
        self.sigma_value = float(anneal(self.sigma_value, self.hp.sigma_decay, self.hp.sigma_limit))
        self.learning_rate = float(
            anneal(self.learning_rate, self.hp.learning_rate_decay, self.hp.learning_rate_limit)
        )
        self._population = None
