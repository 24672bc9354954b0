"""Solution quality of the native CMA-ES forms beside pycma's, on the same budgets.

    python bench/cma_quality.py [--form diagonal|full] [--seeds 0 1 ... 9]
                                [--problems sphere rosenbrock rastrigin ellipsoid]

`--form diagonal` (the default): the native sep-CMA-ES beside pycma's separable mode; `--form full`:
the native full-covariance CMA-ES (Cholesky factor) beside pycma's CMA-ES. Both maximize -f from
x = 0 with sigma_init 0.5 and no weight decay; each problem's dimension, popsize and generations
are in `PROBLEMS`. The Rastrigin problem is `bench/rastrigin.py`'s (100-D, optimum at x = 10,
popsize 100); the ellipsoid is rotated (condition 1e6), where only a full covariance learns the
axes. Prints, per problem and solver, the median, worst and best over the seeds of the lowest f
found (lower is better; 0 is the optimum of all of them), the median generation at which f
first fell below 1e-8 ('-' where half the seeds or more never did) and seconds per run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import estool
from bench.rastrigin import rastrigin


def shifted_sphere(x: np.ndarray) -> np.ndarray:
    """-sum((x - 3)^2) per row of x (popsize, n)."""
    y = x - 3.0
    return -np.einsum("ij,ij->i", y, y)


def rosenbrock(x: np.ndarray) -> np.ndarray:
    """-sum(100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2) per row: optimum 0 at x = 1."""
    head, tail = x[:, :-1], x[:, 1:]
    return -np.sum(100.0 * (tail - head**2) ** 2 + (1.0 - head) ** 2, axis=1)


def rotated_ellipsoid(x: np.ndarray) -> np.ndarray:
    """-sum(10^(6 i / (n - 1)) y_i^2), y = R (x - 1) for a fixed random rotation R: optimum 0."""
    n = x.shape[1]
    rotation = np.linalg.qr(np.random.default_rng(12345).standard_normal((n, n)))[0]
    y = (x - 1.0) @ rotation.T
    return -(y * y) @ 10.0 ** (6.0 * np.arange(n) / (n - 1))


class Problem(NamedTuple):
    fitness: Callable[[np.ndarray], np.ndarray]
    num_params: int
    popsize: int
    generations: int


PROBLEMS = {
    "sphere": Problem(shifted_sphere, 100, 16, 400),
    "rosenbrock": Problem(rosenbrock, 30, 16, 2500),
    "rastrigin": Problem(rastrigin, 100, 100, 1000),
    "ellipsoid": Problem(rotated_ellipsoid, 30, 16, 2500),
}
IMPLEMENTATIONS = {
    "diagonal": {
        "native": estool.SepCMAES,
        "pycma": lambda n, **kw: estool.CMAES(n, diagonal=True, **kw),
    },
    "full": {"native": estool.FullCMAES, "pycma": estool.CMAES},
}


TARGET = 1e-8


def lowest_f(problem: Problem, form: str, impl: str, seed: int) -> tuple[float, float]:
    """(the lowest f found, the generation it first fell below TARGET: inf if never)."""
    solver = IMPLEMENTATIONS[form][impl](
        problem.num_params, popsize=problem.popsize, sigma_init=0.5, weight_decay=0.0, seed=seed
    )
    best, reached = -np.inf, np.inf
    for generation in range(problem.generations):
        fitness = problem.fitness(solver.ask())
        solver.tell(fitness)
        best = max(best, float(fitness.max()))
        if reached == np.inf and -best < TARGET:
            reached = generation + 1
    return -best, reached


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form", choices=sorted(IMPLEMENTATIONS), default="diagonal")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--problems", nargs="+", choices=sorted(PROBLEMS), default=list(PROBLEMS))
    args = parser.parse_args(argv)
    print(f"{args.form} covariance: lowest f found (0 is the optimum), over seeds {args.seeds}")
    header = f"{'problem':<11} {'n':>4} {'pop':>4} {'gens':>5} {'solver':<7}"
    print(f"{header} {'median':>10} {'worst':>10} {'best':>10} {'to 1e-8':>8} {'s/run':>6}")
    for name in args.problems:
        problem = PROBLEMS[name]
        for impl in IMPLEMENTATIONS[args.form]:
            start = time.perf_counter()
            runs = [lowest_f(problem, args.form, impl, seed) for seed in args.seeds]
            seconds = (time.perf_counter() - start) / len(args.seeds)
            scores = [f for f, _ in runs]
            reached = np.median([generation for _, generation in runs])
            reached = "-" if reached == np.inf else f"{reached:.0f}"
            print(
                f"{name:<11} {problem.num_params:>4} {problem.popsize:>4} "
                f"{problem.generations:>5} {impl:<7} {np.median(scores):>10.3g} "
                f"{max(scores):>10.3g} {min(scores):>10.3g} {reached:>8} {seconds:>6.2f}"
            )


if __name__ == "__main__":
    main()
