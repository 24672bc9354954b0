"""Framework efficiency of MPI training: how close N workers come to N bare rollout loops.

    python bench/train_efficiency.py [--games cartpole_swingup biped] [--workers 2]
                                     [--generations 20] [--popsize 32] [--optimizers cma openes]
                                     [--episodes 1]

efficiency = (env steps per second of `train.py -n N`)
             / (N x env steps per second of one process playing the very same episodes).
The baseline is the same command with `-n 1`: seeds make its population and episodes identical,
and its rate counts rollout time only (ask, tell and files excluded), so it is the bare speed of
this policy on this env. It runs before and after the MPI run and is averaged, since a shared
VM's speed drifts by 10% within minutes. Training throughput counts every generation after the
first (workers build their envs then) and includes everything the master does: ask, tell, logs
and checkpoint. Evaluations are off. Also shown: the workers' utilization (the share of the
training time they spent in rollouts), the master's time and the bytes it sent per generation.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def training_rows(
    game: str, optimizer: str, workers: int, generations: int, popsize: int, episodes: int
) -> list[dict]:
    """Progress rows of a real `train.py` run, without its first generation."""
    with tempfile.TemporaryDirectory() as log_dir:
        cmd = [
            sys.executable, str(ROOT / "train.py"), game, "-o", optimizer, "-n", str(workers),
            "--popsize", str(popsize), "-e", str(episodes), "--max_generations", str(generations),
            "--eval_steps", str(10**9), "--log_dir", log_dir,
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        (progress,) = Path(log_dir).glob("*.progress.jsonl")
        return [json.loads(line) for line in progress.read_text().splitlines()][1:]


def seconds(rows: list[dict]) -> float:
    return sum(r["env_steps"] / r["env_steps_per_second"] for r in rows)


def rollout_rate(rows: list[dict]) -> float:
    """Env steps per second of rollouts alone, from a `-n 1` run's rows."""
    return sum(r["env_steps"] for r in rows) / (
        seconds(rows) - sum(r["master_seconds"] for r in rows)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", nargs="+", default=["cartpole_swingup", "biped"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generations", type=int, default=20)
    parser.add_argument("--popsize", type=int, default=32)
    parser.add_argument("--optimizers", nargs="+", default=["cma", "openes"])
    parser.add_argument("--episodes", type=int, default=1, help="-e: episodes per solution")
    args = parser.parse_args(argv)
    print(
        f"{'game':<18} {'-o':<7} {'-e':>3} {'1-proc steps/s':>14} {'-n':>3} {'train steps/s':>13}"
        f" {'efficiency':>10} {'utilization':>11} {'master ms/gen':>13} {'KB sent/gen':>11}"
    )
    for game, optimizer in itertools.product(args.games, args.optimizers):
        size = (args.generations, args.popsize, args.episodes)
        before = rollout_rate(training_rows(game, optimizer, 1, *size))
        rows = training_rows(game, optimizer, args.workers, *size)
        alone = (before + rollout_rate(training_rows(game, optimizer, 1, *size))) / 2
        rate = sum(r["env_steps"] for r in rows) / seconds(rows)
        utilization = sum(r["worker_seconds"] for r in rows) / (args.workers * seconds(rows))
        master_ms = 1e3 * np.mean([r["master_seconds"] for r in rows])
        sent_kb = np.mean([r["bytes_sent"] for r in rows]) / 1024
        print(
            f"{game:<18} {optimizer:<7} {args.episodes:>3} {alone:>14.0f} {args.workers:>3} {rate:>13.0f}"
            f" {rate / (args.workers * alone):>10.2f} {utilization:>11.2f} {master_ms:>13.2f}"
            f" {sent_kb:>11.1f}"
        )


if __name__ == "__main__":
    main()
