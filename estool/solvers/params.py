"""Hyperparameters: frozen dataclasses, declared once per solver (evosax's `Params`).

A solver's `Params` subclasses one of these: every solver has a population, an L2 weight decay
and an initial sigma; the annealed ones a sigma schedule; the gradient ones a learning rate and
an optimizer on the mean.
"""

from __future__ import annotations

import dataclasses

import numpy as np


def require(condition: bool, message: str) -> None:
    """Raise ValueError(message) unless `condition`: one place for argument checks."""
    if not condition:
        raise ValueError(message)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SolverParams:
    """Hyperparameters every solver takes."""

    popsize: int = 256
    weight_decay: float = 0.01  # estool's L2 penalty: weight_decay * mean(x**2) off each fitness
    sigma_init: float = 0.1  # initial sampling standard deviation

    def __post_init__(self):
        require(
            isinstance(self.popsize, (int, np.integer)) and self.popsize >= 2,
            f"popsize must be an integer >= 2, got {self.popsize!r}",
        )
        require(self.weight_decay >= 0.0, f"weight_decay must be >= 0, got {self.weight_decay}")
        require(self.sigma_init > 0, f"sigma_init must be > 0, got {self.sigma_init}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class AnnealedParams(SolverParams):
    """A sigma that shrinks geometrically every generation, down to a floor."""

    sigma_decay: float = 0.999
    sigma_limit: float = 0.01


@dataclasses.dataclass(frozen=True, kw_only=True)
class GradientParams(AnnealedParams):
    """A mean that follows an estimated gradient (rank-shaped fitness) with Adam or SGD."""

    learning_rate: float = 0.01
    learning_rate_decay: float = 0.9999
    learning_rate_limit: float = 0.01
    rank_fitness: bool = True
    forget_best: bool = True
    optimizer: str = "adam"
    # each perturbation from its own seeded stream, so that a worker rebuilds a solution from
    # the mean, the scale and a seed (`population.GaussianPopulation`): another random stream
    row_seeds: bool = False

    def __post_init__(self):
        super().__post_init__()
        require(self.learning_rate > 0, f"learning_rate must be > 0, got {self.learning_rate}")
