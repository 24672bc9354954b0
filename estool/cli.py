"""`train.py`'s entry point: parse, build the backend, run the trainer."""

from __future__ import annotations

import sys

from estool.config import parse_config
from estool.evaluate import PolicyEvaluator
from estool.games import game_for, make_policy
from estool.log import logger, setup_logging


def train_main(argv: list[str] | None = None) -> int:
    setup_logging()
    config = parse_config(argv)
    try:
        game = game_for(config.game)
    except ValueError as error:
        logger.error("error: %s", error)
        return 2
    if config.num_worker > 1:
        logger.error("error: -n %d: only -n 1 (in-process) runs in this version", config.num_worker)
        return 2
    from estool.trainer import Trainer

    backend = PolicyEvaluator(game, config.batch_mode)
    num_params = make_policy(game).param_count
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
    state = trainer.run()
    logger.info("done after %d generations; best eval %s", state.generation, state.best_score)
    return 0


if __name__ == "__main__":
    sys.exit(train_main())
