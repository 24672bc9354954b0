"""Env families: steps/s of the raw env, of this project's rollout and of training, and the scores
of estool's zoo files here beside the scores estool recorded.

    python bench/env_families.py speed [--presets bullet_ant ...] [--seconds 10]
    python bench/env_families.py zoo [--zoo ../shared/reference/estool-2017/zoo] [--episodes 100]
                                     [--results bench/zoo_scores.json] [--only bullet_ant ...]

speed: per preset, in one process, a raw `env.step` loop with random actions, then
`PolicyEvaluator.play` one episode at a time with a random policy (parameters 0.1 N(0, 1)); then
`train.py PRESET -o openes -n 2 -t 4 -e 1` for `--seconds`, steps/s from its progress rows (every
generation after the first).

zoo: each zoo file whose parameter count fits its preset plays `--episodes` episodes through
`model.py PRESET FILE --norender -n 2` (seeds 0, 1, ...); the table gives mean ± std beside the
score in the file (the best evaluation estool saved with it) or the one its README recorded. Each
file's result is saved in `--results` as it comes, and a rerun skips the files already there (the
whole zoo takes hours: Racecar plays 30 steps a second).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SPEED_PRESETS = [
    "bullet_ant", "bullet_cartpole", "bullet_kuka_grasping", "bullet_minitaur", "bullet_racecar",
    "mujoco_ant", "mujoco_half_cheetah", "doom_takecover", "carracing", "carracing_fast",
    "airstriker",
]  # fmt: skip
# zoo file (relative to the zoo folder) -> preset; estool's README scores where the file has none
ZOO = {
    "bullet_ant.256.v1.json": "bullet_ant",
    "bullet_ant.256.v2.json": "bullet_ant",
    "bullet_ant_tiny/bullet_ant.cma.4.96.best.json": "bullet_ant_tiny",
    "bullet_ant_deterministic/bullet_ant.cma.4.96.best.json": "bullet_ant_deterministic",
    "bullet_ant_custom/bullet_ant_custom.cma.4.96.best.json": "bullet_ant_custom",
    "robo_ant.json": "robo_ant",
    "bullet_racecar.cma.1.32.best.json": "bullet_racecar",
    "bullet_minitaur.64.json": "bullet_minitaur",
    "bullet_minitaur_stoc.256.json": "bullet_minitaur_stoc",
    "bullet_minitaur_duck.cma.256.json": "bullet_minitaur_duck",
    "bullet_minitaur_duck_stoc.cma.256.json": "bullet_minitaur_duck_stoc",
    "bullet_minitaur_duck_stoc.cma.256.v2.json": "bullet_minitaur_duck_stoc",
    "bullet_minitaur_ball.cma.256.json": "bullet_minitaur_ball",
    "bullet_minitaur_ball.cma.1024.json": "bullet_minitaur_ball_stoc",  # 4,304: noisy layers
    "bullet_kuka_grasping.cma.16.256.json": "bullet_kuka_grasping",
    "bullet_kuka_grasping_stoc.cma.16.256.best.json": "bullet_kuka_grasping_stoc",
    "bullet_kuka_grasping_stoc.cma.64.64.best.json": "bullet_kuka_grasping_stoc",
}
MEAN_LINE = re.compile(r"^mean (-?[\d.]+) ± ([\d.]+) over (\d+) episodes?", re.M)


def rate(play, seconds: float) -> float:
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += play()
    return steps / (time.perf_counter() - start)


def one_process(name: str, seconds: float) -> tuple[float, float]:
    """(raw env steps/s, rollout steps/s) of preset `name` in this process."""
    from estool.evaluation.local import PolicyEvaluator
    from estool.presets import preset_for

    preset = preset_for(name)
    evaluator = PolicyEvaluator(preset)
    env = evaluator.env
    env.action_space.seed(0)
    seeds = iter(range(10**9))

    def raw():
        env.reset(seed=next(seeds))
        for t in range(preset.env.max_episode_steps):
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            if terminated or truncated:
                return t + 1
        return preset.env.max_episode_steps

    params = 0.1 * np.random.default_rng(0).standard_normal(evaluator.policy.param_count)

    def rollout():
        return int(evaluator.play(params[None], np.array([[next(seeds)]]), train=False)[1].sum())

    speeds = rate(raw, seconds), rate(rollout, seconds)
    evaluator.close()  # retro: one emulator per process
    return speeds


def training(name: str, seconds: float) -> float:
    with tempfile.TemporaryDirectory() as log_dir:
        cmd = [sys.executable, str(ROOT / "train.py"), name, "-o", "openes", "-n", "2", "-t", "4"]
        cmd += ["-e", "1", "--eval_steps", str(10**9), "--log_dir", log_dir]
        process = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(seconds)
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=300)
        rows = [json.loads(line) for p in Path(log_dir).glob("*.progress.jsonl")
                for line in p.read_text().splitlines()][1:]  # fmt: skip
    if len(rows) < 2:
        return float("nan")
    return sum(r["env_steps"] for r in rows[1:]) / (rows[-1]["time"] - rows[0]["time"])


def speed(args) -> None:
    print(f"{'preset':<22} {'raw env':>9} {'rollout':>9} {'train -n 2':>11}  steps/s")
    for name in args.presets:
        raw, rollout = one_process(name, args.seconds)
        trained = training(name, max(args.seconds * 3, 20))
        print(f"{name:<22} {raw:>9,.0f} {rollout:>9,.0f} {trained:>11,.0f}", flush=True)


def recorded_score(path: Path) -> float | None:
    data = json.loads(path.read_text())
    return float(data[1]) if len(data) > 1 else None


def zoo(args) -> None:
    from estool.presets import preset_for
    from models.registry import make_policy

    results_path = Path(args.results)
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    for relative, name in ZOO.items():
        if args.only and name not in args.only:
            continue
        path = Path(args.zoo) / relative
        count = len(json.loads(path.read_text())[0])
        expected = make_policy(preset_for(name).policy).param_count
        if count != expected:
            results[relative] = {"preset": name, "error": f"{count} parameters, {expected} wanted"}
        elif relative not in results or results[relative].get("episodes") != args.episodes:
            cmd = [sys.executable, str(ROOT / "model.py"), name, str(path), "--norender"]
            cmd += ["-n", "2", "-e", str(args.episodes)]
            out = subprocess.run(cmd, capture_output=True, text=True)
            found = MEAN_LINE.search(out.stdout)
            if found is None:
                results[relative] = {"preset": name, "error": out.stderr.strip()[-300:]}
            else:
                mean, std, episodes = float(found[1]), float(found[2]), int(found[3])
                results[relative] = dict(
                    preset=name,
                    mean=mean,
                    std=std,
                    episodes=episodes,
                    recorded=recorded_score(path),
                )
        results_path.write_text(json.dumps(results, indent=1))  # after each file: resumable
        row = results[relative]
        shown = row.get("error") or (
            f"{row['mean']:9.1f} ± {row['std']:7.1f} ({row['episodes']})   recorded "
            + ("-" if row["recorded"] is None else f"{row['recorded']:.1f}")
        )
        print(f"{relative:<52} {name:<26} {shown}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("speed")
    p.add_argument("--presets", nargs="+", default=SPEED_PRESETS)
    p.add_argument("--seconds", type=float, default=10.0)
    z = sub.add_parser("zoo")
    z.add_argument(
        "--zoo", default=str(ROOT.parent / "shared" / "reference" / "estool-2017" / "zoo")
    )
    z.add_argument("--episodes", type=int, default=100)
    z.add_argument("--results", default=str(ROOT / "bench" / "zoo_scores.json"))
    z.add_argument("--only", nargs="+", help="presets to score (default: every zoo file)")
    args = parser.parse_args()
    speed(args) if args.command == "speed" else zoo(args)


if __name__ == "__main__":
    main()
