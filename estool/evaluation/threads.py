"""BLAS threads: every rank's rollouts on one, rank 0's ask and tell on `--solver_threads`.

How many threads share a BLAS call changes its rounding: CMA-ES on `lunar`'s 850 parameters
drifted from generation 21 on between 1 and 2 threads. A plain process starts numpy with a thread
per core and the `mpiexec` ranks start with one, so `-n 1` and `-n 2` gave different runs. The
solver now runs on the same number of threads whatever `-n` is. While rank 0 asks and tells, the
other ranks wait for it, so their cores are free: 2 threads cut biped's CMA-ES tell (2,804
parameters, popsize 32) from 130 to 70 ms.

After a threaded call, OpenBLAS's helper threads spin for 2**28 cycles (0.13 s here) before they
sleep: a core taken from the rollouts after every tell. Two CMA-ES runs side by side on cartpole
played at 0.66 of twice one alone. `OPENBLAS_THREAD_TIMEOUT` shortens the spin, and OpenBLAS reads
it once, when numpy loads it: `estool/__init__.py` sets it first thing.
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
