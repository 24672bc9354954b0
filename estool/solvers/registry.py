"""Solvers by name: the names of estool's `train.py -o` flag, with the settings estool's train.py
gives each (its sigma_init / sigma_decay / popsize / antithetic come from the command line).

A registry, not an if/elif chain: `register` raises on a duplicate name; `make_solver` on an
unknown one, listing the known names.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from estool.solvers.base import Solver, hyperparameter_names
from estool.solvers.cmaes import CMAES
from estool.solvers.fullcma import FullCMAES
from estool.solvers.ga import SimpleGA
from estool.solvers.openes import OpenES
from estool.solvers.pepg import PEPG
from estool.solvers.sepcma import SepCMAES


class SolverSpec(NamedTuple):
    cls: type[Solver]
    defaults: dict[str, Any]  # keyword overrides of the class defaults
    summary: str
    diagonal: type[Solver] | None = None  # the class that `diagonal=True` builds instead


# classes no name builds any more, whose checkpoints still resume: pycma's CMA-ES (`-o cma` and
# `--diagonal` before the native ones)
FORMER_CLASSES: tuple[type[Solver], ...] = (CMAES,)


def solver_classes() -> dict[str, type[Solver]]:
    """Every registered class by its name (the name a `state_dict()` records)."""
    classes = [c for spec in SOLVERS.values() for c in (spec.cls, spec.diagonal) if c]
    return {cls.__name__: cls for cls in (*classes, *FORMER_CLASSES)}


SOLVERS: dict[str, SolverSpec] = {}


def register(
    name: str,
    cls: type[Solver],
    summary: str,
    diagonal: type[Solver] | None = None,
    **defaults: Any,
) -> None:
    """Add a solver under `name`, with keyword defaults that override the class's; `diagonal`:
    the class that `make_solver(name, n, diagonal=True)` builds."""
    if name in SOLVERS:
        raise ValueError(f"solver name {name!r} is already registered")
    SOLVERS[name] = SolverSpec(cls, defaults, summary, diagonal)


def solver_names() -> list[str]:
    return sorted(SOLVERS)


def takes(name: str, hyperparameter: str) -> bool:
    """Whether the solver registered as `name` has `hyperparameter` (e.g. a training flag's);
    `diagonal` where the name has a diagonal class."""
    spec = SOLVERS[name]
    if hyperparameter == "diagonal":
        return spec.diagonal is not None
    return hyperparameter in hyperparameter_names(spec.cls)


def make_solver(name: str, num_params: int, **kwargs: Any) -> Solver:
    """Build the solver registered as `name`; `kwargs` override its defaults."""
    if name not in SOLVERS:
        raise ValueError(f"unknown solver {name!r}; choose one of: {', '.join(solver_names())}")
    spec = SOLVERS[name]
    kwargs = {**spec.defaults, **kwargs}
    if spec.diagonal is not None and kwargs.pop("diagonal", False):
        return spec.diagonal(num_params, **kwargs)
    return spec.cls(num_params, **kwargs)


# estool train.py's settings, shared by the names below
ANNEALED = dict(sigma_limit=0.02, weight_decay=0.005)
ADAM_STEP = dict(learning_rate=0.01, learning_rate_decay=1.0, learning_rate_limit=0.01)

register(
    "cma",
    FullCMAES,
    "CMA-ES, full covariance through a Cholesky factor; diagonal=True: sep-CMA-ES, for large "
    "models",
    diagonal=SepCMAES,
)
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
