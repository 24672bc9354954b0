"""The project's promises: CI runs the README's test command; the quickstart runs; zoo/ replays."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# zoo/ file -> (the game it is scored on, the least mean over 10 held-out episodes): the
# README's targets; slimevolley has none met yet: -3 (it scores -0.7 there; -4.9 before
# --common_seeds, when it lost nearly every point)
ZOO_SCORES = {
    "cartpole_swingup.cma.16.64": ("cartpole_swingup", 900.0),
    "pendulum.cma.16.64": ("pendulum", -200.0),
    "lunar.cma.4.32": ("lunar", 200.0),
    "biped_estool.pepg.1.96": ("biped", 300.0),
    "slimevolley.cma.8.32": ("slimevolley", -3.0),
}


def quickstart_commands() -> list[str]:
    section = ROOT.joinpath("README.md").read_text().split("## Quickstart", 1)[1].split("\n## ")[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_quickstart_has_two_commands_and_ci_runs_the_test_one():
    commands = quickstart_commands()
    assert len(commands) == 2
    assert "pytest" in commands[1]
    assert commands[1] in ROOT.joinpath(".ci/run").read_text()


def test_quickstart_example_runs():
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples/quickstart.py"), "--generations", "3"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    for name in ("cma", "pepg", "ses", "openes", "ga"):
        assert re.search(rf"^{name}\s+best\s+-\d", out, re.M), out


def test_reproduce_example_trains_scores_and_plots(tmp_path):
    cmd = [sys.executable, str(ROOT / "examples/reproduce.py"), "cartpole_swingup", "--seeds", "3"]
    cmd += ["--max_generations", "2", "--log_dir", str(tmp_path), "-n", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=300).stdout
    # seed, generations, wall, evaluation (16 episodes), 100-episode mean ± std
    assert re.search(r"^\s+3\s+2\s+\d+s\s+\d+\.\d\s+-?\d+\.\d ±\s+\d+\.\d$", out, re.M), out
    assert (tmp_path / "cartpole_swingup.png").stat().st_size > 10_000


def test_readme_solver_example_runs(tmp_path, monkeypatch):
    section = ROOT.joinpath("README.md").read_text().split("## Solvers", 1)[1]
    code = re.search(r"```python\n(.+?)\n```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["best_fitness"] > -1e-6
    assert (tmp_path / "solver.pkl").stat().st_size > 0


def test_zoo_lists_every_file():
    assert sorted(
        p.name.removesuffix(".best.json") for p in ROOT.glob("zoo/*.best.json")
    ) == sorted(ZOO_SCORES)
    for name in ZOO_SCORES:
        assert (ROOT / "zoo" / f"{name}.hist.json").exists()


@pytest.mark.parametrize("name", sorted(ZOO_SCORES))
def test_zoo_file_replays_at_its_score(name):
    game, least = ZOO_SCORES[name]
    cmd = [sys.executable, str(ROOT / "model.py"), game, str(ROOT / "zoo" / f"{name}.best.json")]
    cmd += ["10000", "--norender", "-e", "10"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120)
    (line,) = [x for x in (done.stdout + done.stderr).splitlines() if x.startswith("mean ")]
    assert float(line.split()[1]) >= least, line
