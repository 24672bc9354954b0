"""`model.py`'s entry point: watch, record or score a saved policy.

    python model.py GAME FILE [SEED]                   a window (or, headless, a video file)
    python model.py GAME FILE --record out.mp4 -e 3     a video of 3 episodes (.mp4 or .gif)
    python model.py GAME FILE --norender -e 100 -n 4    each return, then mean ± std

Episode i runs with seed SEED + i (SEED defaults to 0), on the task itself (no training wrappers),
so the scores are the same for any number of workers and any rerun.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from estool.cli.args import Parser, fail
from estool.log import logger, setup_logging

PROG = "model.py"

NORENDER_EPISODES = 100  # estool's model.py scored 100 episodes


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Watch, record or score a saved policy.")
    parser.add_argument("game", help="a preset (e.g. cartpole_swingup) or a Gymnasium id")
    parser.add_argument(
        "file", help="parameters: .json, .best.json, .ckpt.pkl, or an estool (zoo) .json"
    )
    parser.add_argument(
        "seed", nargs="?", type=int, default=0, help="seed of episode 0; episode i uses SEED + i"
    )
    parser.add_argument(
        "-e",
        "--num_episode",
        type=int,
        default=None,
        help=f"episodes (default: 1 to watch or record, {NORENDER_EPISODES} with --norender)",
    )
    parser.add_argument("--norender", action="store_true", help="score only, no frames")
    parser.add_argument("--record", metavar="OUT", help="write a video: OUT.mp4 or OUT.gif")
    parser.add_argument(
        "-n", "--num_worker", type=int, default=1, help="MPI workers for --norender scoring"
    )
    parser.add_argument(
        "--max_len", type=int, default=None, help="cap on episode steps (default: the game's)"
    )
    parser.add_argument(
        "--wm", metavar="DIR", default=None, help="World Models games: the trained V and M "
        "(default: log/DESIGN.wm)",
    )  # fmt: skip
    parser.add_argument(
        "--dream", action="store_true", help="World Models games: play in M's dream, the frames "
        "decoded by V",
    )  # fmt: skip
    parser.add_argument(
        "--levels", metavar="FILE", help="games with levels: the list episodes draw from "
        "(default: the game's held-out levels)",
    )  # fmt: skip
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.num_episode is None:
        args.num_episode = NORENDER_EPISODES if args.norender else 1
    problems = [
        (args.num_episode < 1, f"-e {args.num_episode}: need at least 1 episode"),
        (args.num_worker < 1, f"-n {args.num_worker}: need at least 1 worker"),
        (args.seed < 0, f"SEED {args.seed}: seeds are non-negative integers"),
        (args.max_len is not None and args.max_len < 1, f"--max_len {args.max_len}: must be >= 1"),
        (args.norender and args.record, "--norender and --record exclude each other"),
        (
            args.num_worker > 1 and not args.norender,
            "-n spreads --norender scoring over workers; watching and recording use one process",
        ),
        (
            args.record is not None and Path(args.record).suffix not in (".mp4", ".gif"),
            f"--record {args.record}: use a .mp4 or .gif file name",
        ),
    ]
    for failed, message in problems:
        if failed:
            parser.error(message)
    return args


def main(argv: list[str] | None = None) -> int:
    from estool.evaluation.inputs import share_inputs
    from estool.evaluation.launch import mpi_rank, start_backend
    from estool.evaluation.local import PolicyEvaluator
    from estool.evaluation.mpi import WorkerError
    from estool.presets import preset_for
    from estool.presets.worldmodels import in_dream
    from estool.training.paramfile import read_params
    from models.registry import make_policy

    setup_logging()
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    try:
        preset = preset_for(args.game)
        if args.dream:
            preset = in_dream(preset)
        preset = preset.with_world_model(args.wm)
        # under MPI, the other ranks get these files from rank 0 (hosts need not share a disk)
        wm_dir, lists = share_inputs(preset.env.kwargs.get("wm_dir"), {"held_out": args.levels})
        preset = preset.with_world_model(wm_dir).with_levels(held_out=lists["held_out"])
        num_params = make_policy(preset.policy).param_count
        # the workers play what rank 0 sends them
        params = read_params(args.file, num_params, args.game) if mpi_rank() == 0 else None
    except ValueError as error:  # ParamFileError is one
        return fail(PROG, error)
    seeds = args.seed + np.arange(args.num_episode)
    if not args.norender:
        return play(preset, params, seeds, args)
    try:
        backend = start_backend(args.num_worker, lambda: PolicyEvaluator(preset), num_params)
    except ValueError as error:  # the env cannot be made (a missing ROM, extra...)
        return fail(PROG, error)
    if backend is None:  # a worker rank, done serving
        return 0
    try:
        returns, steps = backend.play(params[None], seeds[None], args.max_len, train=False)
    except WorkerError as error:
        logger.error("%s: error: %s", PROG, error)
        return 1
    finally:
        backend.close()
    report(returns[0], steps[0], seeds)
    return 0


def report(returns: np.ndarray, steps: np.ndarray, seeds: np.ndarray) -> None:
    for seed, value, length in zip(seeds, returns, steps, strict=True):
        logger.info("seed %d: return %.2f, %d steps", seed, value, length)
    logger.info(
        "mean %.2f ± %.2f over %d episode%s (seeds %d..%d)",
        np.mean(returns),
        np.std(returns),
        len(returns),
        "" if len(returns) == 1 else "s",
        seeds[0],
        seeds[-1],
    )


def play(preset, params: np.ndarray, seeds: np.ndarray, args: argparse.Namespace) -> int:
    """Render episodes to a window, or to a video file (`--record`, or headless by default)."""
    from estool.cli.frames import VideoRecorder, Window, has_display
    from estool.evaluation.rollout import simulate
    from models.registry import make_policy

    try:
        env = preset.env.make(render_mode="rgb_array")
    except ValueError as error:
        return fail(PROG, error)
    fps = env.metadata.get("render_fps") or 30
    record = args.record
    if record is None and not has_display():
        record = str(Path(args.file).with_suffix("")) + ".mp4"
        logger.info("no display: recording to %s (choose the file with --record)", record)
    try:
        sink = VideoRecorder(record, fps) if record else Window(f"{preset.name}: {args.file}", fps)
    except ImportError as error:
        return fail(PROG, error)
    policy = make_policy(preset.policy)
    policy.set_params(params)
    played = False
    try:
        returns, steps = simulate(policy, env, preset.env, seeds, args.max_len, on_frame=sink.add)
        played = True
    except KeyboardInterrupt:  # the window was closed, or Ctrl-C
        if record:
            logger.error("%s: stopped: no video written", PROG)
            return 130
        return 0
    finally:
        if played or not record:
            sink.close()  # a window always closes; a video is kept once every episode played
        else:
            sink.discard()
        env.close()
    report(returns, steps, seeds)
    if record:
        logger.info("wrote %s (%d frames at %g fps)", record, sink.count, fps)
    return 0
