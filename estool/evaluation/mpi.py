"""Master/worker transport over MPI (mpi4py): rank 0 runs the solver, and every rank plays rollouts.

Protocol (all point-to-point; typed buffers, nothing pickled on the way, no quantization):
  master -> worker  TASK   int64 (5 + 3p + k,): task id, max_len (-1: none), train, p pieces,
                    source; then (fresh, k_j, solution index) for each piece j; then the
                    k = sum k_j seeds. A piece is k_j episodes of one solution. A `fresh`
                    piece's vector (otherwise the worker reuses the one it had last) comes from:
                    source VECTORS: a PARAMS message, its float64 vector (num_params,);
                    source HELD_POPULATION: the worker rebuilds it from the generation's
                    `GaussianPopulation` (the solver's `row_seeds`), which it holds, or
                    source NEW_POPULATION: which follows as two POPULATION messages, its int64
                    header and float64 data (mean and scale), once a generation per worker
  worker -> master  RESULT float64 (2 + 2k,): task id, seconds spent playing, k returns, k steps
                    or ERROR (task id, traceback text), pickled: it ends the run
  master -> worker  STOP   empty, explicit shutdown
One at a time, a task is one piece (`plan_tasks`): all of a solution's episodes when there are
enough solutions to keep every rank busy to the end, a part otherwise (`-e 16` with a few
solutions per rank), and single episodes at the very end of a generation. Where the ranks play
in lockstep, a task is up to 64 episodes of consecutive solutions, stepped together. The master
reduces the returns to fitness (the trainer), so the result does not depend on how the episodes
were spread.
Work is handed out one task at a time to whichever worker has room (IN_FLIGHT queued per worker,
so that a worker never waits for the master between two tasks; one per worker once fewer tasks
are left than workers, so that the last ones go to idle workers): a long episode never leaves
the other workers idle, and any popsize works with any number of ranks.

Below SERVE_ONLY_FROM workers rank 0 plays tasks too, and serves its workers every millisecond
of its own episodes (`run_episode`'s `poll`); from there on it only serves: its share would be
small, and while one of its env steps runs (milliseconds, or a whole episode) no worker gets a
task. It waits by polling with a short sleep: MPICH's blocking receive spins and would burn a
core. Task headers go out with `Isend` too: a blocking send can wait for a worker that is busy
or asleep (measured here: up to milliseconds a send at 64 ranks), and every worker waits for the
master.
"""

from __future__ import annotations

import os
import signal
import time
import traceback

import numpy as np

from estool.evaluation.scheduler import IN_FLIGHT, plan_tasks, scatter, task_inputs
from estool.solvers.population import HEADER_WORDS, GaussianPopulation

TASK, PARAMS, RESULT, ERROR, STOP, POPULATION = range(6)
VECTORS, HELD_POPULATION, NEW_POPULATION = range(3)  # where a task's vectors come from
# first and longest sleep between polls, and the longest once a wait lasts LONG_WAIT_SECONDS, or
# from the start for a worker on a machine with more ranks than cores: a probe costs
# microseconds, a wake-up tens (measured here: 40-70 us on this VM), and where idle ranks share
# cores with busy ones those add up (64 workers probing every 0.5 ms kept rank 0 from its work)
POLL_SECONDS = (0.00005, 0.0005, 0.005)
LONG_WAIT_SECONDS = 0.05
SERVE_SECONDS = 0.001  # how often rank 0 serves the workers while it plays its own episodes
POLL_STEPS_MAX = 64  # steps between two calls of `serve` at most (a call costs ~0.2 us)
SERVE_ONLY_FROM = 8  # workers from which rank 0 only serves them (see the module's docstring)


class WorkerError(RuntimeError):
    """A worker raised while evaluating a solution; carries the worker's traceback."""


def start(make_evaluator, num_params: int):
    """The MPI backend: an `MPIMaster` on rank 0; the other ranks serve until STOP, then None."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    node = comm.Split_type(MPI.COMM_TYPE_SHARED)
    crowded = node.Get_size() > (os.cpu_count() or 1)  # more ranks than cores on this machine
    node.Free()
    if comm.Get_rank() != 0:
        worker_loop(comm, make_evaluator, num_params, POLL_SECONDS[2 if crowded else 1])
        return None
    return MPIMaster(comm, make_evaluator)


def wait(comm, source, tag, longest: float = POLL_SECONDS[1]):
    """Block until a message matches, sleeping between probes (POLL_SECONDS), at most `longest`
    until the wait lasts LONG_WAIT_SECONDS."""
    from mpi4py import MPI

    status = MPI.Status()
    # MPICH's first probe only makes progress: a message already there shows on the second
    if comm.Iprobe(source=source, tag=tag, status=status):
        return status
    delay, start = POLL_SECONDS[0], time.perf_counter()
    while not comm.Iprobe(source=source, tag=tag, status=status):
        time.sleep(delay)
        if longest < POLL_SECONDS[2] and time.perf_counter() - start > LONG_WAIT_SECONDS:
            longest = POLL_SECONDS[2]  # a long wait (a generation's end): probe less often
        delay = min(delay * 2, longest)
    return status


class MPIMaster:
    """The backend on rank 0 (see `backend.Backend`): plays populations over every rank.

    `make_evaluator()` builds rank 0's own `PolicyEvaluator`, on its first task.
    """

    def __init__(self, comm, make_evaluator):
        self.comm = comm
        self.make_evaluator = make_evaluator
        self.evaluator = None
        self.workers = list(range(1, comm.Get_size()))
        self.stopped = False
        self.bytes_sent = 0  # parameter buffers and task headers, for the benchmarks
        self.worker_seconds = 0.0  # time every rank spent in rollouts, for the benchmarks
        self.messages = 0  # task headers and vectors sent, results received: the master's load

    def play(
        self,
        solutions: np.ndarray,
        seeds: np.ndarray,
        max_len: int | None = None,
        train: bool = True,
        population: GaussianPopulation | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """solutions (n, num_params), seeds (n, k) -> returns (n, k), steps (n, k). With
        `population` (the solutions as seeds), workers rebuild the solutions from it."""
        return Round(self, solutions, seeds, max_len, train, population).run()

    def own_evaluator(self):
        """Rank 0's player (built on first use; every rank builds the same)."""
        self.evaluator = self.evaluator or self.make_evaluator()
        return self.evaluator

    def play_own(self, pieces, vectors, seeds, max_len, train, serve):
        """Rank 0's share: a task's episodes -> returns (k,), steps (k,), calling `serve` every
        few steps."""
        evaluator = self.own_evaluator()
        start = time.perf_counter()
        try:
            played = evaluator.play_pieces(vectors, seeds, max_len, train, poll=serve)
        except WorkerError:
            raise
        except Exception as error:
            text = traceback.format_exc()
            where = solutions_of(pieces)
            raise WorkerError(f"worker rank 0 failed on {where}:\n{text}") from error
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


class Round:
    """One `play` on rank 0: hands the tasks out, takes the results in, and plays rank 0's share.

    A worker gets tasks as it frees up, IN_FLIGHT queued (one per worker once fewer tasks are
    left than workers, so that the last ones go to whichever rank is idle). A worker that gets
    another part of the solution it holds is not sent the vector again.
    """

    def __init__(self, master: MPIMaster, solutions, seeds, max_len, train, population=None):
        from mpi4py import MPI

        self.master, self.comm = master, master.comm
        self.population = None if population is None else (population.header(), population.data())
        self.informed: set[int] = set()  # the workers that hold this round's population
        self.solutions = np.ascontiguousarray(solutions, dtype=np.float64)
        self.seeds = np.asarray(seeds)
        self.max_len, self.train = max_len, train
        self.returns = np.full(self.seeds.shape, np.nan)
        self.lengths = np.zeros(self.seeds.shape)
        workers = master.workers
        self.plays = len(workers) < SERVE_ONLY_FROM  # rank 0 plays a share too
        lockstep = master.own_evaluator().lockstep(train)
        self.tasks = plan_tasks(
            self.seeds.shape[1], len(self.solutions), len(workers) + self.plays, lockstep
        )
        self.pending = list(range(len(self.tasks)))[::-1]  # task ids, next one last
        self.assigned = dict.fromkeys(workers, 0)  # tasks sent to a worker, not yet back
        self.holds = dict.fromkeys(workers, -1)  # the solution whose vector a worker has last
        self.sends: list = []
        self.status = MPI.Status()
        self.probe_at = 0.0  # when rank 0 next probes for results (perf_counter seconds)
        self.called_at, self.asked = time.perf_counter(), 1  # `serve`'s last call, steps asked

    def run(self) -> tuple[np.ndarray, np.ndarray]:
        from mpi4py import MPI

        for worker in self.master.workers:  # one task each first, then the queues
            if self.pending:
                self.hand_out(worker)
        for worker in self.master.workers:
            self.fill(worker)
        while self.pending and not self.plays:
            self.receive(wait(self.comm, MPI.ANY_SOURCE, MPI.ANY_TAG))
        while self.pending:  # rank 0 plays the next task while the workers play theirs
            pieces = self.tasks[self.pending.pop()]
            vectors, seeds = task_inputs(pieces, self.solutions, self.seeds)
            played = self.master.play_own(
                pieces, vectors, seeds, self.max_len, self.train, self.serve
            )
            scatter(pieces, played, self.returns, self.lengths)
            self.serve(now=True)
        while any(self.assigned.values()):  # nothing left to play: wait for the last results
            self.receive(wait(self.comm, MPI.ANY_SOURCE, MPI.ANY_TAG))
        MPI.Request.Waitall(self.sends)  # all done: every worker received before it replied
        return self.returns, self.lengths

    def hand_out(self, worker: int) -> None:
        task_id = self.pending.pop()
        pieces = self.tasks[task_id]
        fresh, held = [], self.holds[worker]
        for index, _ in pieces:  # only a task's first piece can be the solution a worker holds
            fresh.append(index != held)
            held = index
        source = VECTORS
        if self.population is not None:
            source = HELD_POPULATION if worker in self.informed else NEW_POPULATION
        head = [task_id, -1 if self.max_len is None else self.max_len, self.train, len(pieces)]
        head.append(source)
        for (index, episodes), new in zip(pieces, fresh, strict=True):
            head += [new, len(episodes), index]
        vectors, seeds = task_inputs(pieces, self.solutions, self.seeds)
        buffers = [(np.concatenate([head, *seeds]).astype(np.int64), TASK)]
        if source == NEW_POPULATION:
            buffers += [(part, POPULATION) for part in self.population]
            self.informed.add(worker)
        if source == VECTORS:
            buffers += [(v, PARAMS) for v, new in zip(vectors, fresh, strict=True) if new]
        for buffer, tag in buffers:  # a large buffer goes by rendezvous: a Send would wait long
            self.sends.append(self.comm.Isend(buffer, dest=worker, tag=tag))
            self.master.bytes_sent += buffer.nbytes
            self.master.messages += 1
        self.holds[worker] = held
        self.assigned[worker] += 1

    def fill(self, worker: int) -> None:
        """Queue a second task only while there is enough left for every rank, rank 0 too."""
        depth = IN_FLIGHT if len(self.pending) > len(self.master.workers) else 1
        while self.pending and self.assigned[worker] < depth:
            self.hand_out(worker)

    def receive(self, status) -> None:
        from mpi4py import MPI

        worker = status.Get_source()
        if status.Get_tag() == ERROR:
            task_id, text = self.comm.recv(source=worker, tag=ERROR)
            where = solutions_of(self.tasks[task_id])
            raise WorkerError(f"worker rank {worker} failed on {where}:\n{text}")
        result = np.empty(status.Get_count(MPI.DOUBLE))
        self.comm.Recv(result, source=worker, tag=RESULT)
        self.master.messages += 1
        self.assigned[worker] -= 1
        scatter(self.tasks[int(result[0])], np.split(result[2:], 2), self.returns, self.lengths)
        self.master.worker_seconds += result[1]
        self.fill(worker)

    def serve(self, now: bool = False) -> int:
        """During rank 0's own episodes, every SERVE_SECONDS (a probe costs microseconds): take
        in what came back, hand out what is due. Returns the steps to play before the next call:
        about SERVE_SECONDS of them at the pace of the steps since the last call (1 for an env
        whose steps take milliseconds, POLL_STEPS_MAX for a fast one)."""
        from mpi4py import MPI

        clock = time.perf_counter()
        per_step = (clock - self.called_at) / self.asked
        self.called_at = clock
        self.asked = int(min(max(SERVE_SECONDS / max(per_step, 1e-9), 1), POLL_STEPS_MAX))
        if not now and clock < self.probe_at:
            return self.asked
        probe = self.comm.Iprobe
        # MPICH's first probe may only make progress: a result already there shows on the second
        # (with one probe, rank 0 saw no results between its own episodes and played most tasks)
        while probe(MPI.ANY_SOURCE, MPI.ANY_TAG, self.status) or probe(
            MPI.ANY_SOURCE, MPI.ANY_TAG, self.status
        ):
            self.receive(self.status)
        self.probe_at = time.perf_counter() + SERVE_SECONDS
        return self.asked


def solutions_of(pieces) -> str:
    """'solution 3' or 'solutions 3, 4': what a task plays, for error messages."""
    indices = [str(index) for index, _ in pieces]
    return f"solution{'s' if len(indices) > 1 else ''} {', '.join(indices)}"


def worker_loop(comm, make_evaluator, num_params: int, longest_poll: float) -> None:
    """Ranks 1..n-1: play the episodes of each task until STOP, probing for the next at least
    every `longest_poll` seconds. Exceptions go back to the master."""
    from mpi4py import MPI

    # the master handles Ctrl-C / SIGTERM (checkpoint, then STOP); a dead master ends the job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    evaluator = population = None
    held = np.empty(num_params)  # the vector received last
    while True:
        status = wait(comm, 0, MPI.ANY_TAG, longest_poll)
        header = np.empty(status.Get_count(MPI.INT64_T), np.int64)
        comm.Recv(header, source=0, tag=status.Get_tag())
        if status.Get_tag() == STOP:
            break
        task_id, max_len, train, count, source = header[:5].tolist()
        pieces = header[5 : 5 + 3 * count].reshape(count, 3)
        seeds = np.split(header[5 + 3 * count :], np.cumsum(pieces[:-1, 1]))
        if source == NEW_POPULATION:
            population = receive_population(comm, num_params)
        vectors = []
        for fresh, _, index in pieces.tolist():
            if fresh and source == VECTORS:
                held = np.empty(num_params)
                comm.Recv(held, source=0, tag=PARAMS)
            elif fresh:
                held = population.solution(index)
            vectors.append(held)
        try:
            evaluator = evaluator or make_evaluator()
            start = time.perf_counter()
            returns, steps = evaluator.play_pieces(
                vectors, seeds, None if max_len < 0 else max_len, bool(train)
            )
            seconds = time.perf_counter() - start
            result = np.concatenate([[task_id, seconds], returns, steps]).astype(np.float64)
            comm.Send(result, dest=0, tag=RESULT)
        except Exception:
            comm.send((task_id, traceback.format_exc()), dest=0, tag=ERROR)


def receive_population(comm, num_params: int) -> GaussianPopulation:
    """The generation's `GaussianPopulation` from rank 0 (see the protocol)."""
    from mpi4py import MPI

    header = np.empty(HEADER_WORDS, np.int64)
    comm.Recv(header, source=0, tag=POPULATION)
    status = MPI.Status()
    comm.Probe(source=0, tag=POPULATION, status=status)
    data = np.empty(status.Get_count(MPI.DOUBLE))
    comm.Recv(data, source=0, tag=POPULATION)
    return GaussianPopulation.from_buffers(header, data, num_params)
