"""CMA-ES: Hansen & Ostermeier 2001, "Completely Derandomized Self-Adaptation in Evolution
Strategies" (Evolutionary Computation 9(2)); a wrapper of pycma (`cma` package), as estool's.

Full covariance by default; `diagonal=True` uses pycma's separable mode (Ros & Hansen 2008), linear
in num_params, for large models. pycma samples from this solver's own generator (its `randn`
option), never from numpy's global state, and writes no files. Its full-covariance update runs
in batches here (`BatchedFullSampler`).
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from typing import Any

import numpy as np

from estool.solvers.base import Solver
from estool.solvers.fullcma import require_full_covariance_fits
from estool.solvers.params import SolverParams, require
from estool.solvers.sampling import standard_normal


def _cma():
    """pycma, imported on first use: with the matplotlib it pulls in, 0.9 s and 30 MB that a
    rollout rank never needs (256 of them start 4 CPU-minutes sooner)."""
    with warnings.catch_warnings():  # pycma warns when matplotlib is absent; plotting unused
        warnings.simplefilter("ignore")
        import cma
    return cma


class GeneratorRandn:
    """pycma's `randn(lam, N)` option, drawn from a `np.random.Generator` (picklable)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def __call__(self, *shape: int) -> np.ndarray:
        if len(shape) == 1:
            return self.rng.standard_normal(shape[0])
        return standard_normal(self.rng, shape)


@functools.cache
def _batched_full_sampler() -> type:
    """`BatchedFullSampler`, made when pycma is first needed."""
    cma = _cma()

    class BatchedFullSampler(cma.sampler.GaussFullSampler):
        """pycma's full-covariance sampler, with its covariance update done in one pass.

        Active CMA-ES (Jastrebski & Arnold 2006; Hansen 2016, "The CMA Evolution Strategy: A
        Tutorial", arXiv:1604.00772) rescales each negatively weighted step y to the length sqrt(n)
        in the norm of C. pycma computes that norm step by step, each a matrix-vector product over
        the n x n eigenbasis B; here the steps (k, n) meet B in one matrix product. The arithmetic
        is pycma's; only the rounding of the norms differs.
        """

        def update(self, vectors, weights, c1_times_delta_hsigma=0) -> None:
            """C <- (1 + c1_times_delta_hsigma - sum(w)) C + sum_i w_i y_i y_i^T; vectors (m, n)."""
            weights = np.array(weights, dtype=np.float64)
            vectors = np.asarray(vectors, dtype=np.float64)
            self.C *= 1 + c1_times_delta_hsigma - sum(weights)
            negative = np.flatnonzero(weights < 0)
            if negative.size:
                norms = np.sqrt(np.sum((vectors[negative] @ self.B / self.D) ** 2, axis=1))
                if not np.all(np.isfinite(norms)):
                    raise FloatingPointError("CMA-ES: a step has a non-finite Mahalanobis norm")
                weights[negative] *= vectors.shape[1] / (norms + 1e-9) ** 2
            self.C += np.dot(weights * vectors.T, vectors)
            self.count_tell += 1

    # pickled checkpoints name it estool.solvers.cmaes.BatchedFullSampler (`__getattr__`)
    BatchedFullSampler.__module__, BatchedFullSampler.__qualname__ = __name__, "BatchedFullSampler"
    return BatchedFullSampler


def __getattr__(name: str):
    """The module's lazy attribute (PEP 562): pickle finds the sampler class by this name."""
    if name == "BatchedFullSampler":
        return _batched_full_sampler()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class CMAES(Solver):
    """CMA-ES through pycma; minimizes -fitness internally."""

    update_blas_threads = None  # matrix products: compute-bound, the caller's threads

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Params(SolverParams):
        popsize: int = 255
        diagonal: bool = False  # sep-CMA-ES: a diagonal covariance, linear in num_params
        cma_options: dict[str, Any] = dataclasses.field(default_factory=dict)  # pycma's own

        def __post_init__(self):
            super().__post_init__()
            require(self.popsize >= 3, f"CMA-ES needs a popsize of at least 3, got {self.popsize}")

    state_fields = ("es",)

    def __init__(self, num_params: int, *, seed: int | None = None, **hyperparameters: Any):
        super().__init__(num_params, seed=seed, **hyperparameters)
        if not self.hp.diagonal:
            require_full_covariance_fits(self.num_params)
        options = {
            "popsize": self.popsize,
            "CMA_diagonal": bool(self.hp.diagonal),
            "CMA_mirrors": 0,  # pycma's mirroring draws from numpy's global generator
            "randn": GeneratorRandn(self.rng),
            "seed": np.nan,  # never touch numpy's global seed
            "verbose": -9,
            "verb_disp": 0,
            "verb_log": 0,  # no outcmaes/ files
            **self.hp.cma_options,
        }
        x0 = np.zeros(self.num_params)
        cma = _cma()
        self.es = cma.CMAEvolutionStrategy(x0, float(self.hp.sigma_init), options)
        if type(self.es.sm) is cma.sampler.GaussFullSampler:
            # the same state, a faster update; pycma's `CMA_sampler` option would build the
            # sampler without its own set-up of the negative weights
            self.es.sm.__class__ = _batched_full_sampler()

    @property
    def sigma(self) -> np.ndarray:
        return np.asarray(self.es.stds, dtype=np.float64).copy()

    def current_param(self) -> np.ndarray:
        return np.array(self.es.mean, dtype=np.float64)

    def _set_mean(self, mu: np.ndarray) -> None:
        self.es.mean = mu

    def _sample(self) -> np.ndarray:
        return np.array(self.es.ask(), dtype=np.float64)

    def _update(self, shaped: np.ndarray) -> None:
        self.es.tell(list(self.solutions), (-shaped).tolist())
