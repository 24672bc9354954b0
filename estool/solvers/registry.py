"""Solvers by name: the names of estool's `train.py -o` flag, with the settings estool's train.py
gives each (its sigma_init / sigma_decay / popsize / antithetic come from the command line).

A registry, not an if/elif chain: `register` raises on a duplicate name; `make_solver` on an
unknown one, listing the known names.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from estool.solvers.base import Solver, hyperparameter_names
from estool.solvers.cmaes import CMAES
from estool.solvers.ga import SimpleGA
from estool.solvers.openes import OpenES
from estool.solvers.pepg import PEPG


class SolverSpec(NamedTuple):
    cls: type[Solver]
    defaults: dict[str, Any]  # keyword overrides of the class defaults
    summary: str


SOLVERS: dict[str, SolverSpec] = {}


def register(name: str, cls: type[Solver], summary: str, **defaults: Any) -> None:
    """Add a solver under `name`, with keyword defaults that override the class's."""
    if name in SOLVERS:
        raise ValueError(f"solver name {name!r} is already registered")
    SOLVERS[name] = SolverSpec(cls, defaults, summary)


def solver_names() -> list[str]:
    return sorted(SOLVERS)


def takes(name: str, hyperparameter: str) -> bool:
    """Whether the solver registered as `name` has `hyperparameter` (e.g. a training flag's)."""
    return hyperparameter in hyperparameter_names(SOLVERS[name].cls)


def make_solver(name: str, num_params: int, **kwargs: Any) -> Solver:
    """Build the solver registered as `name`; `kwargs` override its defaults."""
    if name not in SOLVERS:
        raise ValueError(f"unknown solver {name!r}; choose one of: {', '.join(solver_names())}")
    spec = SOLVERS[name]
    return spec.cls(num_params, **{**spec.defaults, **kwargs})


# estool train.py's settings, shared by the names below
ANNEALED = dict(sigma_limit=0.02, weight_decay=0.005)
ADAM_STEP = dict(learning_rate=0.01, learning_rate_decay=1.0, learning_rate_limit=0.01)

register("cma", CMAES, "CMA-ES (pycma), full covariance; diagonal=True for large models")
register(
    "pepg",
    PEPG,
    "PEPG with adaptive per-parameter sigma and Adam on the mean",
    sigma_alpha=0.2,
    **ANNEALED,
    **ADAM_STEP,
)
register(
    "ses",
    PEPG,
    "PEPG with elites: the mean moves to the average of the best perturbations",
    sigma_alpha=0.2,
    elite_ratio=0.1,
    **ANNEALED,
)
register("openes", OpenES, "OpenAI-ES: Adam, rank shaping, annealing", **ANNEALED, **ADAM_STEP)
register(
    "ga",
    SimpleGA,
    "simple genetic algorithm: truncation, uniform crossover, mutation",
    elite_ratio=0.1,
    **ANNEALED,
)
