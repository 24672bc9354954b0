"""Rollout speed in one process: this project's paths, the raw env loop and the original estool.

    bash ../shared/reference/estool-2017/setup.sh     # once: a runnable copy of the original
    python bench/rollout_speed.py [--reference /tmp/estool-2017] [--games cartpole_swingup pendulum]
                                  [--rounds 5] [--seconds 2]

Every measurement plays a random policy (parameters 0.3 N(0, 1), seed 0) on seeds 0, 1, 2, ...
and runs in this process, on one core (`taskset` pins it where available), in rounds, because this
VM's speed drifts by tens of percent within minutes: within a round this project's measurements
take turns in ten slices each, the ratios are taken within each round, and the table gives medians
over the rounds.

- original: estool's own `simulate()` (its model.py, env.py, custom_envs), run by its venv's
  python in a subprocess, one episode per seed (cartpole_swingup only: it has no Pendulum preset);
- raw env: `env.step` with a constant action on this project's env (no policy);
- forward: the policy's `act` alone on a fixed observation;
- sequential: `PolicyEvaluator.play` one episode at a time (`--no-lockstep`);
- lockstep 16 / 64: the same evaluator with 16 episodes of one solution, and 4 solutions x 16.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ORIGINAL = """
import json, sys, time
import numpy as np
sys.path.insert(0, {folder!r})
import config, model as estool_model
m = estool_model.make_model(config.games["cartpole_swingup"])
m.make_env()
m.set_model_params(0.3 * np.random.default_rng(0).standard_normal(m.param_count))
steps, seed, start = 0, 0, time.perf_counter()
while time.perf_counter() - start < {seconds}:
    _, lengths = estool_model.simulate(
        m, train_mode=True, render_mode=False, num_episode=1, seed=seed
    )
    steps, seed = steps + lengths[0], seed + 1
print(json.dumps(steps / (time.perf_counter() - start)))
"""


def timed(play, seconds: float, start_index: int = 0) -> tuple[int, float, int]:
    """(steps, seconds, calls) of `play(i) -> steps` called with i = start_index, ... for
    `seconds`."""
    steps, i, start = 0, start_index, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += play(i)
        i += 1
    return steps, time.perf_counter() - start, i - start_index


def interleaved(plays: dict, seconds: float, slices: int = 10) -> dict:
    """Steps/s of each `play` over `seconds`, run in `slices` turns that alternate them, so that
    the machine's drift within the round falls on all of them alike."""
    totals = {name: [0, 0.0, 0] for name in plays}
    for _ in range(slices):
        for name, play in plays.items():
            steps, elapsed, calls = timed(play, seconds / slices, totals[name][2])
            totals[name] = [
                totals[name][0] + steps,
                totals[name][1] + elapsed,
                totals[name][2] + calls,
            ]
    return {name: steps / elapsed for name, (steps, elapsed, _) in totals.items()}


def measurements(game: str, seconds: float) -> dict:
    from estool.evaluation.local import PolicyEvaluator
    from estool.evaluation.threads import BlasThreads
    from estool.presets import preset_for
    from models.registry import make_policy

    BlasThreads()  # one BLAS thread, as every rollout rank
    preset = preset_for(game)
    policy = make_policy(preset.policy)
    params = 0.3 * np.random.default_rng(0).standard_normal(policy.param_count)
    policy.set_params(params)
    env = preset.env.make().unwrapped
    action = np.zeros(env.action_space.shape)
    alone = PolicyEvaluator(preset, lockstep=False)
    together = PolicyEvaluator(preset)

    def raw(i):
        env.reset(seed=i)
        for t in range(preset.env.max_episode_steps):
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated or (game == "pendulum" and t == 199):
                return t + 1
        return preset.env.max_episode_steps

    obs = env.reset(seed=0)[0]

    def forward(i):
        for t in range(1000):
            policy.act(obs, t)
        return 1000

    def batch(solutions, episodes):
        def play(i):
            seeds = np.arange(solutions * episodes).reshape(solutions, episodes) + i * 1000
            rows = np.repeat(params[None], solutions, axis=0)
            return int(together.play(rows, seeds, train=False)[1].sum())

        return play

    def sequential(i):
        return int(alone.play(params[None], np.array([[i]]), train=False)[1].sum())

    plays = {
        "raw env": raw,
        "forward": forward,
        "sequential": sequential,
        "lockstep 16": batch(1, 16),
        "lockstep 64": batch(4, 16),
    }
    return interleaved(plays, seconds)


def original_speed(folder: str, seconds: float) -> float:
    python = str(Path(folder) / "venv" / "bin" / "python")
    code = ORIGINAL.format(folder=folder, seconds=seconds)
    out = subprocess.run(pin([python, "-c", code]), capture_output=True, text=True, cwd=folder)
    if out.returncode != 0:
        raise SystemExit(f"the original estool failed in {folder}:\n{out.stderr[-2000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def pin(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", "0", *cmd] if shutil.which("taskset") else cmd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", default="/tmp/estool-2017", help="the original's copy")
    parser.add_argument("--games", nargs="+", default=["cartpole_swingup", "pendulum"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--one", metavar="GAME", help=argparse.SUPPRESS)  # a round's child
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measurements(args.one, args.seconds)))
        return
    has_original = (Path(args.reference) / "venv" / "bin" / "python").exists()
    if not has_original:
        print(
            f"no original estool at {args.reference}: run ../shared/reference/estool-2017/setup.sh"
        )
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for game in args.games:
        rows = []
        for _ in range(args.rounds):
            cmd = pin([sys.executable, __file__, "--one", game, "--seconds", str(args.seconds)])
            row = json.loads(subprocess.run(cmd, capture_output=True, text=True, env=env,
                                            check=True).stdout)  # fmt: skip
            if has_original and game == "cartpole_swingup":
                row["original"] = original_speed(args.reference, args.seconds)
            rows.append(row)
        report(game, rows)


def report(game: str, rows: list[dict]) -> None:
    """Medians over the rounds of steps/s, and of the ratios taken within each round."""
    print(f"\n{game}: steps/s, median of {len(rows)} rounds (ratios within each round)")
    limit = [1 / (1 / r["raw env"] + 1 / r["forward"]) for r in rows]  # env step + forward alone
    print(f"{'path':<14} {'steps/s':>10} {'x original':>11} {'of env+forward':>15}")
    for name in ("original", "raw env", "forward", "sequential", "lockstep 16", "lockstep 64"):
        if name not in rows[0]:
            continue
        speed = np.median([r[name] for r in rows])
        vs_original = (
            f"{np.median([r[name] / r['original'] for r in rows]):.2f}"
            if "original" in rows[0]
            else "-"
        )
        of_limit = np.median([r[name] / lim for r, lim in zip(rows, limit, strict=True)])
        print(f"{name:<14} {speed:>10,.0f} {vs_original:>11} {of_limit:>15.2f}")


if __name__ == "__main__":
    main()
