"""Does the master keep many ranks busy? Training on episodes that take a set time without the CPU.

    python bench/scale.py [--ranks 16 64 128 256] [--ms 10 50 200] [--episodes 1 16]
                          [--steps 10] [--generations 4] [--optimizer openes]

Each setting runs `train.py sleep_env:SleepXms-v0 -n RANKS -e E` under real mpiexec
(`bench/sleep_env.py`: episodes of `--steps` steps, 10 or 1, each a sleep), popsize 4 x RANKS
at `-e 1` and RANKS at `-e 16`, so that every rank plays 4 or 16 episodes a generation. On this
machine's 2 cores the ranks sleep instead of computing, so up to 256 of them behave as on 256
cores, except for what the ranks do besides sleeping (Python, MPI, waking up), which here shares
2 cores.

For the generations after the first:
- efficiency: episodes per second over the ideal, RANKS x the episodes per second of one rank
  (`-n 1`, measured in the same way: a sleep overshoots its time);
- master CPU: rank 0's CPU seconds over the wall-clock seconds (its `master_cpu_seconds`: ask,
  tell, files, serving the workers and its own episodes' Python);
- messages: what rank 0 sent and received per generation (task headers, vectors, results).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estool.evaluation.mpi import SERVE_ONLY_FROM  # noqa: E402


def run(ranks: int, ms: int, episodes: int, steps: int, generations: int, optimizer: str) -> dict:
    playing = ranks - (ranks - 1 >= SERVE_ONLY_FROM)  # rank 0 plays below that many workers
    popsize = max(2, playing * (4 if episodes == 1 else 1))  # OpenES takes 2 at least
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]))
    game = f"sleep_env:Sleep{ms}ms{'Once' if steps == 1 else ''}-v0"
    with tempfile.TemporaryDirectory() as log_dir:
        cmd = [
            sys.executable, str(ROOT / "train.py"), game, "-o", optimizer,
            "-n", str(ranks), "--popsize", str(popsize), "-e", str(episodes),
            "--max_generations", str(generations), "--eval_steps", str(10**9),
            "--log_dir", log_dir,
        ]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env, timeout=3600)
        total = time.perf_counter() - start
        (progress,) = Path(log_dir).glob("*.progress.jsonl")
        rows = [json.loads(line) for line in progress.read_text().splitlines()]
    seconds = np.diff([row["seconds"] for row in rows])  # generations 2..G
    later = rows[1:]
    return dict(
        rate=popsize * episodes * len(later) / seconds.sum(),  # episodes a second
        master_cpu=sum(r["master_cpu_seconds"] for r in later) / seconds.sum(),
        messages=float(np.mean([r["messages"] for r in later])),
        generation=float(np.mean(seconds)),
        start=total - rows[-1]["seconds"],  # launch, imports, MPI set-up
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ranks", type=int, nargs="+", default=[16, 64, 128, 256])
    parser.add_argument("--ms", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--episodes", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--steps", type=int, choices=(1, 10), default=10, help="an episode's")
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--optimizer", default="openes")
    args = parser.parse_args()
    print(f"{'ranks':>5} {'episode':>8} {'-e':>3} {'efficiency':>10} {'master CPU':>10} "
          f"{'messages/gen':>12} {'generation':>10} {'start-up':>8}", flush=True)  # fmt: skip
    one_rank = {}  # (ms, episodes): one rank's episodes a second
    for ranks in args.ranks:
        for ms in args.ms:
            for episodes in args.episodes:
                if (ms, episodes) not in one_rank:
                    alone = run(1, ms, episodes, args.steps, args.generations, args.optimizer)
                    one_rank[ms, episodes] = alone["rate"]
                r = run(ranks, ms, episodes, args.steps, args.generations, args.optimizer)
                efficiency = r["rate"] / (ranks * one_rank[ms, episodes])
                print(f"{ranks:>5} {ms:>6}ms {episodes:>3} {efficiency:>10.3f} "
                      f"{r['master_cpu']:>10.3f} {r['messages']:>12.0f} "
                      f"{r['generation']:>9.2f}s {r['start']:>7.0f}s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
