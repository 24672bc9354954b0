"""Generations and wall time for cartpole_swingup with CMA-ES to reach a mean evaluation of 800.

    python bench/time_to_score.py [--workers 2] [--popsize 32] [--target 800] [--seeds 0 1 2]

Runs `train.py cartpole_swingup -o cma` with evaluations (16 fixed seeds) every 10 generations and
`--target_fitness`; reports the generation and the wall time at which the evaluation first
reached the target.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(seed: int, workers: int, popsize: int, target: float, limit: int) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as log_dir:
        cmd = [
            sys.executable, str(ROOT / "train.py"), "cartpole_swingup", "-o", "cma",
            "-n", str(workers), "--popsize", str(popsize), "-s", str(seed), "--eval_steps", "10",
            "--target_fitness", str(target), "--max_generations", str(limit), "--log_dir", log_dir,
        ]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - start
        (log,) = Path(log_dir).glob("*.log.json")
        evals = json.loads(log.read_text())
        reached = [g for g, score, _ in evals if score >= target]
        return (reached[0] if reached else -1), wall


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--popsize", type=int, default=32)
    parser.add_argument("--target", type=float, default=800.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--max_generations", type=int, default=1000)
    args = parser.parse_args(argv)
    print(
        f"cartpole_swingup, cma, -n {args.workers}, popsize {args.popsize}, eval >= {args.target}"
    )
    print(f"{'seed':>4} {'generations':>11} {'wall s':>8}")
    for seed in args.seeds:
        generations, wall = run(seed, args.workers, args.popsize, args.target, args.max_generations)
        shown = generations if generations > 0 else f">{args.max_generations}"
        print(f"{seed:>4} {shown:>11} {wall:>8.1f}")


if __name__ == "__main__":
    main()
