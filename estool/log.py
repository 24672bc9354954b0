"""The one place the project writes messages: the `estool` logger, to stdout, plain lines."""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("estool")


def setup_logging(level: int = logging.INFO) -> None:
    """Route the `estool` logger to stdout once (idempotent)."""
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
