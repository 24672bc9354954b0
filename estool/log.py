"""The one place the project writes messages: the `estool` logger, plain lines.

Progress goes to stdout; warnings and errors go to stderr, so that a failing command's one line
is where shells and schedulers look for it.
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("estool")


class _Below(logging.Filter):
    def __init__(self, level: int):
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < self.level


def setup_logging(level: int = logging.INFO) -> None:
    """Route the `estool` logger to stdout (below WARNING) and stderr, once (idempotent)."""
    if not logger.handlers:
        out = logging.StreamHandler(sys.stdout)
        out.addFilter(_Below(logging.WARNING))
        err = logging.StreamHandler(sys.stderr)
        err.setLevel(logging.WARNING)
        for handler in (out, err):
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
