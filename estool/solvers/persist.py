"""Save and restore a solver's whole state (hyperparameters, distribution, optimizer moments,
random generator) to one file, written atomically, so that a run resumes exactly."""

from __future__ import annotations

import os
import pickle
from typing import Any

from estool.fileio import atomic_write_bytes
from estool.solvers.base import Solver
from estool.solvers.params import require
from estool.solvers.registry import solver_classes

# a state names its class (several registry names can share one, e.g. pepg and ses)
SOLVER_CLASSES: dict[str, type[Solver]] = solver_classes()


def solver_from_state(state: dict[str, Any]) -> Solver:
    """A new solver built from a `state_dict()`: same hyperparameters, same state."""
    name = state.get("solver")
    require(name in SOLVER_CLASSES, f"not a solver state (solver={name!r})")
    solver = SOLVER_CLASSES[name](state["num_params"], **state["config"])
    solver.load_state_dict(state)
    return solver


def save_solver(solver: Solver, path: str | os.PathLike) -> None:
    """Pickle `solver.state_dict()` to `path` atomically."""
    state = solver.state_dict(copy_state=False)  # pickled at once: no copy needed
    atomic_write_bytes(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def load_solver(path: str | os.PathLike) -> Solver:
    """Restore a solver saved by `save_solver` (a trusted file: it is a pickle)."""
    with open(path, "rb") as f:
        return solver_from_state(pickle.load(f))
