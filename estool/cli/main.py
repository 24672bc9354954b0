"""The `estool` console command: `estool train|model|plot|wm ARGS...`; the first three are the
same as `python train.py`, `python model.py` and `python -m estool.plot`."""

from __future__ import annotations

import importlib
import sys

from estool.cli.args import BAD_INPUT
from estool.log import logger, setup_logging

COMMANDS = {
    "train": ("estool.cli.train", "evolve a policy (python train.py)"),
    "model": ("estool.cli.model", "watch, record or score a policy (python model.py)"),
    "plot": ("estool.cli.plot", "plot training progress to a PNG"),
    "wm": ("estool.cli.wm", "World Models: collect, train-vae, encode, train-rnn"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        setup_logging()
        if argv[:1] in (["-h"], ["--help"]):
            listing = "".join(f"\n  {name:<6} {help_}" for name, (_, help_) in COMMANDS.items())
            logger.info("usage: estool {%s} ARGS... (-h for help)%s", ",".join(COMMANDS), listing)
            return 0
        given = f"unknown command {argv[0]!r}" if argv else "no command"
        logger.error("estool: error: %s; choose one of %s", given, ", ".join(COMMANDS))
        return BAD_INPUT
    return importlib.import_module(COMMANDS[argv[0]][0]).main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
