"""The ask/tell interface shared by every solver.

The public `ask` / `tell` do the shared bookkeeping (shape checks, NaN-safe best-so-far tracking,
fitness shaping, weight decay, the generation counter); a solver implements only `_sample` and
`_update` (the template-method layout of evosax's `algorithms/base.py` and pycma's `OOOptimizer`).

Objective convention: every solver maximizes. A solver declares its hyperparameters once, as a
frozen dataclass `Params` (evosax's `Params`, apart from its `State`); the constructor takes them
as keywords. Its state (everything `tell` changes, its random generator included) is listed in
`state_fields`, so that `state_dict()` / `load_state_dict()` give an exact resume.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import sys
from abc import ABC, abstractmethod
from typing import Any, ClassVar, NamedTuple

import numpy as np

from estool.solvers import shaping
from estool.solvers.blas import blas_threads
from estool.solvers.params import SolverParams, require
from estool.solvers.population import GaussianPopulation
from estool.solvers.sampling import fresh_seed, make_rng


class Result(NamedTuple):
    """What `result()` returns; unpacks like estool's 4-tuple."""

    best_params: np.ndarray  # (num_params,) best solution seen (see `forget_best`)
    best_fitness: float  # its raw fitness
    current_fitness: float  # best raw fitness of the last generation told
    sigma: float | np.ndarray  # sampling scale: scalar or per-parameter (num_params,)


def _default(field: dataclasses.Field) -> Any:
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def hyperparameter_names(cls: type[Solver]) -> tuple[str, ...]:
    """The keywords `cls` takes besides `num_params` and `seed`."""
    return tuple(f.name for f in dataclasses.fields(cls.Params))


class Solver(ABC):
    """Base class of the evolution strategies: ask() -> (popsize, num_params); tell(fitness)."""

    Params: ClassVar[type[SolverParams]] = SolverParams
    #: attributes that `tell` / `ask` change, saved by `state_dict` (besides the base ones)
    state_fields: ClassVar[tuple[str, ...]] = ()
    _base_state: ClassVar[tuple[str, ...]] = (
        "rng",
        "generation",
        "best_params",
        "best_fitness",
        "current_fitness",
        "solutions",
    )
    #: BLAS threads for `_update` (None: the caller's); one suits a vector times the population
    update_blas_threads: ClassVar[int | None] = 1

    def __init_subclass__(cls, **kwargs: Any):
        """Show the hyperparameters in the constructor's signature (help(), IDEs)."""
        super().__init_subclass__(**kwargs)
        keyword = inspect.Parameter.KEYWORD_ONLY
        fields = [
            inspect.Parameter(f.name, keyword, default=_default(f), annotation=f.type)
            for f in dataclasses.fields(cls.Params)
        ]
        cls.__signature__ = inspect.Signature(
            [
                inspect.Parameter("num_params", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                *fields,
                inspect.Parameter("seed", keyword, default=None),
            ]
        )

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters: Any):
        """`hyperparameters`: fields of the class's `Params`, each with its default."""
        require(
            isinstance(num_params, (int, np.integer)) and num_params >= 1,
            f"num_params must be a positive integer, got {num_params!r}",
        )
        names = hyperparameter_names(type(self))
        unknown = sorted(set(hyperparameters) - set(names))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} has no hyperparameter {', '.join(unknown)}; "
                f"it takes {', '.join(names)}"
            )
        self.hp = self.Params(**hyperparameters)
        seed = fresh_seed() if seed is None else int(seed)
        self.num_params = int(num_params)
        self.popsize = int(self.hp.popsize)
        self.weight_decay = float(self.hp.weight_decay)
        self.rank_fitness = bool(getattr(self.hp, "rank_fitness", False))
        self.forget_best = bool(getattr(self.hp, "forget_best", False))
        self.seed = seed
        self.rng = make_rng(seed)
        self.generation = 0
        self.best_params: np.ndarray | None = None
        self.best_fitness = -np.inf
        self.current_fitness = -np.inf
        self.solutions: np.ndarray | None = None
        self._spare: np.ndarray | None = None  # the last told population, see `_reusable`

    @property
    def config(self) -> dict[str, Any]:
        """The constructor's keywords (hyperparameters and seed): what rebuilds this solver."""
        return {**dataclasses.asdict(self.hp), "seed": self.seed}

    # ---- the interface -------------------------------------------------------------------------

    def ask(self) -> np.ndarray:
        """Sample a population: float64 array of shape (popsize, num_params)."""
        self.solutions = self._sample()
        return self.solutions

    def tell(self, fitness: Any) -> None:
        """Update from the fitness of the last `ask()`'s solutions, shape (popsize,); maximizes.

        Non-finite values rank last. If every value is non-finite, ValueError and no change.
        """
        if self.solutions is None:
            raise RuntimeError("tell() needs the solutions of a preceding ask()")
        f = np.asarray(fitness, dtype=np.float64)
        require(
            f.shape == (self.popsize,),
            f"expected {self.popsize} fitness values (one per solution), got shape {f.shape}",
        )
        finite = np.isfinite(f)
        require(
            bool(finite.any()),
            "every fitness value is NaN or inf: nothing to learn from; check the evaluation",
        )
        self._track_best(f, finite)
        shaped = shaping.centered_ranks(f) if self.rank_fitness else shaping.worst_for_nonfinite(f)
        shaped -= shaping.l2_penalty(self.weight_decay, self.solutions)
        with blas_threads(self.update_blas_threads):
            self._update(shaped)
        # told: a checkpoint from here on holds no population
        self._spare, self.solutions = self.solutions, None
        self.generation += 1

    def population(self) -> GaussianPopulation | None:
        """The last `ask()`'s solutions as mean, scale and seeds, where the solver samples them
        so (`row_seeds`); otherwise None. Workers rebuild solutions from it."""
        return None

    def result(self) -> Result:
        """(best_params, best_fitness, current_fitness, sigma), unpacking like estool's tuple."""
        return Result(self.best_param(), self.best_fitness, self.current_fitness, self.sigma)

    def best_param(self) -> np.ndarray:
        """Best solution seen so far (the current mean before the first `tell`)."""
        if self.best_params is None:
            return self.current_param()
        return self.best_params.copy()

    def set_mu(self, params: Any) -> None:
        """Move the distribution's center to `params` (e.g. back to the best evaluated solution)."""
        mu = np.asarray(params, dtype=np.float64)
        require(
            mu.shape == (self.num_params,),
            f"set_mu expects {self.num_params} parameters, got shape {mu.shape}",
        )
        require(bool(np.isfinite(mu).all()), "set_mu got NaN or inf parameters")
        self._set_mean(mu.copy())

    def rms_stdev(self) -> float:
        """Root mean square of the per-parameter sampling standard deviation."""
        return float(np.sqrt(np.mean(np.square(self.sigma))))

    # ---- for subclasses ------------------------------------------------------------------------

    def _reusable(self, name: str = "_spare") -> np.ndarray | None:
        """The array in attribute `name` (by default the last told population), to overwrite, if
        nothing outside holds it (a view or a memoryview of it counts); else None. The attribute
        is cleared either way.

        A fresh population-sized array costs a page fault per 4 KiB when first written: at 100k
        parameters and popsize 256, ~50,000 faults, a quarter of a generation here.
        """
        spare = getattr(self, name)
        setattr(self, name, None)
        if spare is not None and sys.getrefcount(spare) == 2:  # `spare` and the call's argument
            return spare
        return None

    @abstractmethod
    def _sample(self) -> np.ndarray:
        """New solutions, (popsize, num_params) float64."""

    @abstractmethod
    def _update(self, shaped: np.ndarray) -> None:
        """Update the state from shaped fitness (popsize,) of `self.solutions` (all finite)."""

    @abstractmethod
    def current_param(self) -> np.ndarray:
        """The distribution's center (num_params,): what gets evaluated and saved."""

    @abstractmethod
    def _set_mean(self, mu: np.ndarray) -> None:
        """Set the distribution's center (validated, a private copy)."""

    @property
    @abstractmethod
    def sigma(self) -> float | np.ndarray:
        """Current sampling standard deviation: scalar or (num_params,)."""

    # ---- state ---------------------------------------------------------------------------------

    def _track_best(self, fitness: np.ndarray, finite: np.ndarray) -> None:
        i = int(np.argmax(np.where(finite, fitness, -np.inf)))
        self.current_fitness = float(fitness[i])
        if self.forget_best or self.best_params is None or fitness[i] > self.best_fitness:
            self.best_fitness = float(fitness[i])
            self.best_params = self.solutions[i].copy()

    def state_dict(self, copy_state: bool = True) -> dict[str, Any]:
        """A deep copy of everything needed to continue exactly: hyperparameters and state.

        `copy_state=False` returns the live objects instead, for a caller that serializes them
        at once (a checkpoint): copying CMA-ES's 2 x n^2 matrices would double its cost.
        """
        fields = {name: getattr(self, name) for name in self._base_state + self.state_fields}
        return {
            "solver": type(self).__name__,
            "num_params": self.num_params,
            "config": dict(self.config),
            # one deepcopy call, so objects shared between fields (the generator) stay shared
            "state": copy.deepcopy(fields) if copy_state else fields,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a `state_dict()` of the same solver class, size and hyperparameters; continues
        the saved stream exactly. The seed is not compared: the state carries the generator, and
        its seed replaces this solver's."""
        require(
            state.get("solver") == type(self).__name__,
            f"state is for solver {state.get('solver')!r}, not {type(self).__name__}",
        )
        require(
            state.get("num_params") == self.num_params,
            f"state has {state.get('num_params')} parameters, this solver {self.num_params}",
        )
        mine, saved = self.config, state["config"]
        changed = sorted(
            k for k in (mine.keys() | saved.keys()) - {"seed"} if mine.get(k) != saved.get(k)
        )
        require(not changed, f"state was made with other hyperparameters: {', '.join(changed)}")
        for name, value in copy.deepcopy(state["state"]).items():
            setattr(self, name, value)
        if saved.get("seed") is not None:
            self.seed = int(saved["seed"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_params={self.num_params}, popsize={self.popsize})"
