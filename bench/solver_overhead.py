"""Per-generation overhead of each solver: ask + tell wall time and peak memory.

    python bench/solver_overhead.py [--sizes 100 1000 10000 100000] [--reference PATH/es.py]

popsize 256; the fitness is a cheap sphere so that only the solver is timed. Each (solver, size)
runs in a fresh process: memory is the growth of the process's peak RSS over its RSS after
imports. Full-covariance CMA-ES (the native one, and pycma's beside it) runs up to 10,000
parameters, diagonal CMA-ES (the native sep-CMA-ES, and pycma's separable mode beside it) from
10,000 up.
`--reference` also times the original estool's es.py (a file the user supplies; it is not part
of this project) with the same settings, to measure the two side by side.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

POPSIZE = 256
SOLVERS = ("cma", "cma-pycma", "cma-diag", "cma-diag-pycma", "pepg", "ses", "openes", "ga")
REFERENCE_CLASSES = {"cma": "CMAES", "pepg": "PEPG", "openes": "OpenES", "ga": "SimpleGA"}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def build(name: str, num_params: int, reference: str | None):
    if reference:
        sys.path.insert(0, str(Path(reference).parent))
        module = __import__(Path(reference).stem)
        np.random.seed(0)  # noqa: NPY002 (the original uses the global generator)
        return getattr(module, REFERENCE_CLASSES[name])(num_params, popsize=POPSIZE)
    import estool

    if name == "cma-diag":  # the native sep-CMA-ES
        return estool.make_solver("cma", num_params, popsize=POPSIZE, diagonal=True, seed=0)
    if name == "cma-pycma":  # pycma's CMA-ES, what -o cma was before
        return estool.CMAES(num_params, popsize=POPSIZE, seed=0)
    if name == "cma-diag-pycma":  # pycma's separable mode, what --diagonal was before
        return estool.CMAES(num_params, popsize=POPSIZE, diagonal=True, seed=0)
    return estool.make_solver(name, num_params, popsize=POPSIZE, seed=0)


def measure(name: str, num_params: int, generations: int, reference: str | None) -> dict:
    """Median seconds per ask+tell over `generations` (after one warm-up) and peak memory."""
    if reference is None:
        import estool  # noqa: F401  (imports count in the baseline, not in the solver's memory)
    else:
        import cma  # noqa: F401
    base = rss_mb()
    solver = build(name, num_params, reference)
    times = []
    for _ in range(generations + 1):
        start = time.perf_counter()
        x = solver.ask()
        solver.tell(-np.einsum("ij,ij->i", x, x))
        del x  # the next ask() may not count this population as memory
        times.append(time.perf_counter() - start)
    return {"seconds": float(np.median(times[1:])), "peak_mb": rss_mb() - base}


def generations_for(name: str, num_params: int) -> int:
    if name in ("cma", "cma-pycma") and num_params >= 10_000:
        return 3
    return 20 if num_params <= 10_000 else 5


def runs(sizes: list[int], reference: str | None):
    for num_params in sizes:
        for name in SOLVERS:
            if name in ("cma", "cma-pycma") and num_params > 10_000:
                continue
            if name.startswith("cma-diag") and num_params < 10_000:
                continue
            yield name, num_params, None
            if (
                reference
                and name in REFERENCE_CLASSES
                and not (name == "cma" and num_params > 1_000)
            ):
                yield name, num_params, reference


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000])
    parser.add_argument("--reference", help="path to the original estool es.py, timed alongside")
    parser.add_argument("--one", nargs=3, metavar=("SOLVER", "N", "REF"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        name, n, ref = args.one
        ref = None if ref == "-" else ref
        print(json.dumps(measure(name, int(n), generations_for(name, int(n)), ref)))
        return
    print(f"popsize {POPSIZE}; ask+tell per generation (median), peak memory over imports")
    print(f"{'solver':<15} {'impl':<8} {'num_params':>10} {'ms/gen':>10} {'peak MB':>9}")
    for name, n, ref in runs(args.sizes, args.reference):
        cmd = [sys.executable, __file__, "--one", name, str(n), ref or "-"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        impl = "original" if ref else "estool"
        print(f"{name:<15} {impl:<8} {n:>10} {row['seconds'] * 1e3:>10.1f} {row['peak_mb']:>9.0f}")


if __name__ == "__main__":
    main()
