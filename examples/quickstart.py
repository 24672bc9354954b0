"""The solver API in one page: evolve 100-D Rastrigin (optimum moved to x = 10) with each solver.

python examples/quickstart.py [--generations 500]
"""

import argparse

import numpy as np

import estool


def rastrigin(x: np.ndarray) -> np.ndarray:
    """Maximized, shifted Rastrigin per row of x (popsize, num_params); optimum 0 at x = 10."""
    y = x - 10.0
    return -(10.0 * x.shape[1] + np.sum(y * y - 10.0 * np.cos(2.0 * np.pi * y), axis=1))


# the registry holds estool train.py's settings (for RL policies); a larger step suits this problem
OVERRIDES = {"openes": dict(learning_rate=0.1), "pepg": dict(learning_rate=0.1)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=500)
    args = parser.parse_args(argv)
    for name in estool.solver_names():
        solver = estool.make_solver(
            name,
            num_params=100,
            sigma_init=0.5,
            popsize=100,
            weight_decay=0.0,
            seed=0,
            **OVERRIDES.get(name, {}),
        )
        for _ in range(args.generations):
            solutions = solver.ask()  # (popsize, num_params)
            solver.tell(rastrigin(solutions))  # fitness (popsize,), maximized
        result = solver.result()  # (best_params, best_fitness, current_fitness, sigma)
        print(
            f"{name:<7} best {result.best_fitness:9.1f}"
            f"  last generation {result.current_fitness:9.1f}"
            f"  rms sigma {solver.rms_stdev():.3f}  (start -10000, optimum 0)"
        )


if __name__ == "__main__":
    main()
