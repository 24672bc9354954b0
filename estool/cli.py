"""`train.py`'s entry point: parse, pick the backend (in-process or MPI), run the trainer.

`-n N` with N > 1 relaunches the command under `mpiexec -n N` (rank 0 is the master, and plays
rollouts too); started under mpiexec already, the world's ranks are used as they are.
"""

from __future__ import annotations

import signal
import sys

from estool.config import parse_config
from estool.evaluate import PolicyEvaluator
from estool.games import game_for, make_policy
from estool.log import logger, setup_logging
from estool.mpi import WorkerError, start_backend
from estool.threads import BlasThreads


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
    BlasThreads()  # every rank's rollouts on one BLAS thread (rank 0's solver: `Trainer`)
    backend = start_backend(
        config.num_worker,
        lambda: PolicyEvaluator(game, config.batch_mode),
        num_params,
        config.batch_mode,
    )
    if backend is None:  # a worker rank, done serving
        return 0
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
