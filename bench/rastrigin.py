"""Solution quality on estool's notebook problem: 100-D Rastrigin with the optimum moved to x = 10.

    python bench/rastrigin.py [--generations 1000] [--seeds 0 1 2] [--solvers cma pepg openes ga]
                              [--reference PATH/es.py]

Fitness = -(10 N + sum(y^2 - 10 cos(2 pi y))), y = x - 10: the maximum is 0 at x = 10 and a start
at x = 0 scores -10,000. popsize 100; each solver with the settings of estool's
`simple_es_example.ipynb` (`SETTINGS` below). Prints the median over seeds of the best fitness
found. `--reference` runs the original estool's es.py (supplied by the user, not part of this
project) with the same settings and seeds, side by side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

NUM_PARAMS = 100
POPSIZE = 100

SETTINGS = {
    "cma": ("CMAES", dict(sigma_init=0.5, weight_decay=0.0)),
    "pepg": (
        "PEPG",
        dict(
            sigma_init=0.5,
            learning_rate=0.1,
            learning_rate_decay=1.0,
            weight_decay=0.0,
            rank_fitness=False,
            forget_best=False,
        ),
    ),
    "openes": (
        "OpenES",
        dict(
            sigma_init=0.5,
            sigma_decay=0.999,
            learning_rate=0.1,
            learning_rate_decay=1.0,
            antithetic=False,
            weight_decay=0.0,
            rank_fitness=False,
            forget_best=False,
        ),
    ),
    "ga": ("SimpleGA", dict(sigma_init=0.5, elite_ratio=0.1, forget_best=False, weight_decay=0.0)),
}
# this project's class where its name differs from the original's (whose CMAES wraps pycma)
OUR_CLASSES = {"cma": "FullCMAES"}


def rastrigin(x: np.ndarray) -> np.ndarray:
    """Maximized shifted Rastrigin per row of x (popsize, N)."""
    y = x - 10.0
    return -(10.0 * x.shape[1] + np.sum(y * y - 10.0 * np.cos(2.0 * np.pi * y), axis=1))


def build(name: str, seed: int, module):
    cls_name, kwargs = SETTINGS[name]
    if module is None:
        import estool

        cls = getattr(estool, OUR_CLASSES.get(name, cls_name))
        return cls(NUM_PARAMS, popsize=POPSIZE, seed=seed, **kwargs)
    np.random.seed(seed)  # noqa: NPY002 (the original draws from the global generator)
    return getattr(module, cls_name)(NUM_PARAMS, popsize=POPSIZE, **kwargs)


def best_after(solver, generations: int) -> float:
    best = -np.inf
    for _ in range(generations):
        x = np.asarray(solver.ask())
        fitness = rastrigin(x)
        solver.tell(fitness)
        best = max(best, float(fitness.max()))
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--solvers", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--reference", help="path to the original estool es.py, run alongside")
    args = parser.parse_args(argv)
    impls = [("estool", None)]
    if args.reference:
        sys.path.insert(0, str(Path(args.reference).parent))
        impls.append(("original", __import__(Path(args.reference).stem)))
    print(
        f"100-D Rastrigin (optimum 0 at x=10), popsize {POPSIZE}, {args.generations} generations,"
        f" seeds {args.seeds}: best fitness"
    )
    print(
        f"{'solver':<8} {'impl':<9} {'median':>9} {'mean':>9} {'+-se':>6}"
        f" {'worst':>9} {'best':>9} {'s/run':>6}"
    )
    for name in args.solvers:
        for impl, module in impls:
            start = time.perf_counter()
            scores = [best_after(build(name, s, module), args.generations) for s in args.seeds]
            seconds = (time.perf_counter() - start) / len(args.seeds)
            se = np.std(scores, ddof=1) / np.sqrt(len(scores)) if len(scores) > 1 else 0.0
            print(
                f"{name:<8} {impl:<9} {np.median(scores):>9.1f} {np.mean(scores):>9.1f} {se:>6.1f}"
                f" {min(scores):>9.1f} {max(scores):>9.1f} {seconds:>6.1f}"
            )


if __name__ == "__main__":
    main()
