"""Choosing the backend: in this process, or on MPI ranks (relaunching under `mpiexec` first).

`-n N` with N > 1 outside mpiexec replaces this process by `mpiexec -n N python ARGV...`; under
mpiexec, the world's ranks are used as they are. Backends are `module:function` entries, each
`start(make_evaluator, num_params) -> Backend | None`, so another backend is a new module and a
line here.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path

BACKENDS = {
    "local": "estool.evaluation.launch:start_local",
    "mpi": "estool.evaluation.mpi:start",
}


def mpi_size() -> int:
    """The world size if this process was started by mpiexec (without importing mpi4py)."""
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE"):
        if var in os.environ:
            return int(os.environ[var])
    return 1


def mpi_rank() -> int:
    """This process's rank if it was started by mpiexec, else 0 (without importing mpi4py)."""
    for var in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK"):
        if var in os.environ:
            return int(os.environ[var])
    return 0


def find_mpiexec() -> str:
    """`mpiexec` beside this Python (the mpich wheel's), else on PATH."""
    beside = Path(sys.executable).with_name("mpiexec")
    if beside.exists():
        return str(beside)
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if not found:
        raise FileNotFoundError("no mpiexec found: pip install mpich (or load your cluster's MPI)")
    return found


def relaunch(num_ranks: int, argv: list[str]) -> None:
    """Replace this process by `mpiexec -n num_ranks python argv...` (one thread per rank)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [find_mpiexec(), "-n", str(num_ranks), sys.executable, "-u", *argv]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)


def start_local(make_evaluator, num_params: int):
    """The in-process backend: `make_evaluator()` itself."""
    return make_evaluator()


def start_backend(num_worker: int, make_evaluator, num_params: int):
    """The evaluation backend of this process, or None on an MPI worker rank done serving.

    `make_evaluator()` builds a `local.PolicyEvaluator`: the in-process backend, and every
    rank's player under MPI. `num_worker > 1` outside mpiexec relaunches this process's command
    line (`sys.argv`) with `num_worker` ranks: this call does not return then. Errors making the
    evaluator (a ValueError for an env that cannot be made) come from this process first.
    """
    if num_worker > 1 and mpi_size() == 1:
        # built once here first: an env that cannot be made is one error, not one per rank
        make_evaluator().close()
        relaunch(num_worker, sys.argv)
    module, _, function = BACKENDS["mpi" if mpi_size() > 1 else "local"].partition(":")
    return getattr(importlib.import_module(module), function)(make_evaluator, num_params)
