"""Master/worker transport over MPI (mpi4py): rank 0 runs the solver, and every rank plays rollouts.

Protocol (all point-to-point; typed buffers, nothing pickled on the way, no quantization):
  master -> worker  TASK   int64 (4 + k,): task id, max_len (-1: none), train, fresh, k seeds;
                    then, if `fresh`, PARAMS the solution's float64 vector (num_params,) with
                    `Isend` (otherwise the worker reuses the vector it received last)
  worker -> master  RESULT float64 (2 + 2k,): task id, seconds spent playing, k returns, k steps
                    or ERROR (task id, traceback text), pickled: it ends the run
  master -> worker  STOP   empty, explicit shutdown
A task is `k` episodes of one solution (`plan_tasks`): all of them when there are enough
solutions to keep every rank busy to the end, a part otherwise (`-e 16` with a few solutions
per rank), and single episodes at the very end of a generation. The master reduces the returns
to fitness (`Backend.evaluate`), so the result does not depend on how the episodes were spread.
Work is handed out one task at a time to whichever worker has room (IN_FLIGHT queued per worker,
so that a worker never waits for the master between two tasks; one per worker once fewer tasks
are left than workers, so that the last ones go to idle workers): a long episode never leaves
the other workers idle, and any popsize works with any number of ranks.

Rank 0 is not an idle master on its own core (the original estool's `-n N` started N + 1
processes): it plays tasks too, and serves its workers every millisecond of its own episodes
(`run_episode`'s `poll`, checked every 16 steps). With nothing left to play it waits by polling
with a short sleep: MPICH's blocking receive spins and would burn a core.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from estool.evaluate import Backend

TASK, PARAMS, RESULT, ERROR, STOP = range(5)
POLL_SECONDS = (0.00005, 0.0005)  # first and longest sleep between polls
SERVE_SECONDS = 0.001  # how often rank 0 serves the workers while it plays its own episodes
IN_FLIGHT = 2  # tasks queued per worker
TASKS_PER_WORKER = 32  # split solutions' episodes into parts until there are this many per worker


class WorkerError(RuntimeError):
    """A worker raised while evaluating a solution; carries the worker's traceback."""


def mpi_size() -> int:
    """The world size if this process was started by mpiexec (without importing mpi4py)."""
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE"):
        if var in os.environ:
            return int(os.environ[var])
    return 1


def find_mpiexec() -> str:
    """`mpiexec` beside this Python (the mpich wheel's), else on PATH."""
    beside = Path(sys.executable).with_name("mpiexec")
    if beside.exists():
        return str(beside)
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if not found:
        raise FileNotFoundError("no mpiexec found: pip install mpich (or load your cluster's MPI)")
    return found


def relaunch(num_ranks: int, argv: list[str]) -> None:
    """Replace this process by `mpiexec -n num_ranks python argv...` (one thread per rank)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [find_mpiexec(), "-n", str(num_ranks), sys.executable, "-u", *argv]
    sys.stdout.flush()
    os.execve(command[0], command, env)


def start_backend(num_worker: int, make_evaluator, num_params: int, batch_mode: str = "mean"):
    """The evaluation backend of this process: `make_evaluator()` in-process, or an `MPIMaster`.

    `num_worker > 1` outside mpiexec relaunches this process's command line (`sys.argv`) with
    `num_worker` ranks, rank 0 among those that play: this call does not return then. Ranks
    1..n-1 serve until STOP and get None: they have nothing else to do.
    """
    if num_worker > 1 and mpi_size() == 1:
        relaunch(num_worker, sys.argv)
    if mpi_size() == 1:
        return make_evaluator()
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    if comm.Get_rank() != 0:
        worker_loop(comm, make_evaluator, num_params)
        return None
    return MPIMaster(comm, make_evaluator, batch_mode)


def plan_tasks(num_episode: int, num_solutions: int, num_workers: int) -> list[tuple]:
    """The tasks of one evaluation, in hand-out order: (solution index, episode indices) pairs.

    Whole solutions when there are TASKS_PER_WORKER per worker; otherwise each solution's
    episodes in near-equal parts, never smaller than one episode. The generation's last
    IN_FLIGHT tasks per worker are split into single episodes, so that the workers (rank 0
    among them) finish together: the last one is about one episode behind the others.
    """
    wanted = -(-TASKS_PER_WORKER * num_workers // num_solutions)  # parts per solution, rounded up
    parts = np.array_split(np.arange(num_episode), min(num_episode, max(1, wanted)))
    tasks = [(index, part) for index in range(num_solutions) for part in parts]
    split = max(0, len(tasks) - IN_FLIGHT * num_workers)  # the last tasks go in single episodes
    singles = [(index, part[i : i + 1]) for index, part in tasks[split:] for i in range(len(part))]
    return tasks[:split] + singles


def wait(comm, source, tag):
    """Block until a message matches, sleeping between probes (at most POLL_SECONDS[1])."""
    from mpi4py import MPI

    status = MPI.Status()
    # MPICH's first probe only makes progress: a message already there shows on the second
    if comm.Iprobe(source=source, tag=tag, status=status):
        return status
    delay = POLL_SECONDS[0]
    while not comm.Iprobe(source=source, tag=tag, status=status):
        time.sleep(delay)
        delay = min(delay * 2, POLL_SECONDS[1])
    return status


class MPIMaster(Backend):
    """The evaluation backend on rank 0: `play` and `evaluate`, as `PolicyEvaluator`'s.

    `make_evaluator()` builds rank 0's own `PolicyEvaluator`, on its first task.
    """

    def __init__(self, comm, make_evaluator, batch_mode: str = "mean"):
        self.comm = comm
        self.make_evaluator = make_evaluator
        self.evaluator = None
        self.batch_mode = batch_mode
        self.workers = list(range(1, comm.Get_size()))
        self.stopped = False
        self.bytes_sent = 0  # parameter buffers and task headers, for the benchmarks
        self.worker_seconds = 0.0  # time every rank spent in rollouts, for the benchmarks

    def play(
        self,
        solutions: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """solutions (n, num_params), seeds (n, k) -> returns (n, k), steps (n, k)."""
        from mpi4py import MPI

        seeds = np.asarray(seeds)
        n = len(solutions)
        solutions = np.ascontiguousarray(solutions, dtype=np.float64)
        returns, lengths = np.full(seeds.shape, np.nan), np.zeros(seeds.shape)
        tasks = plan_tasks(seeds.shape[1], n, len(self.workers) + 1)
        pending = list(range(len(tasks)))[::-1]  # task ids, next one last
        assigned = dict.fromkeys(self.workers, 0)  # tasks sent to a worker, not yet back
        holds = dict.fromkeys(self.workers, -1)  # the solution whose vector a worker has last
        sends: list = []
        status = MPI.Status()

        def hand_out(worker: int) -> None:
            task_id = pending.pop()
            index, episodes = tasks[task_id]
            fresh = holds[worker] != index
            flags = [task_id, -1 if max_len is None else max_len, train, fresh]
            header = np.concatenate([flags, seeds[index, episodes]]).astype(np.int64)
            self.comm.Send(header, dest=worker, tag=TASK)  # a few bytes: sent eagerly
            self.bytes_sent += header.nbytes
            if fresh:
                # non-blocking: a large buffer goes by rendezvous, and a blocking Send would spin
                # until the worker, still busy with its queued task, posts the receive
                sends.append(self.comm.Isend(solutions[index], dest=worker, tag=PARAMS))
                self.bytes_sent += solutions[index].nbytes
                holds[worker] = index
            assigned[worker] += 1

        def fill(worker: int) -> None:
            # queue a second task only while there is enough left for every rank, rank 0 too:
            # the generation's last tasks go to whichever rank is idle, not behind a queued one
            depth = IN_FLIGHT if len(pending) > len(self.workers) else 1
            while pending and assigned[worker] < depth:
                hand_out(worker)

        def receive(status) -> None:
            worker = status.Get_source()
            if status.Get_tag() == ERROR:
                task_id, text = self.comm.recv(source=worker, tag=ERROR)
                raise WorkerError(
                    f"worker rank {worker} failed on solution {tasks[task_id][0]}:\n{text}"
                )
            result = np.empty(status.Get_count(MPI.DOUBLE))
            self.comm.Recv(result, source=worker, tag=RESULT)
            assigned[worker] -= 1
            index, episodes = tasks[int(result[0])]
            returns[index, episodes], lengths[index, episodes] = np.split(result[2:], 2)
            self.worker_seconds += result[1]
            fill(worker)

        probe_at = 0.0  # when rank 0 next probes for results (perf_counter seconds)

        def serve(now: bool = False) -> None:
            # during rank 0's own episodes, every SERVE_SECONDS: take in what came back, hand
            # out what is due. A probe costs 2 to 6 microseconds: every 16 steps would be 2%
            nonlocal probe_at
            if not now and time.perf_counter() < probe_at:
                return
            while self.comm.Iprobe(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=status):
                receive(status)
            probe_at = time.perf_counter() + SERVE_SECONDS

        for worker in self.workers:  # one task each first, then the queues
            if pending:
                hand_out(worker)
        for worker in self.workers:
            fill(worker)
        while pending:  # rank 0 plays the next task while the workers play theirs
            index, episodes = tasks[pending.pop()]
            returns[index, episodes], lengths[index, episodes] = self.play_own(
                index, solutions[index], seeds[index, episodes], max_len, train, serve
            )
            serve(now=True)
        while any(assigned.values()):  # nothing left to play: wait for the last results
            receive(wait(self.comm, MPI.ANY_SOURCE, MPI.ANY_TAG))
        MPI.Request.Waitall(sends)  # all done: every worker received before it replied
        return returns, lengths

    def play_own(self, index, params, seeds, max_len, train, serve):
        """Rank 0's share: solution `index`'s episodes (k,) -> returns (k,), steps (k,), calling
        `serve` every few steps."""
        self.evaluator = self.evaluator or self.make_evaluator()
        start = time.perf_counter()
        try:
            played = self.evaluator.episodes(params, seeds, max_len, train, poll=serve)
        except WorkerError:
            raise
        except Exception as error:
            text = traceback.format_exc()
            raise WorkerError(f"worker rank 0 failed on solution {index}:\n{text}") from error
        self.worker_seconds += time.perf_counter() - start
        return played

    def close(self) -> None:
        """Send every worker the explicit shutdown message (once); close rank 0's env."""
        if not self.stopped:
            for worker in self.workers:
                self.comm.Send(np.empty(0, np.int64), dest=worker, tag=STOP)
            self.stopped = True
            if self.evaluator is not None:
                self.evaluator.close()


def worker_loop(comm, make_evaluator, num_params: int) -> None:
    """Ranks 1..n-1: play the episodes of each task until STOP. Exceptions go back to the master."""
    from mpi4py import MPI

    # the master handles Ctrl-C / SIGTERM (checkpoint, then STOP); a dead master ends the job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    evaluator = None
    params = np.empty(num_params)
    while True:
        status = wait(comm, 0, MPI.ANY_TAG)
        header = np.empty(status.Get_count(MPI.INT64_T), np.int64)
        comm.Recv(header, source=0, tag=status.Get_tag())
        if status.Get_tag() == STOP:
            break
        task_id, max_len, train, fresh, seeds = *header[:4].tolist(), header[4:]
        if fresh:
            comm.Recv(params, source=0, tag=PARAMS)
        try:
            evaluator = evaluator or make_evaluator()
            start = time.perf_counter()
            returns, steps = evaluator.episodes(
                params, seeds, None if max_len < 0 else max_len, bool(train)
            )
            seconds = time.perf_counter() - start
            result = np.concatenate([[task_id, seconds], returns, steps]).astype(np.float64)
            comm.Send(result, dest=0, tag=RESULT)
        except Exception:
            comm.send((task_id, traceback.format_exc()), dest=0, tag=ERROR)
