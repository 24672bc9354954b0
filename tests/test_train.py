"""train.py end to end, in-process backend (-n 1): files, exact resume, clear errors."""

import itertools
import json
import os
import pickle
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import ROOT, hist, one_error_line, train

pytestmark = pytest.mark.e2e
BASE = ["cartpole_swingup", "-o", "cma", "-t", "8", "--eval_steps", "2"]


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
    # the checkpoint keeps [generation, score] per evaluation; the params stay in .log.json
    train_state = pickle.loads(files(parts)[".ckpt.pkl"].read_bytes())["train"]
    assert [len(row) for row in train_state["eval_log"]] == [2]
    train(parts, *BASE, "--max_generations", "6", "--resume")
    for suffix in (".json", ".best.json", ".log.json"):
        assert files(whole)[suffix].read_text() == files(parts)[suffix].read_text()
    fitness = [
        np.array(json.loads(files(d)[".hist.json"].read_text()))[:, 2:6] for d in (whole, parts)
    ]
    np.testing.assert_array_equal(*fitness)
    assert len(files(parts)[".progress.jsonl"].read_text().splitlines()) == 6


def test_diagonal_cma_trains_and_resumes_a_checkpoint_without_the_flag(tmp_path):
    train(tmp_path, *BASE, "--diagonal", "--max_generations", "2")
    checkpoint = pickle.loads(files(tmp_path)[".ckpt.pkl"].read_bytes())
    assert checkpoint["config"]["diagonal"] is True
    out = train(tmp_path, *BASE, "--max_generations", "3", "--resume", check=False)
    one_error_line(out, "other diagonal")
    # a checkpoint written before the flag existed resumes as a full-covariance run
    train(tmp_path, *BASE, "--max_generations", "2", "--overwrite")
    path = files(tmp_path)[".ckpt.pkl"]
    checkpoint = pickle.loads(path.read_bytes())
    del checkpoint["config"]["diagonal"]
    path.write_bytes(pickle.dumps(checkpoint))
    train(tmp_path, *BASE, "--max_generations", "3", "--resume")
    assert json.loads(files(tmp_path)[".hist.json"].read_text())[-1][0] == 3


def test_diagonal_cma_is_the_native_sep_cma_and_a_pycma_diagonal_run_still_resumes(tmp_path):
    """--diagonal now runs the native sep-CMA-ES; a run saved by the pycma-based diagonal mode
    of earlier versions (a fixture written by one) resumes with pycma, where it left off."""
    train(tmp_path, *BASE, "--diagonal", "--max_generations", "1")
    checkpoint = pickle.loads(files(tmp_path)[".ckpt.pkl"].read_bytes())
    assert checkpoint["solver"]["solver"] == "SepCMAES"
    old = tmp_path / "old"
    shutil.copytree(ROOT / "tests" / "fixtures" / "pycma_diagonal", old)
    assert pickle.loads(files(old)[".ckpt.pkl"].read_bytes())["solver"]["solver"] == "CMAES"
    before = json.loads(files(old)[".hist.json"].read_text())
    train(old, *BASE, "--diagonal", "--max_generations", "4", "--resume")
    after = json.loads(files(old)[".hist.json"].read_text())
    assert after[:2] == before and [row[0] for row in after] == [1, 2, 3, 4]
    assert pickle.loads(files(old)[".ckpt.pkl"].read_bytes())["solver"]["solver"] == "CMAES"


def test_cma_is_the_native_full_cma_and_a_pycma_run_still_resumes(tmp_path):
    """-o cma now runs the native CMA-ES (Cholesky factor); a run saved when it was pycma's (a
    fixture written by that version) resumes with pycma, where it left off."""
    train(tmp_path, *BASE, "--max_generations", "1")
    checkpoint = pickle.loads(files(tmp_path)[".ckpt.pkl"].read_bytes())
    assert checkpoint["solver"]["solver"] == "FullCMAES"
    old = tmp_path / "old"
    shutil.copytree(ROOT / "tests" / "fixtures" / "pycma_full", old)
    before = json.loads(files(old)[".hist.json"].read_text())
    train(old, *BASE, "--max_generations", "4", "--resume")
    after = json.loads(files(old)[".hist.json"].read_text())
    assert after[:2] == before and [row[0] for row in after] == [1, 2, 3, 4]
    assert pickle.loads(files(old)[".ckpt.pkl"].read_bytes())["solver"]["solver"] == "CMAES"


def test_resume_needs_the_evaluations_of_the_checkpoint(tmp_path):
    train(tmp_path, *BASE, "--max_generations", "4")
    log = files(tmp_path)[".log.json"]
    rows = json.loads(log.read_text())
    log.write_text(json.dumps([[rows[0][0], rows[0][1] + 1.0, rows[0][2]], rows[1]]))
    out = train(tmp_path, *BASE, "--max_generations", "6", "--resume", check=False)
    one_error_line(out, "does not match the checkpoint at generation 2")
    log.unlink()
    out = train(tmp_path, *BASE, "--max_generations", "6", "--resume", check=False)
    one_error_line(out, "it holds the evaluations")


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
        (["cartpole_swingup", "--popsize", "2"], "popsize of at least 3"),
        (
            ["cartpole_swingup", "-o", "openes", "--diagonal"],
            "--diagonal does not apply to -o openes, only to -o cma",
        ),
        (
            ["cartpole_swingup", "-o", "cma", "--sigma_decay", "0.99"],
            "--sigma_decay does not apply to -o cma, only to -o ga, -o openes, -o pepg, -o ses",
        ),
        (["cartpole_swingup", "--solver_threads", "0"], "--solver_threads 0: need >= 1"),
        (["cartpole_swingup", "--nosuchflag"], "unrecognized arguments: --nosuchflag"),
        (["cartpole_swingup", "--resume", "--overwrite"], "choose one"),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path, args, message):
    one_error_line(train(tmp_path, *args, check=False), message)
    assert not list(tmp_path.glob("*.json"))


def test_target_fitness_stops_the_run(tmp_path):
    out = train(tmp_path, *BASE, "--eval_steps", "1", "--target_fitness", "-1")
    assert "done after 1 generations" in out.stdout


def test_batch_mode_min_scores_the_worst_episode(tmp_path):
    rows = {}
    for mode in ("mean", "min"):
        (tmp_path / mode).mkdir()
        train(tmp_path / mode, *BASE, "-e", "3", "--batch_mode", mode, "--max_generations", "1")
        rows[mode] = hist(tmp_path / mode)[0]
    assert rows["min"][2] < rows["mean"][2]  # same solutions and seeds: min <= mean for each
    assert rows["min"][4] <= rows["mean"][4]


def test_cap_time_limits_episodes_to_twice_the_last_mean(tmp_path):
    train(tmp_path, *BASE, "--cap_time", "--max_generations", "4")
    h = hist(tmp_path)
    for previous, current in itertools.pairwise(h):
        assert current[8] <= 2 * int(previous[7] + 1.0)


def test_retrain_keeps_the_best_evaluation(tmp_path):
    out = train(tmp_path, *BASE, "--eval_steps", "1", "--retrain", "--max_generations", "8")
    (log,) = tmp_path.glob("*.log.json")
    scores = [row[1] for row in json.loads(log.read_text())]
    (best,) = tmp_path.glob("*.best.json")
    assert json.loads(best.read_text())[1] == max(scores)
    if any(s <= max(scores[:i], default=-np.inf) for i, s in enumerate(scores)):
        assert "mean reset to best" in out.stdout


def test_checkpoints_reuse_one_buffer_and_hold_what_pickle_would(tmp_path):
    from estool.training.runfiles import RunFiles

    run = RunFiles(tmp_path / "run")
    small = {"c": np.arange(10.0), "hist": [[1.0]]}
    large = {"c": np.arange(300_000.0).reshape(600, 500).T, "hist": [[1.0]] * 50}  # F-ordered
    for state in (small, large, small, large):
        run.write_checkpoint(state)
        run.flush()
        assert (tmp_path / "run.ckpt.pkl").read_bytes() == pickle.dumps(state, protocol=5)
    buffer = run.checkpoint_buffer.data
    run.write_checkpoint(small)  # smaller again: the same memory, no new allocation
    run.flush()
    assert run.checkpoint_buffer.data is buffer


SPIN_PROBE = """
import estool  # first, as train.py and model.py import it
import time
import numpy as np
from estool.evaluation.threads import BlasThreads

blas = BlasThreads(2)
matrix = np.ones((1000, 1000))
with blas.solver():
    matrix @ matrix  # on two threads
start = time.process_time()
time.sleep(0.3)
print(time.process_time() - start)
"""


def test_blas_threads_sleep_soon_after_the_solver_is_done():
    # OpenBLAS's default is to spin for ~0.1 s after every threaded call, on a core the
    # rollouts need; estool shortens it before numpy loads OpenBLAS
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    out = subprocess.run(
        [sys.executable, "-c", SPIN_PROBE], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 0.03  # CPU seconds spent while the main thread slept 0.3 s


def test_a_second_run_on_a_live_runs_files_stops_naming_it(tmp_path):
    from helpers import start_training

    first = start_training(tmp_path, *BASE, "--max_generations", "400")
    try:
        progress = tmp_path / "cartpole_swingup.cma.1.8.progress.jsonl"
        deadline = time.monotonic() + 60
        while not (progress.exists() and progress.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        rows = progress.read_text()
        out = train(tmp_path, *BASE, "--max_generations", "3", "--overwrite", check=False)
        one_error_line(out, f"is in use by a live run (pid {first.pid} on ")
        assert "train.py cartpole_swingup" in out.stderr
        # the live run's files are untouched, and it goes on
        assert progress.read_text().startswith(rows)
        assert first.poll() is None
    finally:
        first.terminate()
        first.communicate(timeout=60)
    # once it has stopped (a lock dies with its process), the files are free for --resume
    train(tmp_path, *BASE, "--max_generations", "1", "--resume")


def test_auto_resume_starts_an_empty_log_and_continues_an_existing_one(tmp_path):
    whole, job = tmp_path / "whole", tmp_path / "job"
    train(whole, *BASE, "--max_generations", "6")
    # a requeued batch job: the same command every time
    train(job, *BASE, "--max_generations", "3", "--auto_resume")
    assert len(files(job)[".progress.jsonl"].read_text().splitlines()) == 3
    train(job, *BASE, "--max_generations", "6", "--auto_resume")
    for suffix in (".json", ".best.json", ".log.json"):
        assert files(whole)[suffix].read_text() == files(job)[suffix].read_text()
    # a run killed before its first checkpoint left files and no checkpoint: it starts over
    for checkpoint in job.glob("*.ckpt*.pkl"):
        checkpoint.unlink()
    train(job, *BASE, "--max_generations", "2", "--auto_resume")
    assert len(files(job)[".progress.jsonl"].read_text().splitlines()) == 2
    out = train(job, *BASE, "--auto_resume", "--overwrite", check=False)
    one_error_line(out, "choose one")


def test_a_new_run_over_an_earlier_runs_files_needs_resume_or_overwrite(tmp_path):
    train(tmp_path, *BASE, "--max_generations", "3")
    outputs = [p for p in tmp_path.iterdir() if p.suffix != ".lock"]
    before = {p.name: p.read_bytes() for p in outputs}
    out = train(tmp_path, *BASE, "--max_generations", "3", check=False)
    one_error_line(out, "holds an earlier run")
    assert "--resume" in out.stderr and "--overwrite" in out.stderr
    assert {p.name: p.read_bytes() for p in outputs} == before  # nothing touched
    # --overwrite starts over: the same files as a run in an empty folder
    train(tmp_path, *BASE, "--max_generations", "2", "--overwrite")
    fresh = tmp_path / "fresh"
    train(fresh, *BASE, "--max_generations", "2")
    for suffix in (".json", ".best.json", ".log.json"):
        name = "cartpole_swingup.cma.1.8" + suffix
        assert (tmp_path / name).read_text() == (fresh / name).read_text()
    assert len((tmp_path / "cartpole_swingup.cma.1.8.progress.jsonl").read_text().splitlines()) == 2


def test_resume_falls_back_to_the_previous_checkpoint_when_the_latest_is_cut_short(tmp_path):
    whole = tmp_path / "whole"
    train(whole, *BASE, "--max_generations", "6")
    train(tmp_path, *BASE, "--max_generations", "4")
    latest = tmp_path / "cartpole_swingup.cma.1.8.ckpt.pkl"
    previous = tmp_path / "cartpole_swingup.cma.1.8.ckpt.prev.pkl"
    generation = pickle.loads(previous.read_bytes())["train"]["generation"]
    assert 1 <= generation < 4
    os.truncate(latest, 100)  # a full disk, an interrupted copy
    out = train(tmp_path, *BASE, "--max_generations", "6", "--resume")
    assert out.stderr.count("\n") == 1
    assert "cartpole_swingup.cma.1.8.ckpt.pkl: cannot unpickle" in out.stderr
    assert "resuming from" in out.stderr
    assert f"ckpt.prev.pkl (generation {generation})" in out.stderr
    np.testing.assert_array_equal(hist(whole)[:, 2:], hist(tmp_path)[:, 2:])
    for suffix in (".json", ".best.json", ".log.json"):
        name = "cartpole_swingup.cma.1.8" + suffix
        assert (whole / name).read_text() == (tmp_path / name).read_text()
    # neither loads: one line, exit 2, nothing changed
    os.truncate(latest, 100)
    previous.write_bytes(b"not a pickle")
    out = train(tmp_path, *BASE, "--max_generations", "7", "--resume", check=False)
    one_error_line(out, "no checkpoint loads")
    assert "start over with --overwrite" in out.stderr


def test_a_moved_run_folder_resumes(tmp_path):
    whole, here = tmp_path / "whole", tmp_path / "cluster"
    train(whole, *BASE, "--max_generations", "4")
    train(here, *BASE, "--max_generations", "2")
    laptop = here.rename(tmp_path / "laptop")
    train(laptop, *BASE, "--max_generations", "4", "--resume")
    np.testing.assert_array_equal(hist(whole)[:, 2:], hist(laptop)[:, 2:])


def test_lockstep_episodes_give_the_history_of_one_at_a_time(tmp_path):
    args = ["cartpole_swingup", "-o", "openes", "--popsize", "6", "-e", "4"]
    args += ["--max_generations", "3", "--eval_steps", "3"]
    train(tmp_path / "together", *args)
    train(tmp_path / "alone", *args, "--no-lockstep")
    np.testing.assert_array_equal(
        hist(tmp_path / "together")[:, 2:], hist(tmp_path / "alone")[:, 2:]
    )
    (a,), (b,) = ((tmp_path / d).glob("*.log.json") for d in ("together", "alone"))
    assert a.read_text() == b.read_text()
