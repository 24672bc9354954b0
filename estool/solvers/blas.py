"""How many BLAS threads a solver's update may use.

The updates of OpenAI-ES, PEPG, the GA and sep-CMA-ES multiply a vector by the population,
(popsize,) @ (popsize, n): one pass over memory, little faster on more threads, and the same bits
on any number (OpenBLAS splits the outputs, not the sums). A threaded call, though, leaves
OpenBLAS's helper threads spinning, 2**28 cycles unless `import estool` came before numpy
(estool/evaluation/threads.py), on the cores the next ask's sampling threads need: PEPG at 10,000
parameters took 25 ms a generation after `import numpy; import estool`, 19 ms with these products
on one thread. Full CMA-ES's matrix products are compute-bound and keep the caller's threads.
"""

from __future__ import annotations

import contextlib
from functools import cache

from threadpoolctl import ThreadpoolController


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController().select(user_api="blas")


def blas_threads(limit: int | None):
    """A context in which BLAS uses at most `limit` threads (None: as set outside), ~20 us."""
    if limit is None:
        return contextlib.nullcontext()
    return _blas().limit(limits=limit)
