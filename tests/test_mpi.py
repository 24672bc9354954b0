"""train.py under real mpiexec with several ranks: files, worker-count independence, faults."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BASE = ["cartpole_swingup", "-o", "cma", "--popsize", "10", "--eval_steps", "2"]


def train(log_dir, *args, check=True, timeout=300):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    cmd = [sys.executable, str(ROOT / "train.py"), *args, "--log_dir", str(log_dir)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


def hist(log_dir) -> np.ndarray:
    (path,) = Path(log_dir).glob("*.hist.json")
    return np.array(json.loads(path.read_text()))


def test_mpi_run_writes_every_file(tmp_path):
    out = train(tmp_path, *BASE, "-n", "3", "--max_generations", "3")
    assert "gen 3  fitness mean" in out.stdout
    suffixes = {p.name.split("cartpole_swingup.cma.1.10", 1)[1] for p in tmp_path.iterdir()}
    assert {".json", ".best.json", ".hist.json", ".log.json", ".progress.jsonl"} <= suffixes
    assert ".ckpt.pkl" in suffixes


def test_same_history_for_1_2_and_3_workers(tmp_path):
    histories = []
    for n in (1, 2, 3):
        train(tmp_path / str(n), *BASE, "-n", str(n), "--max_generations", "4", "--antithetic")
        histories.append(hist(tmp_path / str(n))[:, 2:6])  # fitness mean/min/max/std
    np.testing.assert_array_equal(histories[0], histories[1])
    np.testing.assert_array_equal(histories[0], histories[2])


def test_worker_exception_stops_the_run_with_its_traceback(tmp_path):
    start = time.monotonic()
    out = train(tmp_path, "faulty_envs:Raises-v0", "-n", "2", "-t", "4", check=False, timeout=60)
    assert out.returncode != 0
    assert "injected fault: this episode crashes" in out.stdout + out.stderr
    assert "worker rank" in out.stdout + out.stderr
    assert time.monotonic() - start < 60


def test_nan_fitness_ranks_last_and_the_run_goes_on(tmp_path):
    train(tmp_path, "faulty_envs:NaNs-v0", "-n", "2", "-t", "5", "--max_generations", "3")
    h = hist(tmp_path)
    assert h.shape[0] == 3 and np.all(np.isfinite(h[:, 2:6]))
    (params,) = json.loads(next(tmp_path.glob("*.cma.1.10.json")).read_text())
    assert np.all(np.isfinite(params))
