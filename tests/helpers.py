"""What the end-to-end tests share: running the commands as subprocesses, reading run files,
and skipping a test whose extra is not installed (never in CI: `.ci/run` fails on a skip)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent

# the module each preset's extra installs
EXTRA_MODULES = {
    "biped": "Box2D",
    "bipedhard": "Box2D",
    "biped_estool": "Box2D",
    "lunar": "Box2D",
    "carracing": "Box2D",
    "carracing_fast": "Box2D",
    "slimevolley": "slimevolleygym",
    "doom_takecover": "vizdoom",
    "airstriker": "stable_retro",
}
# and each family's, by the preset's prefix
EXTRA_PREFIXES = {
    "bullet_": "pybullet",
    "robo_": "pybullet",
    "mujoco_": "mujoco",
    "sonic": "stable_retro",
}


def needs_extra_of(preset: str) -> None:
    """Skip the calling test when the extra that `preset` needs is not installed."""
    module = EXTRA_MODULES.get(preset) or next(
        (m for prefix, m in EXTRA_PREFIXES.items() if preset.startswith(prefix)), None
    )
    if module is not None:
        pytest.importorskip(module)


def command_env() -> dict:
    """The test's environment, with the checkout and tests/ (fault-injecting envs) importable."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))


def run_command(
    script: str, *args, check=True, timeout=300, cwd=None
) -> subprocess.CompletedProcess:
    """`python SCRIPT ARGS...` (train.py, model.py, or `-m estool.plot`): CompletedProcess."""
    cmd = [sys.executable, *script.split(), *map(str, args)]
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=command_env(), cwd=cwd or ROOT
    )
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


def train(log_dir, *args, check=True, timeout=300) -> subprocess.CompletedProcess:
    """`train.py ARGS... --log_dir LOG_DIR`."""
    return run_command(
        str(ROOT / "train.py"), *args, "--log_dir", log_dir, check=check, timeout=timeout
    )


def start_training(log_dir, *args) -> subprocess.Popen:
    """`train.py` in the background, in its own session (to kill the whole MPI job)."""
    cmd = [sys.executable, str(ROOT / "train.py"), *map(str, args), "--log_dir", str(log_dir)]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=command_env(),
        start_new_session=True,
    )


def hist(log_dir) -> np.ndarray:
    """The one run's `.hist.json` in `log_dir`, (generations, 9)."""
    (path,) = Path(log_dir).glob("*.hist.json")
    return np.array(json.loads(path.read_text()))


def one_error_line(out: subprocess.CompletedProcess, message: str) -> None:
    """Bad input: exit 2, nothing on stdout, one line on stderr that contains `message`."""
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


def assert_episodes_do_not_depend_on_the_ones_before(preset) -> None:
    """Three seeded episodes played in a row give what each gives in a fresh env.

    Which episodes a worker's env played before depends on MPI timing; Box2D's BipedalWalker
    kept its world across resets and gave another return for the same seed (-98.1 vs -109.0);
    pybullet's locomotion envs restore a saved start, which differed from the first one built.
    """
    from estool.evaluation.rollout import simulate
    from models.registry import make_policy

    policy = make_policy(preset.policy)
    policy.set_params(0.3 * np.random.default_rng(1).standard_normal(policy.param_count))

    def play(seeds):  # 60 steps at most: some envs here play 30 steps a second
        env = preset.env.make()
        try:
            return simulate(policy, env, preset.env, seeds, max_len=60)
        finally:
            env.close()  # retro: one emulator per process

    seeds = [1, 2, 3]
    after_others = play(seeds)
    fresh = [play([s]) for s in seeds]
    np.testing.assert_array_equal(after_others[0], [r[0] for r, _ in fresh])
    np.testing.assert_array_equal(after_others[1], [n[0] for _, n in fresh])


def write_airstriker_levels(folder: Path) -> tuple[str, str]:
    """Five Airstriker save states a few seconds apart in `folder`, and two level lists there:
    (training: the first three, held out: the other two)."""
    import gzip

    from envs import make_env

    env = make_env("Airstriker-Genesis-v0", frame_skip=4, size=(32, 32), buttons=("B", "RIGHT"))
    env.reset(seed=0)
    paths = []
    try:
        for k in range(5):
            for _ in range(15):
                env.step(np.array([1, 1]))
            path = folder / f"level{k}.state"
            with gzip.open(path, "wb") as file:
                file.write(env.unwrapped.emulator.em.get_state())
            paths.append(str(path))
    finally:
        env.close()  # one emulator per process
    training, held_out = folder / "train.txt", folder / "test.txt"
    training.write_text("# training\n" + "\n".join(paths[:3]) + "\n")
    held_out.write_text("\n".join(paths[3:]) + "  # held out\n")
    return str(training), str(held_out)
