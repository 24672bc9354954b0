"""The master's own time and the bytes it sends per generation, under real mpiexec.

    python bench/master_overhead.py [--workers 2] [--generations 6] [--popsize 32]

Trains cartpole_swingup policies of about 1,000 and 100,000 parameters (`sized_policies.py`) and
reads each generation's `master_seconds` (ask, tell, logs, checkpoint: everything but waiting for
the workers) and `bytes_sent` from the run's progress file. Evaluations are off; the first
generation is skipped. Rank 0 plays a share of the population itself and sends only the rest:
the vectors sent are counted from the bytes (the task headers, 40 bytes each, add up to less
than one vector), and bytes/param is per parameter of the vectors sent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RUNS = [("1k", "cma"), ("1k", "openes"), ("100k", "openes"), ("100k", "pepg"), ("100k", "ga")]


def progress_rows(game: str, optimizer: str, workers: int, generations: int, popsize: int):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "bench")]))
    with tempfile.TemporaryDirectory() as log_dir:
        cmd = [
            sys.executable, str(ROOT / "train.py"), game, "-o", optimizer, "-n", str(workers),
            "--popsize", str(popsize), "--max_generations", str(generations),
            "--eval_steps", str(10**9), "--log_dir", log_dir, "--cap_time",
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        (progress,) = Path(log_dir).glob("*.progress.jsonl")
        return [json.loads(line) for line in progress.read_text().splitlines()][1:]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--generations", type=int, default=6)
    parser.add_argument("--popsize", type=int, default=32)
    args = parser.parse_args(argv)
    print(f"-n {args.workers}, popsize {args.popsize}; medians over generations 2..")
    print(
        f"{'params':<7} {'-o':<7} {'master ms/gen':>13} {'MB sent/gen':>11}"
        f" {'vectors sent':>12} {'bytes/param':>11}"
    )
    for size, optimizer in RUNS:
        game = f"sized_policies:cartpole_swingup_{size}"
        rows = progress_rows(game, optimizer, args.workers, args.generations, args.popsize)
        master_ms = 1e3 * np.median([r["master_seconds"] for r in rows])
        sent = np.median([r["bytes_sent"] for r in rows])
        num_params = 7 * (143 if size == "1k" else 14286) + 1
        vectors = sent // (8 * num_params)
        per_param = sent / (vectors * num_params)
        print(
            f"{size:<7} {optimizer:<7} {master_ms:>13.1f} {sent / 2**20:>11.2f}"
            f" {f'{vectors:.0f} of {args.popsize}':>12} {per_param:>11.2f}"
        )


if __name__ == "__main__":
    main()
