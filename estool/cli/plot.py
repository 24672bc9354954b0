"""`estool plot`'s entry point (also `python -m estool.plot`): runs -> one PNG, or `--live`."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from estool.cli.args import Parser, fail
from estool.log import logger, setup_logging
from estool.plot import MATPLOTLIB_MISSING, plot_runs, unique_bases, watch
from estool.training.runfiles import run_file
from estool.training.runlog import LogError

PROG = "estool plot"


def build_parser() -> Parser:
    p = Parser(
        prog=PROG,
        description="Plot fitness and evaluation scores of training runs to one PNG.",
    )
    p.add_argument(
        "runs", nargs="+", metavar="RUN", help="file base (log/GAME.OPT.E.POP) or any of its files"
    )
    p.add_argument("-o", "--output", type=Path, help="PNG to write (default: <first RUN>.png)")
    p.add_argument(
        "--generations", type=int, metavar="N", help="draw each run up to generation N only"
    )
    p.add_argument("--live", action="store_true", help="keep the PNG updated until Ctrl-C")
    p.add_argument(
        "--interval", type=float, default=10.0, help="seconds between --live checks (default 10)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """CLI: 0 on success (and on Ctrl-C with --live), 2 on a missing or malformed run."""
    setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.interval <= 0:
        parser.error(f"--interval {args.interval}: must be > 0")
    if args.generations is not None and args.generations < 1:
        parser.error(f"--generations {args.generations}: must be >= 1")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return fail(PROG, MATPLOTLIB_MISSING)
    bases = unique_bases(args.runs)
    out = args.output or run_file(bases[0], ".png")
    try:
        if args.live:
            # `kill` ends it as Ctrl-C does: no temp file left behind in the log folder
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            watch(bases, out, args.interval, args.generations)
        else:
            runs = plot_runs(bases, out, args.generations)
            logger.info("wrote %s (%s)", out, ", ".join(r.name for r in runs))
    except LogError as error:
        return fail(PROG, error)
    except KeyboardInterrupt:  # how --live ends (Ctrl-C, SIGTERM)
        if not args.live:
            raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
