"""Evolution-strategy solvers behind one ask/tell interface (all maximize)."""

from estool.solvers.base import Result, Solver
from estool.solvers.cmaes import CMAES
from estool.solvers.fullcma import FullCMAES
from estool.solvers.ga import SimpleGA
from estool.solvers.openes import OpenES
from estool.solvers.params import SolverParams
from estool.solvers.pepg import PEPG
from estool.solvers.persist import load_solver, save_solver, solver_from_state
from estool.solvers.registry import SOLVERS, make_solver, register, solver_names, takes
from estool.solvers.sepcma import SepCMAES

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
    "register",
    "save_solver",
    "solver_from_state",
    "solver_names",
    "takes",
]
