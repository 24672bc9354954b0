"""Training throughput beside the original estool, same flags, same machine, in one run.

    bash ../shared/reference/estool-2017/setup.sh     # once: a runnable copy of the original
    python bench/train_vs_original.py [--reference /tmp/estool-2017] [--seconds 20] [--rounds 1]
                                      [--only cartpole_swingup]

For each setting, `train.py GAME -o openes -n N -t T -e E` runs for `--seconds` (evaluations off),
then the original's `train.py` with the same flags. Env steps per second count every generation
after the first: this project's from its `.progress.jsonl`, the original's from the generation lines
it prints (mean episode length x popsize x E), timed as they arrive. The original starts N + 1
processes for `-n N` (a master that only waits); this project starts N. `original 1-proc` is the
original's `simulate()` in one process (`bench/rollout_speed.py`), the yardstick of the issue's
one-process targets. Rounds alternate the two, as this VM's speed drifts.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from rollout_speed import original_speed  # noqa: E402

# (game, -n, -t, -e); the original has no Pendulum preset
SETTINGS = [
    ("cartpole_swingup", 1, 16, 1),
    ("cartpole_swingup", 1, 4, 16),
    ("cartpole_swingup", 2, 8, 1),
    ("cartpole_swingup", 2, 32, 1),
    ("cartpole_swingup", 2, 8, 16),
    ("cartpole_swingup", 2, 32, 16),
    ("pendulum", 2, 8, 1),
    ("pendulum", 2, 8, 16),
    ("biped", 2, 8, 1),
    ("biped", 2, 4, 16),
]


def ours(game: str, n: int, t: int, e: int, seconds: float, extra: tuple = ()) -> float:
    with tempfile.TemporaryDirectory() as log_dir:
        cmd = [sys.executable, str(ROOT / "train.py"), game, "-o", "openes", "-n", str(n)]
        cmd += ["-t", str(t), "-e", str(e), "--eval_steps", str(10**9), "--log_dir", log_dir]
        cmd += list(extra)
        process = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(seconds)
        os.killpg(process.pid, signal.SIGTERM)  # checkpoints the generation, then stops
        process.wait(timeout=120)
        (progress,) = Path(log_dir).glob("*.progress.jsonl")
        rows = [json.loads(line) for line in progress.read_text().splitlines()][1:]
    if len(rows) < 2:
        return float("nan")
    steps = sum(row["env_steps"] for row in rows[1:])
    return steps / (rows[-1]["time"] - rows[0]["time"])


def original(folder: str, game: str, n: int, t: int, e: int, seconds: float) -> float:
    python = str(Path(folder) / "venv" / "bin" / "python")
    cmd = [python, "train.py", game, "-o", "openes", "-n", str(n), "-t", str(t), "-e", str(e)]
    cmd += ["--eval_steps", str(10**9)]
    env = dict(os.environ, PATH=f"{Path(python).parent}{os.pathsep}{os.environ['PATH']}")
    process = subprocess.Popen(
        cmd, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True,
    )  # fmt: skip
    arrivals = []  # (seconds, env steps of that generation)
    deadline = time.monotonic() + seconds
    for line in process.stdout:
        if line.startswith(f"('{game}', ("):
            row = ast.literal_eval(line)[1]
            arrivals.append((time.monotonic(), (row[7] - 1.0) * n * t * e))
        if time.monotonic() > deadline:
            break
    os.killpg(process.pid, signal.SIGKILL)  # it runs until killed
    process.wait()
    if len(arrivals) < 3:
        return float("nan")
    arrivals = arrivals[1:]  # the first generation builds the envs
    return sum(steps for _, steps in arrivals[1:]) / (arrivals[-1][0] - arrivals[0][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", default="/tmp/estool-2017", help="the original's copy")
    parser.add_argument("--seconds", type=float, default=20.0, help="per training run")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", nargs="+", help="games to run (default: all)")
    parser.add_argument(
        "--settings", nargs="+", metavar="GAME:N:T:E", help="settings to run instead of the table's"
    )
    parser.add_argument(
        "--ours", default="", help="more flags for this project's runs, e.g. '--no-lockstep'"
    )
    args = parser.parse_args()
    if not (Path(args.reference) / "venv" / "bin" / "python").exists():
        raise SystemExit(f"no original estool at {args.reference}: run its setup.sh first")
    settings = SETTINGS
    if args.settings:
        settings = [
            (g, int(n), int(t), int(e)) for g, n, t, e in (s.split(":") for s in args.settings)
        ]
    print("x orig 1-proc: ours / the original's simulate() in one process, measured next to it")
    print(f"{'game':<17} {'-n':>2} {'-t':>3} {'-e':>3} {'ours':>9} {'original':>9} {'ratio':>6}"
          f" {'orig 1-proc':>11} {'x orig 1-proc':>13}")  # fmt: skip
    for game, n, t, e in settings:
        if args.only and game not in args.only:
            continue
        rows = []  # (ours, original, original in one process)
        for _ in range(args.rounds):
            swingup = game == "cartpole_swingup"
            before = original_speed(args.reference, 3.0) if swingup else float("nan")
            mine = ours(game, n, t, e, args.seconds, tuple(args.ours.split()))
            # the yardstick just before and just after: this VM's speed drifts within a minute
            after = original_speed(args.reference, 3.0) if swingup else float("nan")
            one_process = (before + after) / 2
            theirs = (
                original(args.reference, game, n, t, e, args.seconds)
                if game != "pendulum"
                else float("nan")
            )
            rows.append((mine, theirs, one_process))
        mine, theirs, one_process = np.median(rows, axis=0)
        ratio = np.median([r[0] / r[1] for r in rows])
        vs_one = np.median([r[0] / r[2] for r in rows])
        one_text = f"{one_process:,.0f}" if np.isfinite(one_process) else "-"
        vs_one = f"{vs_one:.2f}" if np.isfinite(vs_one) else "-"
        print(f"{game:<17} {n:>2} {t:>3} {e:>3} {mine:>9,.0f} {theirs:>9,.0f} {ratio:>6.2f}"
              f" {one_text:>11} {vs_one:>13}")  # fmt: skip


if __name__ == "__main__":
    main()
