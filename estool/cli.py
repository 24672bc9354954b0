"""`train.py`'s entry point: parse, pick the backend (in-process or MPI), run the trainer.

`-n N` with N > 1 relaunches the command under `mpiexec -n N+1` (rank 0 is the master); started
under mpiexec already, the world's ranks are used as they are.
"""

from __future__ import annotations

import signal
import sys

from estool.config import parse_config
from estool.evaluate import PolicyEvaluator
from estool.games import game_for, make_policy
from estool.log import logger, setup_logging
from estool.mpi import MPIMaster, WorkerError, mpi_size, relaunch, worker_loop


def train_main(argv: list[str] | None = None) -> int:
    setup_logging()
    argv = sys.argv[1:] if argv is None else argv
    config = parse_config(argv)
    try:
        game = game_for(config.game)
    except ValueError as error:
        logger.error("error: %s", error)
        return 2
    num_params = make_policy(game).param_count
    if config.num_worker > 1 and mpi_size() == 1:
        relaunch(config.num_worker + 1, [sys.argv[0], *argv])

    def make_evaluator() -> PolicyEvaluator:
        return PolicyEvaluator(game, config.batch_mode)

    if mpi_size() > 1:
        from mpi4py import MPI

        comm = MPI.COMM_WORLD
        if comm.Get_rank() != 0:
            worker_loop(comm, make_evaluator, num_params)
            return 0
        backend = MPIMaster(comm)
    else:
        backend = make_evaluator()
    try:
        return run_training(config, backend, num_params)
    finally:
        backend.close()


def run_training(config, backend, num_params: int) -> int:
    from estool.trainer import Trainer

    try:
        trainer = Trainer(config, backend, num_params)
    except (ValueError, FileNotFoundError) as error:
        logger.error("error: %s", error)
        return 2
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
        logger.error("error: %s", error)
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
    sys.exit(train_main())
