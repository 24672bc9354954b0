"""The generation loop: ask -> play -> fitness -> tell -> log -> checkpoint -> (every eval_steps)
validate.

The backend (`estool.evaluation.backend.Backend`) plays episodes and returns their returns and
lengths; the trainer turns them into fitness (`--batch_mode`). Episode seeds come from
(seed_start, generation, solution index), so results depend on neither the backend nor the worker
count.
"""

from __future__ import annotations

import time

import numpy as np

from estool.evaluation.seeding import episode_seeds, validation_seeds
from estool.evaluation.threads import BlasThreads
from estool.log import logger
from estool.solvers import Solver, make_solver, takes
from estool.training.config import SOLVER_FLAGS, TrainConfig
from estool.training.fitness import fitness_of
from estool.training.lock import RunLock
from estool.training.resume import TrainState, restore
from estool.training.runfiles import HIST_COLUMNS, RunFiles

# a checkpoint is written at most this often (and after the first generation, after every
# evaluation and when the run stops): a kill replays at most this much training, and a long run's
# checkpoints, whose size grows with its history, cost a bounded share of the master's time
CHECKPOINT_SECONDS = 1.0


def build_solver(config: TrainConfig, num_params: int) -> Solver:
    """The solver named by `-o`, with estool train.py's settings and the flags it has."""
    flags = {f: getattr(config, f) for f in (*SOLVER_FLAGS, "antithetic")}
    kwargs = {f: value for f, value in flags.items() if takes(config.optimizer, f)}
    return make_solver(
        config.optimizer, num_params, popsize=config.population, seed=config.seed_start, **kwargs
    )


class Trainer:
    """One run: takes the file base's lock, then starts, resumes or starts over (see `run`)."""

    def __init__(self, config: TrainConfig, backend, num_params: int):
        self.config = config
        self.backend = backend
        self.lock = RunLock(config.filebase)
        try:
            self.files = RunFiles(config.filebase)
            self.solver, self.state = self._start(num_params)
        except BaseException:
            self.lock.release()
            raise
        self.blas = BlasThreads(config.solver_threads)
        self.config_dict = config.as_dict()  # the same in every checkpoint
        self.files.write_config(self.config_dict)
        self.eval_seeds = validation_seeds(config.seed_start, config.num_eval_episode)
        self.stop_requested = False  # set by a signal handler: stop after the next checkpoint
        self.saved_generation = self.checkpointed = self.state.generation
        self.clock = self.checkpoint_clock = time.perf_counter()
        self.cpu_clock = time.process_time()  # rank 0's CPU seconds, all its threads

    def _start(self, num_params: int) -> tuple[Solver, TrainState]:
        c = self.config
        if c.resume or (c.auto_resume and self.files.has_checkpoint()):
            return restore(c, self.files)
        earlier = self.files.earlier_outputs()
        if earlier and c.auto_resume:  # a run killed before its first checkpoint: nothing to keep
            logger.info("--auto_resume: no checkpoint for %s.*; starting over", c.filebase)
        elif earlier and not c.overwrite:
            raise ValueError(
                f"{c.filebase}.* holds an earlier run ({len(earlier)} files); continue it with "
                "--resume, or start over with --overwrite (deletes them)"
            )
        self.files.delete_earlier_outputs()
        return build_solver(c, num_params), TrainState()

    def checkpoint(self) -> None:
        """The state to resume from, and estool's current-parameters file with it (at most once
        a CHECKPOINT_SECONDS, not every generation: a file and its fsync each 25 ms generation)."""
        self.files.write_params(self.solver.current_param())
        self.files.write_checkpoint(
            {
                "config": self.config_dict,
                "popsize": self.config.population,
                "solver": self.solver.state_dict(copy_state=False),  # pickled right away
                # the evaluations' parameters are in .log.json, written before this
                "train": {**vars(self.state), "eval_log": [r[:2] for r in self.state.eval_log]},
            }
        )
        self.checkpointed = self.state.generation  # on disk after the next flush
        self.checkpoint_clock = time.perf_counter()

    def checkpoint_due(self) -> bool:
        """Whether the generation just played is checkpointed (see CHECKPOINT_SECONDS)."""
        s, c = self.state, self.config
        return (
            self.checkpointed == 0
            or s.generation % c.eval_steps == 0
            or time.perf_counter() - self.checkpoint_clock >= CHECKPOINT_SECONDS
        )

    def validate(self, params: np.ndarray) -> float:
        """Mean return of `params` over the fixed validation seeds, one episode per seed."""
        returns, _ = self.backend.play(params[None], self.eval_seeds[None], None, train=False)
        return float(np.mean(returns))

    def step(self) -> dict:
        """One generation; returns its progress row."""
        c, s = self.config, self.state
        # a generation's time runs from the end of the previous one, so that it includes the
        # previous generation's file writes and checkpoint
        start = self.clock
        with self.blas.solver():
            solutions = self.solver.ask()
        seeds = episode_seeds(
            c.seed_start, s.generation, c.population, c.num_episode, c.antithetic, c.common_seeds
        )
        sent, busy = self.backend.bytes_sent, self.backend.worker_seconds
        messages = self.backend.messages
        evaluate_start = time.perf_counter()
        population = self.solver.population()  # with row_seeds: workers rebuild the solutions
        returns, lengths = self.backend.play(solutions, seeds, s.max_len, population=population)
        evaluate_seconds = time.perf_counter() - evaluate_start
        fitness, steps = fitness_of(returns, lengths, c.batch_mode)
        sent = self.backend.bytes_sent - sent
        busy = self.backend.worker_seconds - busy
        messages = self.backend.messages - messages
        with self.blas.solver():
            self.solver.tell(fitness)
        s.generation += 1
        if c.cap_time:
            s.max_len = 2 * int(np.mean(steps) + 1.0)
        finite = fitness[np.isfinite(fitness)]
        row = dict(
            generation=s.generation,
            fitness_mean=float(np.mean(finite)),
            fitness_min=float(np.min(finite)),
            fitness_max=float(np.max(finite)),
            fitness_std=float(np.std(finite)),
            rms_sigma=self.solver.rms_stdev(),
            steps_mean=float(np.mean(steps)),
            steps_max=float(np.max(steps)),
            env_steps=int(np.sum(steps) * c.num_episode),
            bytes_sent=sent,  # master -> workers, this generation's solutions (MPI only)
            worker_seconds=busy,  # summed over the ranks, in their rollouts (MPI only)
            messages=messages,  # sent and received by rank 0 (MPI only)
        )
        if s.generation % c.eval_steps == 0:
            validate_start = time.perf_counter()
            self.evaluate_and_keep_best()
            evaluate_seconds += time.perf_counter() - validate_start
        cpu_start, self.cpu_clock = self.cpu_clock, time.process_time()
        self.clock = time.perf_counter()
        elapsed = self.clock - start
        s.seconds += elapsed
        row.update(
            seconds=s.seconds,
            best_eval=s.best_score,
            env_steps_per_second=row["env_steps"] / max(elapsed, 1e-9),
            # ask, tell, files and checkpoint: what the workers wait for (evaluations excluded)
            master_seconds=elapsed - evaluate_seconds,
            # rank 0's CPU time in the generation, its own rollouts' included: the master's load
            master_cpu_seconds=self.cpu_clock - cpu_start,
            time=time.time(),  # when the generation ended (Unix seconds), to line runs up
        )
        s.hist.append([row[name] for name in HIST_COLUMNS])
        return row

    def evaluate_and_keep_best(self) -> None:
        s = self.state
        params = self.solver.current_param()
        score = self.validate(params)
        s.eval_log.append([s.generation, score, params.tolist()])
        self.files.write_eval_log(s.eval_log)
        if s.best_score is None or score > s.best_score:
            s.best_score, s.best_params = score, params
        elif self.config.retrain:
            self.solver.set_mu(s.best_params)
            logger.info("eval %.2f below best %.2f: mean reset to best", score, s.best_score)
        self.files.write_best(s.best_params, s.best_score)
        self.files.write_hist(s.hist)

    def done(self) -> bool:
        c, s = self.config, self.state
        if c.max_generations is not None and s.generation >= c.max_generations:
            return True
        return c.target_fitness is not None and (s.best_score or -np.inf) >= c.target_fitness

    def run(self) -> TrainState:
        try:
            self._run()
        finally:
            self.files.flush()  # everything asked for is on disk (also on an error)
            self.lock.release()
        self.saved_generation = self.checkpointed
        return self.state

    def _run(self) -> None:
        while not self.done() and not self.stop_requested:
            row = self.step()
            self.files.flush()  # the previous generation's writes: at most one in flight
            self.files.append_progress(row)
            if self.checkpoint_due():
                self.checkpoint()
            best = "-" if row["best_eval"] is None else f"{row['best_eval']:.2f}"
            logger.info(
                "gen %d  fitness mean %.2f min %.2f max %.2f  best eval %s  sigma %.4f"
                "  steps %.1f  %.0f env steps/s",
                row["generation"],
                row["fitness_mean"],
                row["fitness_min"],
                row["fitness_max"],
                best,
                row["rms_sigma"],
                row["steps_mean"],
                row["env_steps_per_second"],
            )
        if self.checkpointed != self.state.generation:  # stopped or done: the last one too
            self.checkpoint()
        self.files.write_hist(self.state.hist)
