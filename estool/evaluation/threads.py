"""BLAS threads: every rank's rollouts on one, rank 0's ask and tell on `--solver_threads`.

How many threads share a BLAS call changes its rounding, so the solver runs on the same number of
threads whatever `-n` is (a plain process would start with one per core, mpiexec ranks with one),
and the same command gives the same run on any worker count. While rank 0 asks and tells, the
other ranks wait for it, so their cores are free for the solver's threads.

After a threaded call, OpenBLAS's helper threads spin for 2**28 cycles before they sleep: a core
taken from the rollouts after every tell. `OPENBLAS_THREAD_TIMEOUT` shortens the spin; OpenBLAS
reads it once, when numpy loads it, so `estool/__init__.py` sets it first thing. Measurements:
docs/design.md.
"""

from __future__ import annotations

import os

from threadpoolctl import ThreadpoolController

# 2**20 cycles: half a millisecond, enough to bridge the BLAS calls within one tell
SPIN_CYCLES_LOG2 = "20"


def shorten_blas_spin() -> None:
    """Let OpenBLAS threads sleep soon after a call (a user's own setting is kept); must run
    before numpy is first imported."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", SPIN_CYCLES_LOG2)


def default_solver_threads() -> int:
    """min(4, this machine's cores): the same on every rank of a machine, whatever `-n` is."""
    return min(4, os.cpu_count() or 1)


class BlasThreads:
    """Limits numpy's BLAS (OpenBLAS, MKL) to one thread, except within `solver()`."""

    def __init__(self, solver_threads: int = 1):
        self.controller = ThreadpoolController()
        self.controller.limit(limits=1)  # from now on, for the rest of the process
        self.solver_threads = solver_threads

    def solver(self):
        """A context in which BLAS calls use `solver_threads` threads (one again after it)."""
        return self.controller.limit(limits=self.solver_threads)
