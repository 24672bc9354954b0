"""What every command shares: an argument parser whose errors are one line, and `fail`.

Bad input, in any command, is one line on stderr that names the problem and the fix, and exit
code 2 (argparse's own code for a usage error).
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from estool.log import logger

BAD_INPUT = 2  # exit code


class Parser(argparse.ArgumentParser):
    """argparse, with `PROG: error: MESSAGE` alone on stderr (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: error: {message}\n")


def fail(prog: str, message: object) -> int:
    """Log `PROG: error: MESSAGE` (stderr) and return the bad-input exit code."""
    logger.error("%s: error: %s", prog, message)
    return BAD_INPUT
