"""Resuming a run: its checkpoint (or the one before, if the latest is damaged), checked against
the command's flags, gives the solver and the trainer's state back exactly."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from estool.solvers import Solver, solver_from_state
from estool.training.config import TrainConfig
from estool.training.runfiles import RunFiles

# what may change when a run is resumed: when to stop, how the population is split over workers
# (results do not depend on it; the population size itself must stay), where the files are (a
# run folder can move), and the solver's BLAS threads, whose default depends on the machine (on
# another machine, OpenBLAS picks other kernels, and a large CMA-ES rounds differently anyway)
RESUMABLE = (
    "resume",
    "auto_resume",
    "overwrite",
    "max_generations",
    "target_fitness",
    "num_worker",
    "num_worker_trial",
    "solver_threads",
    "log_dir",
    "lockstep",  # the same episodes, played together or one at a time
)


@dataclass
class TrainState:
    """What the checkpoint holds besides the solver."""

    generation: int = 0
    seconds: float = 0.0
    max_len: int | None = None
    best_score: float | None = None
    best_params: np.ndarray | None = None
    hist: list = field(default_factory=list)  # rows of runfiles.HIST_COLUMNS
    eval_log: list = field(default_factory=list)  # [generation, score, params]


def restore(config: TrainConfig, files: RunFiles) -> tuple[Solver, TrainState]:
    """The solver and state of `files`' checkpoint; ValueError if the flags that shape the run
    differ from the checkpoint's, or if no checkpoint loads."""
    checkpoint = files.read_checkpoint()
    # flags a checkpoint from an older version lacks have their default
    defaults = {**TrainConfig(config.game).as_dict(), **checkpoint["config"]}
    saved, now = {**defaults, "popsize": checkpoint["popsize"]}, config.as_dict()
    now["popsize"] = config.population
    changed = sorted(k for k in now if k not in RESUMABLE and saved.get(k) != now[k])
    if changed:
        raise ValueError(
            f"--resume: {files.path('.ckpt.pkl')} was made with other "
            f"{', '.join(changed)}; use the same flags"
        )
    solver = solver_from_state(checkpoint["solver"])
    state = TrainState(**checkpoint["train"])
    state.eval_log = files.restore_eval_log(state.eval_log)
    files.truncate_progress(state.generation)
    return solver, state
