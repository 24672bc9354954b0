"""Fitness shaping: small pure functions on a fitness vector of shape (popsize,).

Objective convention, stated once: every solver MAXIMIZES fitness. Non-finite fitness (NaN, +inf,
-inf: a crashed or diverged rollout) always counts as the worst value.
"""

from __future__ import annotations

import numpy as np


def centered_ranks(fitness: np.ndarray) -> np.ndarray:
    """Ranks scaled to [-0.5, 0.5], ties sharing their average rank; non-finite values rank last.

    The rank transform of Salimans et al. 2017 ("Evolution Strategies as a Scalable Alternative to
    Reinforcement Learning"), as in estool's `compute_centered_ranks`, except that equal fitness
    values get equal ranks instead of ranks ordered by their index.
    """
    f = np.where(np.isfinite(fitness), fitness, -np.inf)
    n = f.size
    if n < 2:
        return np.zeros(n)
    order = np.argsort(f)
    ordered = f[order]
    if (ordered[1:] != ordered[:-1]).all():  # no ties (the rule): a rank is a position
        ranks = np.empty(n)
        ranks[order] = np.arange(n)
        return ranks / (n - 1) - 0.5
    _, inverse, counts = np.unique(f, return_inverse=True, return_counts=True)
    first_rank = np.cumsum(counts) - counts
    average_rank = first_rank + (counts - 1) / 2.0
    return average_rank[inverse] / (n - 1) - 0.5


def worst_for_nonfinite(fitness: np.ndarray) -> np.ndarray:
    """Replace non-finite values by the worst finite one, so raw-fitness updates stay finite."""
    finite = np.isfinite(fitness)
    if finite.all():
        return fitness.astype(np.float64, copy=True)
    return np.where(finite, fitness, fitness[finite].min())


def l2_penalty(weight_decay: float, solutions: np.ndarray) -> np.ndarray:
    """estool's weight decay: `weight_decay * mean(x**2)` per solution, shape (popsize,).

    It is subtracted from the fitness to be maximized (an L2 penalty on the parameters).
    """
    if weight_decay == 0.0:
        return np.zeros(len(solutions))
    sq = np.einsum("ij,ij->i", solutions, solutions)
    return weight_decay * sq / solutions.shape[1]


def standardize(x: np.ndarray) -> np.ndarray:
    """(x - mean) / std, and zeros when all values are equal (no signal, no NaN)."""
    std = x.std()
    if std == 0.0:
        return np.zeros_like(x, dtype=np.float64)
    return (x - x.mean()) / std
