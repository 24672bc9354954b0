"""`train.py`'s entry point: parse, pick the backend (in-process or MPI), run the trainer.

`-n N` with N > 1 relaunches the command under `mpiexec -n N` (rank 0 is the master, and plays
rollouts too); started under mpiexec already, the world's ranks are used as they are.
"""

from __future__ import annotations

import signal
import sys
from dataclasses import replace

from estool.cli.args import fail
from estool.evaluation.inputs import share_inputs
from estool.evaluation.launch import start_backend
from estool.evaluation.local import PolicyEvaluator
from estool.evaluation.mpi import WorkerError
from estool.evaluation.threads import BlasThreads
from estool.log import logger, setup_logging
from estool.presets import preset_for
from estool.training.config import parse_config
from models.registry import make_policy

PROG = "train.py"


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    argv = sys.argv[1:] if argv is None else argv
    config = parse_config(argv)
    try:
        preset = preset_for(config.game).with_world_model(config.wm, config.log_dir)
        # under MPI, the other ranks get these files from rank 0 (hosts need not share a disk)
        wm_dir, lists = share_inputs(
            preset.env.kwargs.get("wm_dir"),
            {"training": config.train_levels, "held_out": config.test_levels},
        )
        preset = (
            preset.with_world_model(wm_dir)
            .with_training_wrappers(config.wrap)
            .with_levels(lists["training"], lists["held_out"])
        )
    except ValueError as error:
        return fail(PROG, error)
    if preset.world_model is not None:  # the run's config records the directory it used
        config = replace(config, wm=preset.env.kwargs["wm_dir"])
    num_params = make_policy(preset.policy).param_count
    BlasThreads()  # every rank's rollouts on one BLAS thread (rank 0's solver: `Trainer`)
    try:
        backend = start_backend(
            config.num_worker, lambda: PolicyEvaluator(preset, config.lockstep), num_params
        )
    except ValueError as error:  # the env cannot be made (a missing ROM, extra...)
        return fail(PROG, error)
    if backend is None:  # a worker rank, done serving
        return 0
    try:
        return run_training(config, backend, num_params)
    finally:
        backend.close()


def run_training(config, backend, num_params: int) -> int:
    from estool.training.lock import RunLocked
    from estool.training.trainer import Trainer

    try:
        trainer = Trainer(config, backend, num_params)
    except (ValueError, FileNotFoundError, RunLocked) as error:
        return fail(PROG, error)
    logger.info(
        "%s: %d parameters, %s, popsize %d, files %s.*",
        config.game,
        num_params,
        config.optimizer,
        config.population,
        config.filebase,
    )

    def request_stop(signum, frame):
        if trainer.stop_requested:  # a second Ctrl-C: stop now, the last checkpoint stands
            raise KeyboardInterrupt
        trainer.stop_requested = True
        logger.info("signal %d: stopping after this generation's checkpoint", signum)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        state = trainer.run()
    except WorkerError as error:
        logger.error("%s: error: %s", PROG, error)
        return 1
    except KeyboardInterrupt:
        pass
    if trainer.stop_requested:
        logger.error(
            "stopped: checkpoint at generation %d; continue with --resume",
            trainer.saved_generation,
        )
        return 130
    logger.info("done after %d generations; best eval %s", state.generation, state.best_score)
    return 0


if __name__ == "__main__":
    sys.exit(main())
