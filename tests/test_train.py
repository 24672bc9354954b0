"""train.py end to end, in-process backend (-n 1): files, exact resume, clear errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE = ["cartpole_swingup", "-o", "cma", "-t", "8", "--eval_steps", "2"]


def train(tmp_path, *args, check=True):
    cmd = [sys.executable, str(ROOT / "train.py"), *args, "--log_dir", str(tmp_path)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


def files(tmp_path, name="cartpole_swingup.cma.1.8"):
    return {p.name[len(name) :]: p for p in tmp_path.glob(name + ".*")}


def test_training_writes_every_file(tmp_path):
    out = train(tmp_path, *BASE, "--max_generations", "4")
    assert "gen 4  fitness mean" in out.stdout
    f = files(tmp_path)
    assert {
        ".json",
        ".best.json",
        ".hist.json",
        ".log.json",
        ".progress.jsonl",
        ".ckpt.pkl",
    } <= set(f)
    params = json.loads(f[".json"].read_text())[0]
    assert len(params) == 71
    best_params, best_score = json.loads(f[".best.json"].read_text())
    assert len(best_params) == 71 and np.isfinite(best_score)
    hist = json.loads(f[".hist.json"].read_text())
    assert [row[0] for row in hist] == [1, 2, 3, 4] and len(hist[0]) == 9
    assert [row[0] for row in json.loads(f[".log.json"].read_text())] == [2, 4]
    assert len(f[".progress.jsonl"].read_text().splitlines()) == 4


def test_resume_gives_the_uninterrupted_result(tmp_path):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    for d in (whole, parts):
        d.mkdir()
    train(whole, *BASE, "--max_generations", "6")
    train(parts, *BASE, "--max_generations", "3")
    train(parts, *BASE, "--max_generations", "6", "--resume")
    for suffix in (".json", ".best.json"):
        assert files(whole)[suffix].read_text() == files(parts)[suffix].read_text()
    fitness = [
        np.array(json.loads(files(d)[".hist.json"].read_text()))[:, 2:6] for d in (whole, parts)
    ]
    np.testing.assert_array_equal(*fitness)
    assert len(files(parts)[".progress.jsonl"].read_text().splitlines()) == 6


@pytest.mark.parametrize(
    "args, message",
    [
        (["nosuchgame"], "unknown game 'nosuchgame'"),
        (["cartpole_swingup", "-o", "adam"], "-o adam"),
        (["cartpole_swingup", "-e", "0"], "-e 0"),
        (["cartpole_swingup", "--popsize", "7", "--antithetic"], "even popsize"),
        (["cartpole_swingup", "--sigma_init", "-1"], "--sigma_init"),
        (["cartpole_swingup", "--resume"], "no checkpoint"),
        (["cartpole_swingup", "-n", "0"], "-n 0"),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path, args, message):
    out = train(tmp_path, *args, check=False)
    assert out.returncode == 2
    assert message in out.stdout + out.stderr
    assert not list(tmp_path.glob("*.json"))
