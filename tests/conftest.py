"""Shared test helpers: benchmark functions (maximized) and a generation runner."""

import numpy as np


def sphere_optimum(num_params: int) -> np.ndarray:
    """Shifted away from zero, so that a "converges to zero" bug cannot pass."""
    return np.linspace(-2.0, 3.0, num_params)


def shifted_sphere(x: np.ndarray) -> np.ndarray:
    """-||x - x*||^2 per row of x (popsize, num_params)."""
    return -np.sum((x - sphere_optimum(x.shape[1])) ** 2, axis=1)


def rosenbrock(x: np.ndarray) -> np.ndarray:
    """-Rosenbrock per row; optimum 0 at x = (1, ..., 1)."""
    return -np.sum(100.0 * (x[:, 1:] - x[:, :-1] ** 2) ** 2 + (1.0 - x[:, :-1]) ** 2, axis=1)


def run(solver, fitness_fn, generations: int) -> list[np.ndarray]:
    """ask/tell for `generations`; returns every population asked."""
    asked = []
    for _ in range(generations):
        x = solver.ask()
        asked.append(x.copy())
        solver.tell(fitness_fn(x))
    return asked
