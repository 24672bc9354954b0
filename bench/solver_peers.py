"""Per-generation time of each solver family beside evosax and EvoTorch, in the same run.

    python bench/solver_peers.py [--sizes 1000 10000 100000] [--rounds 3]
                                 [--peers-python PATH/TO/python]

ask + a sphere + tell per generation, popsize 256; the median over a few generations after
warm-up (jax's compilation included in the warm-up), then the median of `--rounds` rounds that
alternate the three implementations. Every measurement runs in a fresh process. evosax and
EvoTorch are not dependencies of this project: `--peers-python` names an interpreter that has
them (e.g. a venv with `pip install evosax==0.3.2 evotorch==0.6.1 torch==2.13.0`); a row whose
library does not import says so. This project computes in float64, evosax (jax) and EvoTorch
(torch) in float32, as their defaults.

The peers' counterparts: sep-CMA-ES -> Sep_CMA_ES / CMAES(separable=True); CMA-ES -> CMA_ES /
CMAES (at 1,000 parameters only); OpenAI-ES, with mirrored sampling as evosax's default ->
Open_ES / (none); PEPG -> PGPE / PGPE; ses (mean of the elite) -> SimpleES / CEM; GA ->
SimpleGA / GeneticAlgorithm with Gaussian mutation. Each peer with its default settings.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POPSIZE = 256
IMPLS = ("estool", "evosax", "evotorch")
FAMILIES = ("cma-diag", "cma", "openes", "pepg", "ses", "ga")
MISSING = {("openes", "evotorch")}  # EvoTorch has no OpenAI-ES


def generations_for(family: str, n: int) -> int:
    """Enough generations that a median of a few-ms generation is steady on a drifting VM."""
    if family == "cma" and n >= 10_000:
        return 2
    return 10 if n >= 100_000 else 30 if n >= 10_000 else 100


def sizes_for(family: str, sizes: list[int]) -> list[int]:
    """Full CMA-ES (O(n^2) memory, an n x n eigendecomposition) only up to 1,000 parameters."""
    return [n for n in sizes if family != "cma" or n <= 1_000]


def timed(step, generations: int, warmup: int = 5) -> float:
    """Median seconds of `step()` over `generations`, after `warmup` calls."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(generations):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def estool_step(family: str, n: int):
    sys.path.insert(0, str(ROOT))
    import estool

    # OpenAI-ES samples mirrored pairs, as evosax's Open_ES does by default
    extra = {"cma-diag": {"diagonal": True}, "openes": {"antithetic": True}}.get(family, {})
    name = "cma" if family == "cma-diag" else family
    solver = estool.make_solver(name, n, popsize=POPSIZE, seed=0, **extra)

    def step():
        x = solver.ask()
        solver.tell(-np.einsum("ij,ij->i", x, x))
        del x  # let go of the population, as a training loop does

    return step


def evosax_step(family: str, n: int):
    import jax
    import jax.numpy as jnp
    from evosax import algorithms as ea

    cls = {
        "cma-diag": ea.Sep_CMA_ES,
        "cma": ea.CMA_ES,
        "openes": ea.Open_ES,
        "pepg": ea.PGPE,
        "ses": ea.SimpleES,
        "ga": ea.SimpleGA,
    }[family]
    es = cls(population_size=POPSIZE, solution=jnp.zeros(n))
    params = es.default_params
    key = jax.random.key(0)
    if family == "ga":
        population = jax.random.normal(key, (POPSIZE, n))
        state = es.init(key, population, jnp.sum(population**2, axis=1), params)
    else:
        state = es.init(key, jnp.zeros(n), params)
    carry = {"state": state, "key": key}

    def step():
        key, ask_key, tell_key = jax.random.split(carry["key"], 3)
        population, state = es.ask(ask_key, carry["state"], params)
        fitness = jnp.sum(population**2, axis=1)
        state, _ = es.tell(tell_key, population, fitness, state, params)
        jax.block_until_ready(state)
        carry.update(state=state, key=key)

    return step


def evotorch_step(family: str, n: int):
    import torch
    from evotorch import Problem
    from evotorch import algorithms as ta
    from evotorch.operators import GaussianMutation

    problem = Problem(
        "min",
        lambda x: torch.sum(x * x, dim=-1),
        solution_length=n,
        initial_bounds=(-1.0, 1.0),
        vectorized=True,
    )
    searcher = {
        "cma-diag": lambda: ta.CMAES(problem, stdev_init=0.1, popsize=POPSIZE, separable=True),
        "cma": lambda: ta.CMAES(problem, stdev_init=0.1, popsize=POPSIZE),
        "pepg": lambda: ta.PGPE(
            problem,
            popsize=POPSIZE,
            center_learning_rate=0.01,
            stdev_learning_rate=0.1,
            stdev_init=0.1,
        ),
        "ses": lambda: ta.CEM(problem, popsize=POPSIZE, parenthood_ratio=0.1, stdev_init=0.1),
        "ga": lambda: ta.GeneticAlgorithm(
            problem, operators=[GaussianMutation(problem, stdev=0.1)], popsize=POPSIZE
        ),
    }[family]()
    return searcher.step


STEPS = {"estool": estool_step, "evosax": evosax_step, "evotorch": evotorch_step}


def measure_one(impl: str, family: str, n: int) -> dict:
    if (family, impl) in MISSING:
        return {"error": "none"}
    try:
        step = STEPS[impl](family, n)
    except ImportError as error:
        return {"error": f"not installed ({error.name})"}
    return {"seconds": timed(step, generations_for(family, n))}


def run_row(python: str, impl: str, family: str, n: int) -> dict:
    cmd = [python, __file__, "--one", impl, family, str(n)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1][:60]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def cell(results: list[dict]) -> str:
    times = [r["seconds"] for r in results if "seconds" in r]
    if not times:
        return results[0].get("error", "-") if results else "-"
    return f"{np.median(times) * 1e3:.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--families", nargs="+", choices=FAMILIES, default=list(FAMILIES))
    parser.add_argument("--peers-python", default=sys.executable)
    parser.add_argument("--one", nargs=3, metavar=("IMPL", "FAMILY", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        impl, family, n = args.one
        print(json.dumps(measure_one(impl, family, int(n))))
        return
    print(f"popsize {POPSIZE}; ms per ask + sphere + tell, median of {args.rounds} rounds")
    print("(this project float64; evosax and EvoTorch float32)")
    print(f"{'family':<9} {'n':>7} {'estool':>9} {'evosax':>9} {'evotorch':>9} {'ratio':>6}")
    for family in args.families:
        for n in sizes_for(family, args.sizes):
            results: dict[str, list[dict]] = {impl: [] for impl in IMPLS}
            for _ in range(args.rounds):
                for impl in IMPLS:
                    if (family, impl) in MISSING:
                        continue
                    python = sys.executable if impl == "estool" else args.peers_python
                    results[impl].append(run_row(python, impl, family, n))
            cells = {impl: cell(results[impl]) for impl in IMPLS}
            peers = [float(cells[i]) for i in IMPLS[1:] if cells[i].replace(".", "").isdigit()]
            ours = cells["estool"]
            ratio = f"{float(ours) / min(peers):.2f}" if peers and ours[0].isdigit() else "-"
            print(
                f"{family:<9} {n:>7} {ours:>9} {cells['evosax']:>9} {cells['evotorch']:>9}"
                f" {ratio:>6}"
            )


if __name__ == "__main__":
    main()
