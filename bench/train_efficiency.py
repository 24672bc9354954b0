"""Framework efficiency of MPI training: how close N workers come to N bare rollout loops.

    python bench/train_efficiency.py [--games cartpole_swingup biped] [--workers 2]
                                     [--generations 20] [--popsize 32] [--optimizers cma openes]
                                     [--episodes 1]

efficiency = (env steps per second of `train.py -n N`)
             / (N x env steps per second of one process playing the very same episodes).
The baseline is the same command with `-n 1`: seeds make its population and episodes identical,
and its rate counts rollout time only (ask, tell and files excluded), so it is the bare speed of
this policy on this env. Training throughput counts every generation after the first (workers
build their envs then) and includes everything the master does: ask, tell, logs and checkpoint.
Evaluations are off. Also shown:
- ceiling: N baseline runs side by side, their summed rate while all of them run / (N x one
  alone): what the machine gives N processes with no framework at all (shared caches, memory
  bandwidth, the hypervisor);
- of ceiling: efficiency / ceiling, the framework's own share;
- utilization: the share of the training time the workers spent in rollouts;
- the master's time (ask, tell, files) and the bytes it sent per generation.
A shared VM's speed drifts by 10-40% within minutes, so the MPI run and the side-by-side runs are
each compared with the `-n 1` runs just before and just after them: the runs go
`-n 1, MPI, -n 1, side by side, -n 1, MPI, ...`, `--repeats` MPI runs in all. The table shows the
median and the range.
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


def start_training(
    log_dir: str,
    game: str,
    optimizer: str,
    workers: int,
    generations: int,
    popsize: int,
    episodes: int,
) -> subprocess.Popen:
    """A real `train.py` run writing under `log_dir` (evaluations off)."""
    cmd = [
        sys.executable, str(ROOT / "train.py"), game, "-o", optimizer, "-n", str(workers),
        "--popsize", str(popsize), "-e", str(episodes), "--max_generations", str(generations),
        "--eval_steps", str(10**9), "--log_dir", log_dir,
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen, log_dir: str) -> list[dict]:
    """The run's progress rows, without its first generation (workers build their envs then)."""
    _, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{process.args} failed:\n{err.decode()}")
    (progress,) = Path(log_dir).glob("*.progress.jsonl")
    return [json.loads(line) for line in progress.read_text().splitlines()][1:]


def training_rows(*args) -> list[dict]:
    """Progress rows of one `train.py` run (see `start_training` for the arguments)."""
    with tempfile.TemporaryDirectory() as log_dir:
        return finish(start_training(log_dir, *args), log_dir)


def side_by_side_rate(count: int, *args) -> float:
    """Summed env steps per second of `count` concurrent `-n 1` runs: what the machine allows.

    Counted only while all of them run: one that starts late or ends early would otherwise have
    the machine to itself for a while and lift the sum.
    """
    with tempfile.TemporaryDirectory() as root:
        dirs = [str(Path(root) / str(i)) for i in range(count)]
        runs = [start_training(d, *args) for d in dirs]
        rows = [finish(run, d) for run, d in zip(runs, dirs, strict=True)]
    start = max(r[0]["time"] for r in rows)  # every run has played a generation
    end = min(r[-1]["time"] for r in rows)  # and none has finished
    return sum(overlap_rate(r, start, end) for r in rows)


def overlap_rate(rows: list[dict], start: float, end: float) -> float:
    """Env steps per second of the generations that ended in (start, end]."""
    inside = [i for i, r in enumerate(rows) if start < r["time"] <= end]
    if not inside:
        raise RuntimeError("the side-by-side runs barely overlapped: raise --generations")
    first, last = inside[0], inside[-1]
    steps = sum(r["env_steps"] for r in rows[first : last + 1])
    return steps / (rows[last]["time"] - rows[first - 1]["time"])


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
    parser.add_argument("--repeats", type=int, default=3, help="MPI runs, each with its baselines")
    parser.add_argument("--raw", help="append each row's per-run figures to this JSON-lines file")
    args = parser.parse_args(argv)
    n = args.workers
    print(
        f"{'game':<17} {'-o':<6} {'-e':>2} {'1-proc steps/s':>14} {'-n':>2} {'train steps/s':>13}"
        f" {'efficiency (range)':>18} {'ceiling (range)':>15} {'of ceiling':>10}"
        f" {'utilization':>11} {'master ms/gen':>13} {'KB sent/gen':>11}"
    )
    for game, optimizer in itertools.product(args.games, args.optimizers):
        run = (game, optimizer)
        size = (args.generations, args.popsize, args.episodes)
        alone = [rollout_rate(training_rows(*run, 1, *size))]
        efficiency, ceiling, of_ceiling, rates = [], [], [], []
        utilization, master_ms, sent_kb = [], [], []
        for _ in range(args.repeats):
            rows = training_rows(*run, n, *size)
            alone.append(rollout_rate(training_rows(*run, 1, *size)))
            rates.append(sum(r["env_steps"] for r in rows) / seconds(rows))
            efficiency.append(rates[-1] / (n * np.mean(alone[-2:])))  # N at the neighbours' speed
            pair = side_by_side_rate(n, *run, 1, *size)
            alone.append(rollout_rate(training_rows(*run, 1, *size)))
            ceiling.append(pair / (n * np.mean(alone[-2:])))
            of_ceiling.append(efficiency[-1] / ceiling[-1])
            utilization.append(sum(r["worker_seconds"] for r in rows) / (n * seconds(rows)))
            master_ms.append(1e3 * np.mean([r["master_seconds"] for r in rows]))
            sent_kb.append(np.mean([r["bytes_sent"] for r in rows]) / 1024)
        print(
            f"{game:<17} {optimizer:<6} {args.episodes:>2} {np.mean(alone):>14.0f} {n:>2}"
            f" {np.median(rates):>13.0f} {spread(efficiency):>18} {spread(ceiling):>15}"
            f" {np.median(of_ceiling):>10.2f} {np.median(utilization):>11.2f}"
            f" {np.median(master_ms):>13.2f} {np.median(sent_kb):>11.1f}"
        )
        if args.raw:  # to pool several passes
            row = dict(game=game, optimizer=optimizer, workers=n, popsize=args.popsize,
                       episodes=args.episodes, generations=args.generations, alone=alone,
                       efficiency=efficiency, ceiling=ceiling, utilization=utilization)  # fmt: skip
            with open(args.raw, "a") as f:
                f.write(json.dumps(row) + "\n")


def spread(values: list[float]) -> str:
    """The median and the range, as `0.90 (0.85-0.93)`."""
    return f"{np.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


if __name__ == "__main__":
    main()
