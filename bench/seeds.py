"""Seeds instead of vectors: what the master sends and spends per generation, both paths.

    python bench/seeds.py [--ranks 8 64] [--sizes 100k 1m] [--generations 4]

Each setting trains `sleep_env:sleep_100k` or `sleep_env:sleep_1m` (`bench/sleep_env.py`: a
10 ms episode without the CPU, an MLP of 101,753 or 1,002,993 parameters) with
`-o openes -n RANKS -e 1`, popsize 4 x the ranks that play, under real mpiexec: once sending
every solution's vector (the default) and once with `--row_seeds`, where each worker gets the
mean once a generation and rebuilds its solutions from their seeds. Medians over the generations
after the first: bytes and messages rank 0 sent, rank 0's CPU seconds (ask, tell, files,
serving), and the generation's wall time.
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
sys.path.insert(0, str(ROOT))

from estool.evaluation.mpi import SERVE_ONLY_FROM  # noqa: E402

SIZES = {"100k": "sleep_100k", "1m": "sleep_1m"}


def run(ranks: int, size: str, row_seeds: bool, generations: int) -> dict:
    playing = ranks - (ranks - 1 >= SERVE_ONLY_FROM)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]))
    with tempfile.TemporaryDirectory() as log_dir:
        cmd = [
            sys.executable, str(ROOT / "train.py"), f"sleep_env:{SIZES[size]}", "-o", "openes",
            "-n", str(ranks), "--popsize", str(4 * playing), "--max_generations",
            str(generations), "--eval_steps", str(10**9), "--log_dir", log_dir,
            "--row_seeds" if row_seeds else "--no-row_seeds",
        ]  # fmt: skip
        subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=3600)
        (progress,) = Path(log_dir).glob("*.progress.jsonl")
        rows = [json.loads(line) for line in progress.read_text().splitlines()][1:]
    seconds = np.diff([0.0] + [row["seconds"] for row in rows])
    return dict(
        megabytes=float(np.median([r["bytes_sent"] for r in rows])) / 1e6,
        messages=float(np.median([r["messages"] for r in rows])),
        master_cpu=float(np.median([r["master_cpu_seconds"] for r in rows])),
        generation=float(np.median(seconds[1:])),
        fitness=[r["fitness_mean"] for r in rows],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["100k", "1m"])
    parser.add_argument("--generations", type=int, default=4)
    args = parser.parse_args()
    print(f"{'ranks':>5} {'params':>6} {'path':>7} {'MB/gen':>9} {'messages':>8} "
          f"{'master CPU':>10} {'generation':>10}", flush=True)  # fmt: skip
    for ranks in args.ranks:
        for size in args.sizes:
            for row_seeds in (False, True):
                r = run(ranks, size, row_seeds, args.generations)
                path = "seeds" if row_seeds else "vectors"
                print(f"{ranks:>5} {size:>6} {path:>7} {r['megabytes']:>9.1f} "
                      f"{r['messages']:>8.0f} {r['master_cpu']:>9.3f}s "
                      f"{r['generation']:>9.3f}s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
