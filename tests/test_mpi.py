"""train.py under real mpiexec with several ranks: files, worker-count independence, faults."""

import json
import os
import pickle
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import hist, needs_extra_of, start_training, train

import estool  # noqa: F401  (imports cma quietly, for unpickling checkpoints)
from estool.evaluation.mpi import SERVE_ONLY_FROM
from estool.evaluation.scheduler import plan_tasks

pytestmark = pytest.mark.mpi
BASE = ["cartpole_swingup", "-o", "cma", "--popsize", "10", "--eval_steps", "2"]


def assert_same_history(tmp_path, args, workers) -> None:
    """Train `args` on each worker count in `workers`: every `.hist.json` column but the
    generation and the wall time must be equal."""
    for n in workers:
        train(tmp_path / str(n), *args, "-n", str(n))
    first = hist(tmp_path / str(workers[0]))[:, 2:]
    for n in workers[1:]:
        np.testing.assert_array_equal(first, hist(tmp_path / str(n))[:, 2:])


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
    # the evaluations (generations 2 and 4), whose episodes are spread over the workers too
    evaluations = [next((tmp_path / str(n)).glob("*.log.json")).read_text() for n in (1, 2, 3)]
    assert len(json.loads(evaluations[0])) == 2
    assert evaluations[0] == evaluations[1] == evaluations[2]


def test_same_history_for_1_and_3_workers_on_a_box2d_game(tmp_path):
    needs_extra_of("biped")
    # BipedalWalker's physics kept state from one episode to the next, and which rank plays
    # which episodes after which depends on timing: the first generation differed between runs
    args = ("biped", "-o", "cma", "--popsize", "8", "--max_generations", "2", "--eval_steps", "9")
    assert_same_history(tmp_path, args, (1, 3))


def test_same_history_for_1_and_2_workers_with_a_large_cma(tmp_path):
    needs_extra_of("lunar")
    # 850 parameters: BLAS threads the eigendecomposition, and its rounding depends on the thread
    # count; `-n 1` ran on one thread per core and MPI ranks on one (differing from generation 21)
    args = ("lunar", "-o", "cma", "--popsize", "8", "--max_generations", "24", "--eval_steps", "99")
    assert_same_history(tmp_path, (*args, "--solver_threads", "2"), (1, 2))


def test_episodes_split_over_workers_give_the_serial_fitness(tmp_path):
    # popsize 4 on 3 workers: each solution's 3 episodes go out as 3 one-episode tasks
    args = ("-e", "3", "--batch_mode", "min", "--popsize", "4", "--max_generations", "3")
    args += ("--no-lockstep",)
    assert_same_history(tmp_path, (*BASE, *args), (1, 3))
    (one,), (three,) = (Path(tmp_path / n).glob("*.4.json") for n in ("1", "3"))
    assert one.read_text() == three.read_text()


def test_common_seeds_give_one_history_on_any_worker_count(tmp_path):
    # every solution plays the same 3 episodes, several solutions' episodes in one lockstep batch
    args = (*BASE, "-e", "3", "--popsize", "6", "--max_generations", "3", "--common_seeds")
    assert_same_history(tmp_path, args, (1, 2))
    train(tmp_path / "own", *args[:-1], "-n", "1")
    assert not np.array_equal(hist(tmp_path / "1")[:, 2:6], hist(tmp_path / "own")[:, 2:6])


def sizes(tasks):
    """Episodes per task."""
    return [sum(len(episodes) for _, episodes in pieces) for pieces in tasks]


def test_task_plan_keeps_every_worker_busy_to_the_end():
    # every episode of every solution exactly once, in either mode
    for args in [(1, 32, 2), (4, 32, 2), (16, 32, 2), (7, 3, 8), (16, 256, 64), (5, 2, 4)]:
        for lockstep in (False, True):
            tasks = plan_tasks(*args, lockstep=lockstep)
            played = sorted((i, e) for pieces in tasks for i, episodes in pieces for e in episodes)
            assert played == [(i, e) for i in range(args[1]) for e in range(args[0])]
    assert [[(i, list(e)) for i, e in t] for t in plan_tasks(1, 3, 2)] == [
        [(0, [0])],
        [(1, [0])],
        [(2, [0])],
    ]
    # enough solutions per worker: whole solutions, the last 2 per worker in single episodes
    assert sizes(plan_tasks(4, 64, 2)) == [4] * 60 + [1] * 16
    # 8 solutions per worker at least: whole ones; too few: near-equal parts for 8 tasks per
    # worker; the last 2 tasks per worker in single episodes either way
    assert sizes(plan_tasks(16, 32, 2)) == [16] * 28 + [1] * 64
    assert sizes(plan_tasks(16, 256, 64)) == [8] * 384 + [1] * 1024
    assert sizes(plan_tasks(5, 2, 4)) == [1] * 10  # never below one episode
    # a generation ends on single episodes in solution order
    tail = [(t[0][0], t[0][1][0]) for t in plan_tasks(4, 64, 2)[-4:]]
    assert tail == [(63, 0), (63, 1), (63, 2), (63, 3)]


def test_lockstep_tasks_are_up_to_64_episodes_of_consecutive_solutions():
    # 8 solutions x 16 episodes on 2 ranks: at least 2 tasks a rank, of 32 episodes
    tasks = plan_tasks(16, 8, 2, lockstep=True)
    assert sizes(tasks) == [32] * 4
    assert [[i for i, _ in pieces] for pieces in tasks] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert sizes(plan_tasks(16, 256, 2, lockstep=True)) == [64] * 64  # at most 64
    assert sizes(plan_tasks(100, 1, 4, lockstep=True)) == [13] * 4 + [12] * 4  # one solution
    # too few episodes for batches of 8 or more: the one-at-a-time plan
    assert plan_tasks(1, 16, 2, lockstep=True) == plan_tasks(1, 16, 2)
    # a solution cut between tasks: its episodes, in order, across them
    tasks = plan_tasks(12, 2, 1, lockstep=True, task_rows=8)
    assert [[(i, list(e)) for i, e in t] for t in tasks] == [
        [(0, list(range(8)))],
        [(0, [8, 9, 10, 11]), (1, [0, 1, 2, 3])],
        [(1, [4, 5, 6, 7, 8, 9, 10, 11])],
    ]


def test_worker_exception_stops_the_run_with_its_traceback(tmp_path):
    start = time.monotonic()
    out = train(tmp_path, "faulty_envs:Raises-v0", "-n", "2", "-t", "4", check=False, timeout=60)
    assert out.returncode != 0
    assert "injected fault: this episode crashes" in out.stdout + out.stderr
    assert "worker rank" in out.stdout + out.stderr
    assert time.monotonic() - start < 60


def test_an_exception_on_rank_0_stops_the_run_too(tmp_path):
    out = train(tmp_path, "faulty_envs:RaisesOnRank0-v0", "-n", "2", "-t", "4", check=False)
    assert out.returncode != 0
    assert "worker rank 0 failed on solution" in out.stdout + out.stderr
    assert "injected fault: this episode crashes" in out.stdout + out.stderr
    assert not list(tmp_path.glob("*.ckpt.pkl"))  # no generation completed


def test_n_ranks_for_n_workers_and_rank_0_plays_too(tmp_path):
    # each one-step episode pays the rank that played it
    train(tmp_path, "faulty_envs:WhoPlays-v0", "-n", "3", "-t", "4", "--max_generations", "2")
    h = hist(tmp_path)
    np.testing.assert_array_equal(h[:, 3], 0)  # fitness min: rank 0 played in every generation
    np.testing.assert_array_equal(h[:, 4], 2)  # fitness max: the highest rank is 2, of 3
    # two solutions on two ranks: one each, rank 1's second task is not queued behind its first
    args = ["-o", "openes", "-n", "2", "--popsize", "2", "--max_generations", "2"]
    train(tmp_path / "2", "faulty_envs:WhoPlays-v0", *args)
    np.testing.assert_array_equal(hist(tmp_path / "2")[:, 3:5], [[0, 1], [0, 1]])


def test_from_8_workers_rank_0_only_serves(tmp_path):
    # with SERVE_ONLY_FROM workers, rank 0's steps would keep them waiting: it plays nothing
    args = ["-o", "openes", "-n", str(SERVE_ONLY_FROM + 1), "-t", "2", "--max_generations", "2"]
    train(tmp_path, "faulty_envs:WhoPlays-v0", *args)
    h = hist(tmp_path)
    np.testing.assert_array_equal(h[:, 3], 1)  # fitness min: rank 1, never rank 0
    np.testing.assert_array_equal(h[:, 4], SERVE_ONLY_FROM)  # fitness max: the highest rank


def progress(log_dir) -> list[dict]:
    (path,) = Path(log_dir).glob("*.progress.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_row_seeds_workers_rebuild_the_solutions_of_the_serial_run(tmp_path):
    for optimizer in ("openes", "pepg"):
        args = ["cartpole_swingup", "-o", optimizer, "--popsize", "12", "--max_generations", "3"]
        args += ["--eval_steps", "2"]
        assert_same_history(tmp_path / optimizer, (*args, "--row_seeds"), (1, 3))
        train(tmp_path / optimizer / "vectors", *args, "-n", "3")
        # 71 parameters, 12 one-episode tasks of 9 int64 at most: each of the 2 workers gets
        # the population's header (8 int64) and mean (and PEPG's sigma) once a generation and
        # no vector, where the vectors path sends one per solution a worker plays (at least
        # the 2 queued on each worker at the start)
        scale = 71 if optimizer == "pepg" else 1
        bound = 12 * 9 * 8 + 2 * (8 + 71 + scale) * 8
        seeded = [row["bytes_sent"] for row in progress(tmp_path / optimizer / "3")]
        assert max(seeded) <= bound, seeded
        vectors = [row["bytes_sent"] for row in progress(tmp_path / optimizer / "vectors")]
        assert min(vectors) >= 4 * (71 + 9) * 8, vectors


def test_64_ranks_on_2_cores_give_the_history_of_2(tmp_path):
    # 64 processes on this machine's 2 cores: a generation still finishes, and the same
    args = ["cartpole_swingup", "-o", "openes", "--popsize", "126", "--max_generations", "2"]
    assert_same_history(tmp_path, (*args, "--eval_steps", "9"), (2, 64))


def test_nan_fitness_ranks_last_and_the_run_goes_on(tmp_path):
    train(tmp_path, "faulty_envs:NaNs-v0", "-n", "2", "-t", "5", "--max_generations", "3")
    h = hist(tmp_path)
    assert h.shape[0] == 3 and np.all(np.isfinite(h[:, 2:6]))
    (params,) = json.loads(next(tmp_path.glob("*.cma.1.10.json")).read_text())
    assert np.all(np.isfinite(params))


def wait_for_generations(log_dir, count, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = [p.read_text().count("\n") for p in Path(log_dir).glob("*.progress.jsonl")]
        if rows and rows[0] >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"no {count} generations in {timeout} s")


def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path):
    args = [*BASE, "-n", "2", "--eval_steps", "3"]
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    train(whole, *args, "--max_generations", "12")
    proc = start_training(killed, *args, "--max_generations", "400")
    wait_for_generations(killed, 3)
    os.killpg(proc.pid, 9)  # the whole job, mpiexec and every rank: a crash, no cleanup
    proc.wait(timeout=30)
    (ckpt,) = killed.glob("*.ckpt.pkl")
    generation = pickle.loads(ckpt.read_bytes())["train"]["generation"]
    # checkpoints: after generation 1, each evaluation (3, 6...) and at most a second apart
    assert 1 <= generation < 12, generation
    train(killed, *args, "--max_generations", "12", "--resume")
    for suffix in (".json", ".best.json", ".log.json"):
        (a,), (b,) = whole.glob("*.1.10" + suffix), killed.glob("*.1.10" + suffix)
        assert a.read_text() == b.read_text()
    np.testing.assert_array_equal(hist(whole)[:, 2:6], hist(killed)[:, 2:6])


def test_sigterm_checkpoints_and_stops_every_rank(tmp_path):
    proc = start_training(tmp_path, *BASE, "-n", "2", "--max_generations", "400")
    wait_for_generations(tmp_path, 2)
    os.kill(proc.pid, 15)  # mpiexec forwards it to the ranks
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "stopped: checkpoint at generation" in out
    generation = int(out.split("stopped: checkpoint at generation ")[1].split(";")[0])
    progress = next(tmp_path.glob("*.progress.jsonl")).read_text().splitlines()
    assert len(progress) == generation
    leftover = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""


def test_resume_on_another_worker_count_continues_the_same_run(tmp_path):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    train(whole, *BASE, "-n", "1", "--max_generations", "5")
    train(parts, *BASE, "-n", "3", "--max_generations", "2")
    train(parts, *BASE, "-n", "2", "--max_generations", "5", "--resume")
    np.testing.assert_array_equal(hist(whole)[:, 2:6], hist(parts)[:, 2:6])
