"""The generation loop: ask -> evaluate -> tell -> log -> checkpoint -> (every eval_steps) validate.

The evaluation backend is the in-process `PolicyEvaluator` or the MPI master (`Backend`): `play`
gives each episode's return and steps, `evaluate` each solution's fitness and mean steps. Episode
seeds come from (seed_start, generation, solution index), so results do not depend on the backend
or worker count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from estool.config import TrainConfig
from estool.log import logger
from estool.runfiles import HIST_COLUMNS, RunFiles
from estool.seeding import episode_seeds, validation_seeds
from estool.solvers import Solver, make_solver, solver_from_state
from estool.threads import BlasThreads

# what may change when a run is resumed: when to stop, how the population is split over workers
# (results do not depend on it; the population size itself must stay), and the solver's BLAS
# threads, whose default depends on the machine (on another machine, OpenBLAS picks other
# kernels for this CPU, and a large CMA-ES rounds differently anyway)
RESUMABLE = (
    "resume",
    "max_generations",
    "target_fitness",
    "num_worker",
    "num_worker_trial",
    "solver_threads",
)


def build_solver(config: TrainConfig, num_params: int) -> Solver:
    """The solver named by `-o`, with estool train.py's settings and the run's flags."""
    kwargs = dict(sigma_init=config.sigma_init, popsize=config.population, seed=config.seed_start)
    if config.optimizer != "cma":
        kwargs["sigma_decay"] = config.sigma_decay
    if config.optimizer == "openes":
        kwargs["antithetic"] = config.antithetic
    if config.optimizer == "cma":
        kwargs["diagonal"] = config.diagonal
    return make_solver(config.optimizer, num_params, **kwargs)


@dataclass
class TrainState:
    """What the checkpoint holds besides the solver."""

    generation: int = 0
    seconds: float = 0.0
    max_len: int | None = None
    best_score: float | None = None
    best_params: np.ndarray | None = None
    hist: list = field(default_factory=list)  # rows of HIST_COLUMNS
    eval_log: list = field(default_factory=list)  # [generation, score, params]


class Trainer:
    def __init__(self, config: TrainConfig, backend, num_params: int):
        self.config = config
        self.backend = backend
        self.blas = BlasThreads(config.solver_threads)
        self.files = RunFiles(config.filebase)
        if config.resume:
            checkpoint = self.files.read_checkpoint()
            # flags a checkpoint from an older version lacks have their default
            defaults = {**TrainConfig(config.game).as_dict(), **checkpoint["config"]}
            saved, now = {**defaults, "popsize": checkpoint["popsize"]}, config.as_dict()
            now["popsize"] = config.population
            changed = sorted(k for k in now if k not in RESUMABLE and saved.get(k) != now[k])
            if changed:
                raise ValueError(
                    f"--resume: {self.files.path('.ckpt.pkl')} was made with other "
                    f"{', '.join(changed)}; use the same flags"
                )
            self.solver = solver_from_state(checkpoint["solver"])
            self.state = TrainState(**checkpoint["train"])
            self.state.eval_log = self.files.restore_eval_log(self.state.eval_log)
            self.files.truncate_progress(self.state.generation)
        else:
            self.solver = build_solver(config, num_params)
            self.state = TrainState()
        self.files.write_config(config.as_dict())
        self.eval_seeds = validation_seeds(config.seed_start, config.num_eval_episode)
        self.stop_requested = False  # set by a signal handler: stop after the next checkpoint
        self.saved_generation = self.checkpointed = self.state.generation
        self.clock = time.perf_counter()

    def checkpoint(self) -> None:
        self.files.write_checkpoint(
            {
                "config": self.config.as_dict(),
                "popsize": self.config.population,
                "solver": self.solver.state_dict(copy_state=False),  # pickled right away
                # the evaluations' parameters are in .log.json, written before this
                "train": {**vars(self.state), "eval_log": [r[:2] for r in self.state.eval_log]},
            }
        )
        self.checkpointed = self.state.generation  # on disk after the next flush

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
        seeds = episode_seeds(c.seed_start, s.generation, c.population, c.num_episode, c.antithetic)
        sent, busy = (getattr(self.backend, k, 0) for k in ("bytes_sent", "worker_seconds"))
        evaluate_start = time.perf_counter()
        fitness, steps = self.backend.evaluate(solutions, seeds, s.max_len)
        evaluate_seconds = time.perf_counter() - evaluate_start
        sent = getattr(self.backend, "bytes_sent", 0) - sent
        busy = getattr(self.backend, "worker_seconds", 0) - busy
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
        )
        if s.generation % c.eval_steps == 0:
            validate_start = time.perf_counter()
            self.evaluate_and_keep_best()
            evaluate_seconds += time.perf_counter() - validate_start
        self.clock = time.perf_counter()
        elapsed = self.clock - start
        s.seconds += elapsed
        row.update(
            seconds=s.seconds,
            best_eval=s.best_score,
            env_steps_per_second=row["env_steps"] / max(elapsed, 1e-9),
            # ask, tell, files and checkpoint: what the workers wait for (evaluations excluded)
            master_seconds=elapsed - evaluate_seconds,
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
        self.saved_generation = self.checkpointed
        return self.state

    def _run(self) -> None:
        while not self.done() and not self.stop_requested:
            row = self.step()
            self.files.flush()  # the previous generation's writes: at most one in flight
            self.files.write_params(self.solver.current_param())
            self.files.append_progress(row)
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
        self.files.write_hist(self.state.hist)
