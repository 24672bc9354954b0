"""The package as users install it: a wheel (not editable) in a fresh venv, used from an empty
folder, so that nothing can come from the checkout."""

import os
import subprocess
import sys

import pytest
from helpers import ROOT

pytestmark = pytest.mark.e2e


def run(cmd, cwd, env, timeout=600) -> subprocess.CompletedProcess:
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)
    assert out.returncode == 0, f"{cmd}\n{out.stdout}\n{out.stderr}"
    return out


def test_the_wheel_trains_plays_and_plots_from_any_folder(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    wheels, venv, work = tmp_path / "wheels", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", wheels, ROOT], tmp_path, env)
    (wheel,) = wheels.glob("estool-*.whl")
    run([sys.executable, "-m", "venv", venv], tmp_path, env)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    run([*pip, f"{wheel}[plot]"], tmp_path, env)
    estool = str(venv / "bin" / "estool")
    # the checkout is nowhere on the path: only the installed package can answer
    probe = "import estool, models, envs; print(estool.__file__, models.__file__, envs.__file__)"
    where = run([venv / "bin" / "python", "-c", probe], work, env).stdout
    assert str(ROOT) not in where and where.count("site-packages") == 3
    # data files come with the package: the Retro Contest's level lists
    lists = (
        "from envs.levels import read_levels as r; "
        "print(len(r('sonic.train')), len(r('sonic3.test')))"
    )
    assert run([venv / "bin" / "python", "-c", lists], work, env).stdout.split() == ["13", "4"]
    train = [estool, "train", "cartpole_swingup", "-t", "4", "--max_generations", "2"]
    run([*train, "-n", "2", "--eval_steps", "1"], work, env)
    base = work / "log" / "cartpole_swingup.cma.1.8"
    assert base.with_name(base.name + ".best.json").exists()
    out = run(
        [estool, "model", "cartpole_swingup", f"{base}.best.json", "--norender", "-e", "3"],
        work,
        env,
    )
    assert "over 3 episodes" in out.stdout
    run([estool, "plot", base], work, env)
    assert base.with_name(base.name + ".png").read_bytes()[:4] == b"\x89PNG"
