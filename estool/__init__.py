"""estool: distributed evolution strategies over MPI."""

from estool.solvers import (
    CMAES,
    PEPG,
    OpenES,
    Result,
    SimpleGA,
    Solver,
    load_solver,
    make_solver,
    save_solver,
    solver_names,
)

__version__ = "0.1.0"

__all__ = [
    "CMAES",
    "PEPG",
    "OpenES",
    "Result",
    "SimpleGA",
    "Solver",
    "load_solver",
    "make_solver",
    "save_solver",
    "solver_names",
]
