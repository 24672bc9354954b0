"""Framework efficiency of MPI training: how close the workers run to a bare rollout loop.

    python bench/train_efficiency.py [--games cartpole_swingup biped] [--workers 2]
                                     [--generations 12] [--popsize 32]

efficiency = (env steps per second while training with N workers)
             / (N x env steps per second of one process running the same policy and env alone).
Training throughput counts every generation after the first (workers build their envs then) and
includes the master's ask/tell, logging and checkpoint; evaluations are switched off. The table
also shows the master's own time and the bytes it sent per generation.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estool.evaluate import PolicyEvaluator  # noqa: E402
from estool.games import game_for, make_policy  # noqa: E402
from estool.seeding import episode_seeds  # noqa: E402


def single_process_rate(game_name: str, popsize: int, seconds: float = 5.0) -> float:
    """Env steps per second of one process evaluating initial-distribution policies."""
    game = game_for(game_name)
    evaluator = PolicyEvaluator(game)
    rng = np.random.default_rng(0)
    num_params = make_policy(game).param_count
    steps = elapsed = 0.0
    generation = 0
    while elapsed < seconds:
        params = 0.1 * rng.standard_normal((popsize, num_params))
        seeds = episode_seeds(0, generation, popsize, 1)
        start = time.perf_counter()
        _, lengths = evaluator.evaluate(params, seeds)
        elapsed += time.perf_counter() - start
        steps += lengths.sum()
        generation += 1
    return steps / elapsed


def training_rows(
    game: str, optimizer: str, workers: int, generations: int, popsize: int
) -> list[dict]:
    with tempfile.TemporaryDirectory() as log_dir:
        cmd = [
            sys.executable, str(ROOT / "train.py"), game, "-o", optimizer, "-n", str(workers),
            "--popsize", str(popsize), "--max_generations", str(generations),
            "--eval_steps", str(10**9), "--log_dir", log_dir,
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        (progress,) = Path(log_dir).glob("*.progress.jsonl")
        return [json.loads(line) for line in progress.read_text().splitlines()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", default=["cartpole_swingup", "biped"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generations", type=int, default=12)
    parser.add_argument("--popsize", type=int, default=32)
    parser.add_argument("--optimizers", nargs="+", default=["cma", "openes"])
    args = parser.parse_args(argv)
    print(
        f"{'game':<18} {'-o':<7} {'1-proc steps/s':>14} {'-n':>3} {'train steps/s':>13}"
        f" {'efficiency':>10} {'master ms/gen':>13} {'KB sent/gen':>11}"
    )
    for game, optimizer in itertools.product(args.games, args.optimizers):
        alone = single_process_rate(game, args.popsize)
        rows = training_rows(game, optimizer, args.workers, args.generations, args.popsize)[1:]
        rate = sum(r["env_steps"] for r in rows) / sum(
            r["env_steps"] / r["env_steps_per_second"] for r in rows
        )
        master_ms = 1e3 * np.mean([r["master_seconds"] for r in rows])
        sent_kb = np.mean([r["bytes_sent"] for r in rows]) / 1024
        print(
            f"{game:<18} {optimizer:<7} {alone:>14.0f} {args.workers:>3} {rate:>13.0f}"
            f" {rate / (args.workers * alone):>10.2f} {master_ms:>13.2f} {sent_kb:>11.1f}"
        )


if __name__ == "__main__":
    main()
