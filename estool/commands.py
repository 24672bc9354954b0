"""The `estool` console command: `estool train|model|plot ARGS...`, the same as `python train.py`,
`python model.py` and `python -m estool.plot`."""

from __future__ import annotations

import importlib
import sys

from estool.log import logger, setup_logging

COMMANDS = {
    "train": ("estool.cli", "train_main", "evolve a policy (python train.py)"),
    "model": ("estool.watch", "model_main", "watch, record or score a policy (python model.py)"),
    "plot": ("estool.plot", "main", "plot training progress to a PNG"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        setup_logging()
        listing = "".join(f"\n  {name:<6} {help_}" for name, (_, _, help_) in COMMANDS.items())
        logger.error("usage: estool {%s} ARGS... (-h for help)%s", ",".join(COMMANDS), listing)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    module, function, _ = COMMANDS[argv[0]]
    return getattr(importlib.import_module(module), function)(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
