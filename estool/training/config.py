"""Training configuration: one validated dataclass, parsed from estool's command-line flags.

Flags that set a solver hyperparameter of the same name (`SOLVER_FLAGS`) are refused, when given,
for a solver that has no such hyperparameter: the solver registry says which it has.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, field
from pathlib import Path

from estool.cli.args import Parser
from estool.evaluation.threads import default_solver_threads
from estool.solvers import solver_names, takes
from estool.training.fitness import BATCH_MODES

# flags that set the solver's hyperparameter of the same name
SOLVER_FLAGS = ("sigma_init", "sigma_decay", "diagonal", "row_seeds")


@dataclass(frozen=True)
class TrainConfig:
    """A training run; the flag of each field is in `build_parser`."""

    game: str
    optimizer: str = "cma"
    num_episode: int = 1
    num_worker: int = 1
    num_worker_trial: int = 4
    popsize: int | None = None  # default num_worker * num_worker_trial, as estool
    eval_steps: int = 25
    num_eval_episode: int = 16
    antithetic: bool = False
    common_seeds: bool = False  # every solution of a generation plays the same episodes
    cap_time: bool = False
    retrain: bool = False
    seed_start: int = 111
    sigma_init: float = 0.10
    sigma_decay: float = 0.999
    batch_mode: str = "mean"
    diagonal: bool = False  # CMA-ES only: sep-CMA-ES, a diagonal covariance
    row_seeds: bool = False  # OpenES, PEPG: workers rebuild solutions from seeds
    solver_threads: int = field(default_factory=default_solver_threads)  # BLAS, ask and tell
    lockstep: bool = True  # play several episodes together where the env has a vector form
    max_generations: int | None = None
    target_fitness: float | None = None
    log_dir: str = "log"
    wm: str | None = None  # World Models games: the model directory (default log_dir/DESIGN.wm)
    wrap: tuple[str, ...] = ()  # training wrappers added to the preset's (`envs.wrappers`)
    train_levels: str | None = None  # level lists (`envs.levels`) of games that play levels
    test_levels: str | None = None
    resume: bool = False
    auto_resume: bool = False  # resume when a checkpoint exists, else start (batch jobs)
    overwrite: bool = False  # start over, deleting the files of an earlier run on this file base

    @property
    def population(self) -> int:
        return self.popsize or self.num_worker * self.num_worker_trial

    @property
    def filebase(self) -> Path:
        """estool's file naming: <log_dir>/<game>.<opt>.<num_episode>.<popsize>"""
        name = f"{self.game}.{self.optimizer}.{self.num_episode}.{self.population}"
        return Path(self.log_dir) / name

    def validate(self) -> None:
        """Raise ValueError with a one-line message naming the bad value and the fix."""
        checks = [
            (self.optimizer in solver_names(), f"-o {self.optimizer}: choose {solver_names()}"),
            (self.num_episode >= 1, f"-e {self.num_episode}: need at least 1 episode"),
            (self.num_worker >= 1, f"-n {self.num_worker}: need at least 1 worker"),
            (self.num_worker_trial >= 1, f"-t {self.num_worker_trial}: need >= 1 per worker"),
            (self.population >= 2, f"popsize {self.population}: need at least 2"),
            (self.eval_steps >= 1, f"--eval_steps {self.eval_steps}: need >= 1"),
            (self.num_eval_episode >= 1, f"--num_eval_episode {self.num_eval_episode}: need >= 1"),
            (self.sigma_init > 0, f"--sigma_init {self.sigma_init}: must be > 0"),
            (0 < self.sigma_decay <= 1, f"--sigma_decay {self.sigma_decay}: must be in (0, 1]"),
            (self.solver_threads >= 1, f"--solver_threads {self.solver_threads}: need >= 1"),
            (
                self.batch_mode in BATCH_MODES,
                f"--batch_mode {self.batch_mode}: {' or '.join(BATCH_MODES)}",
            ),
            (
                self.max_generations is None or self.max_generations >= 1,
                f"--max_generations {self.max_generations}: need >= 1",
            ),
            (
                not ((self.resume or self.auto_resume) and self.overwrite),
                "--resume continues the earlier run, --overwrite deletes it: choose one",
            ),
            (
                not self.antithetic or self.population % 2 == 0,
                f"--antithetic needs an even popsize, got {self.population}",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    def as_dict(self) -> dict:
        return asdict(self)


def refuse_foreign_solver_flags(args, optimizer: str) -> None:
    """ValueError for a flag of SOLVER_FLAGS that was given (not None) but that `optimizer`
    has no hyperparameter for; then fill in the defaults of those not given."""
    defaults = TrainConfig("")
    for flag in SOLVER_FLAGS:
        if getattr(args, flag) is None:
            setattr(args, flag, getattr(defaults, flag))
        elif optimizer in solver_names() and not takes(optimizer, flag):
            users = ", ".join(f"-o {name}" for name in solver_names() if takes(name, flag))
            raise ValueError(f"--{flag} does not apply to -o {optimizer}, only to {users}")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="train.py",
        description="Evolve a policy for GAME (a preset or any Gymnasium id) with an ES solver.",
    )
    d = TrainConfig("")
    flag = argparse.BooleanOptionalAction
    p.add_argument("game", help="preset (e.g. cartpole_swingup) or Gymnasium id (e.g. Pendulum-v1)")
    p.add_argument("-o", "--optimizer", default=d.optimizer, help=f"one of {solver_names()}")
    p.add_argument("-e", "--num_episode", type=int, default=d.num_episode, help="episodes/fitness")
    p.add_argument(
        "-n", "--num_worker", type=int, default=d.num_worker, help="processes, master included"
    )
    p.add_argument(
        "-t", "--num_worker_trial", type=int, default=d.num_worker_trial, help="solutions/worker"
    )
    p.add_argument("--popsize", type=int, default=None, help="population (default: n * t)")
    p.add_argument("--eval_steps", type=int, default=d.eval_steps, help="gens per eval")
    p.add_argument(
        "--num_eval_episode", type=int, default=d.num_eval_episode, help="validation episodes"
    )
    p.add_argument("--antithetic", action=flag, default=d.antithetic, help="mirrored pairs")
    p.add_argument(
        "--common_seeds",
        action=flag,
        default=d.common_seeds,
        help="every solution of a generation plays the same episodes (less noisy ranking)",
    )
    p.add_argument("--cap_time", action=flag, default=d.cap_time, help="cap episodes at 2x mean")
    p.add_argument("--retrain", action=flag, default=d.retrain, help="reset to best if no gain")
    p.add_argument("-s", "--seed_start", type=int, default=d.seed_start, help="run seed")
    p.add_argument("--sigma_init", type=float, help=f"initial sigma (default {d.sigma_init})")
    p.add_argument(
        "--sigma_decay", type=float, help=f"sigma annealing (default {d.sigma_decay}; not cma)"
    )
    p.add_argument("--batch_mode", default=d.batch_mode, help="mean or min over the episodes")
    p.add_argument("--diagonal", action=flag, help="cma only: diagonal covariance, O(n) cost")
    p.add_argument(
        "--row_seeds",
        action=flag,
        help="openes, pepg: each perturbation from its own seed, so that MPI workers get the "
        "mean once a generation and rebuild the solutions (for 100k+ parameters; another "
        "random stream than without it)",
    )
    p.add_argument(
        "--solver_threads",
        type=int,
        default=d.solver_threads,
        help="BLAS threads of ask and tell (default: min(4, cores)); keep it to reproduce a run",
    )
    p.add_argument(
        "--lockstep",
        action=flag,
        default=d.lockstep,
        help="step several episodes together where the env allows it (same results, faster)",
    )
    p.add_argument("--max_generations", type=int, default=None, help="stop after N generations")
    p.add_argument("--target_fitness", type=float, default=None, help="stop at this eval score")
    p.add_argument("--log_dir", default=d.log_dir, help="output folder")
    p.add_argument(
        "--wm",
        metavar="DIR",
        default=None,
        help="World Models games (doom_dream, doom_real, carracing_wm): the directory of the "
        "trained V and M (default: LOG_DIR/DESIGN.wm, as `estool wm collect` makes it)",
    )
    p.add_argument(
        "--wrap",
        metavar="NAME",
        action="append",
        default=[],
        help="add a training wrapper, e.g. early_stop (or early_stop:STEPS:THRESHOLD): an "
        "episode ends when its mean reward over 300 steps is <= 10; evaluations never use it",
    )
    p.add_argument(
        "--train_levels", metavar="FILE", help="games with levels: the training levels' list"
    )
    p.add_argument(
        "--test_levels", metavar="FILE", help="games with levels: the held-out levels' list"
    )
    p.add_argument("--resume", action=flag, default=d.resume, help="continue from the checkpoint")
    p.add_argument(
        "--auto_resume",
        action=flag,
        default=d.auto_resume,
        help="continue from the checkpoint if there is one, else start: for a batch job that "
        "its scheduler may requeue (the same command either way)",
    )
    p.add_argument(
        "--overwrite",
        action=flag,
        default=d.overwrite,
        help="start over, deleting the files of an earlier run with the same name",
    )
    return p


def parse_config(argv: list[str] | None = None) -> TrainConfig:
    """Parse and validate; a bad value exits with a one-line error (argparse's exit code 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        refuse_foreign_solver_flags(args, args.optimizer)  # an unknown -o: validate() says so
        config = TrainConfig(**{**vars(args), "wrap": tuple(args.wrap)})
        config.validate()
    except ValueError as error:
        parser.error(str(error))
    return config
