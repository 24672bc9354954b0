"""estool: distributed evolution strategies over MPI."""

from estool.evaluation.threads import shorten_blas_spin

shorten_blas_spin()  # before anything imports numpy

from estool.solvers import (  # noqa: E402
    CMAES,
    PEPG,
    SOLVERS,
    FullCMAES,
    OpenES,
    Result,
    SepCMAES,
    SimpleGA,
    Solver,
    SolverParams,
    load_solver,
    make_solver,
    save_solver,
    solver_names,
    takes,
)

__version__ = "0.1.0"

__all__ = [
    "CMAES",
    "PEPG",
    "SOLVERS",
    "FullCMAES",
    "OpenES",
    "Result",
    "SepCMAES",
    "SimpleGA",
    "Solver",
    "SolverParams",
    "load_solver",
    "make_solver",
    "save_solver",
    "solver_names",
    "takes",
]
