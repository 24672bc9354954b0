"""PEPG: Sehnke et al. 2010, "Parameter-exploring policy gradients" (Neural Networks 23(4)),
with estool's extensions (`es.py` `PEPG`): symmetric sampling, a per-parameter sigma that adapts,
rank shaping, Adam on the mean, and an elite mode (estool's "ses": the mean moves to the average of
the best perturbations instead of following the gradient).

With z: (batch, num_params) standard normal and sigma: (num_params,),
    solutions = [mu + sigma*z ; mu - sigma*z]          (with mu itself first if no average baseline)
    grad_mu    = sum_k (r+_k - r-_k) sigma z_k
    grad_sigma = sum_k ((r+_k + r-_k)/2 - b) sigma (z_k^2 - 1) / (2 batch std(r))
where b is the baseline: the batch's mean fitness, or the fitness of mu.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from estool.solvers.base import Solver
from estool.solvers.optimizers import anneal, make_optimizer
from estool.solvers.params import GradientParams, require
from estool.solvers.population import GaussianPopulation, draw_entropy
from estool.solvers.sampling import mirror, standard_normal


class PEPG(Solver):
    """Symmetric PEPG with adaptive per-parameter sigma."""

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Params(GradientParams):
        sigma_alpha: float = 0.20  # learning rate of sigma
        sigma_max_change: float = 0.2  # sigma moves at most this fraction per generation
        elite_ratio: float = 0.0  # > 0: the mean moves to the average of the best ("ses")
        average_baseline: bool = True  # else the mean is solution 0 and the baseline

        def __post_init__(self):
            super().__post_init__()
            require(
                0.0 <= self.elite_ratio <= 1.0,
                f"elite_ratio must be in [0, 1], got {self.elite_ratio}",
            )
            if self.average_baseline:
                require(
                    self.popsize % 2 == 0,
                    f"PEPG with average_baseline needs an even popsize, got {self.popsize}",
                )
            else:
                require(
                    self.popsize % 2 == 1 and self.popsize >= 3,
                    "PEPG without average_baseline needs an odd popsize (mu + pairs), "
                    f"got {self.popsize}",
                )
            require(
                self.elite_ratio == 0.0 or int(self.popsize * self.elite_ratio) >= 1,
                f"elite_ratio {self.elite_ratio} keeps no elite out of popsize {self.popsize}",
            )

    state_fields = ("mu", "z", "sigma_vector", "learning_rate", "optimizer")

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters):
        super().__init__(num_params, seed=seed, **hyperparameters)
        self.batch_size = self.popsize // 2
        self.elite_popsize = int(self.popsize * self.hp.elite_ratio)
        self.mu = np.zeros(self.num_params)
        self.z: np.ndarray | None = None
        self.sigma_vector = np.full(self.num_params, float(self.hp.sigma_init))
        self.learning_rate = float(self.hp.learning_rate)
        self.optimizer = make_optimizer(self.hp.optimizer, self.num_params)
        self._spare_z: np.ndarray | None = None  # the last told z, see `_reusable`
        self._population: GaussianPopulation | None = None  # the last ask's, with row_seeds

    def population(self) -> GaussianPopulation | None:
        return self._population

    @property
    def sigma(self) -> np.ndarray:
        return self.sigma_vector.copy()

    def current_param(self) -> np.ndarray:
        return self.mu.copy()

    def _set_mean(self, mu: np.ndarray) -> None:
        self.mu = mu

    def _sample(self) -> np.ndarray:
        z = self._reusable("_spare_z")
        z = np.empty((self.batch_size, self.num_params)) if z is None else z
        solutions = self._reusable()
        solutions = np.empty((self.popsize, self.num_params)) if solutions is None else solutions
        if self.hp.row_seeds:
            self._population = GaussianPopulation(
                self.mu, self.sigma_vector, draw_entropy(self.rng), self.popsize, True,
                mean_first=not self.hp.average_baseline,
            )  # fmt: skip
            self._population.sample(solutions, z)
            self.z = z
            return solutions
        offset = 0 if self.hp.average_baseline else 1
        solutions[:offset] = self.mu
        plus = solutions[offset : offset + self.batch_size]
        pair = mirror(plus, solutions[offset + self.batch_size :], self.mu)

        def perturb(rows: slice, generator: np.random.Generator) -> None:
            np.multiply(z[rows], self.sigma_vector, out=plus[rows])
            pair(rows, generator)

        self.z = standard_normal(self.rng, z.shape, out=z, then=perturb)
        return solutions

    def _update(self, shaped: np.ndarray) -> None:
        n = self.batch_size
        if self.hp.average_baseline:
            baseline, reward = shaped.mean(), shaped
        else:
            baseline, reward = shaped[0], shaped[1:]
        z, sigma = self.z, self.sigma_vector
        if self.elite_popsize > 0:
            elite = np.argsort(-reward, kind="stable")[: self.elite_popsize]
            weights = np.zeros(n)
            np.add.at(weights, elite % n, np.where(elite < n, 1.0, -1.0) / len(elite))
            self.mu = self.mu + sigma * (weights @ z)
        else:
            grad = sigma * ((reward[:n] - reward[n:]) @ z)
            self.mu = self.mu + self.optimizer.step(grad, self.learning_rate)
        reward_std = 1.0 if self.rank_fitness else reward.std()
        if self.hp.sigma_alpha > 0 and reward_std > 0:
            advantage = (reward[:n] + reward[n:]) / 2.0 - baseline
            # sum_k a_k (z_k^2 - 1) without a (batch, num_params) temporary of z^2 - 1
            zz = np.einsum("k,kj,kj->j", advantage, z, z)
            grad_sigma = sigma * (zz - advantage.sum()) / (2 * n * reward_std)
            limit = self.hp.sigma_max_change * sigma
            self.sigma_vector = sigma + np.clip(self.hp.sigma_alpha * grad_sigma, -limit, limit)
        if self.hp.sigma_decay < 1:
            self.sigma_vector = anneal(self.sigma_vector, self.hp.sigma_decay, self.hp.sigma_limit)
        if self.hp.learning_rate_decay < 1:
            self.learning_rate = float(
                anneal(self.learning_rate, self.hp.learning_rate_decay, self.hp.learning_rate_limit)
            )
        self._spare_z, self.z, self._population = self.z, None, None
