"""`estool wm STEP ...`: the World Models pipeline, one resumable step at a time.

    estool wm collect doom --episodes 1000 -n 8 --out log/doom.wm   random rollouts -> shards
    estool wm collect sonic --movies DIR -n 8                       recorded play (.bk2) -> shards
    estool wm train-vae log/doom.wm --epochs 10                     V, streamed from the shards
    estool wm encode log/doom.wm                                    (mu, logvar) per frame
    estool wm train-rnn log/doom.wm --epochs 20                     M, and the dream's start states

Then `python train.py doom_dream --wm log/doom.wm ...` evolves C in the dream and
`python model.py doom_real FILE --wm log/doom.wm` plays it in ViZDoom. Run a step again to resume
it after a kill, or to extend it (more episodes, more epochs).
"""

from __future__ import annotations

import argparse
import sys

from estool.cli.args import Parser, fail
from estool.log import logger, setup_logging

PROG = "estool wm"
STEPS = ("collect", "train-vae", "encode", "train-rnn")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description=__doc__.split("\n")[0])
    steps = parser.add_subparsers(dest="step", required=True, parser_class=Parser)

    collect = steps.add_parser("collect", help="play the random policy; store the episodes")
    collect.add_argument("game", help="a design (doom, carracing, sonic...) or a WM preset")
    collect.add_argument("--episodes", type=int, default=None, help="episodes the dir holds")
    collect.add_argument("-n", "--num_worker", type=int, default=1, help="MPI processes")
    collect.add_argument("--out", default=None, help="model directory (default log/DESIGN.wm)")
    collect.add_argument("--seed", type=int, default=0, help="episode i plays from (SEED, i)")
    collect.add_argument("--max_steps", type=int, default=None, help="cap on episode steps")
    collect.add_argument(
        "--policy", metavar="FILE", default=None, help="play this saved controller (through "
        "the V and M of --wm) instead of the random policy",
    )  # fmt: skip
    collect.add_argument("--wm", metavar="DIR", default=None, help="--policy's V and M")
    collect.add_argument(
        "--held", type=float, default=0.0, metavar="FRACTION", help="this fraction of the "
        "random policy's episodes holds one random action throughout (default 0)",
    )  # fmt: skip
    collect.add_argument(
        "--movies", metavar="PATH", nargs="+", default=None, help="retro games: replay these "
        ".bk2 movies (files or folders) at the design's frame skip, an episode each",
    )  # fmt: skip

    for name, help_ in (
        ("train-vae", "train V on the collected frames"),
        ("encode", "V's mu and logvar for every frame"),
        ("train-rnn", "train M on the encoded episodes"),
    ):
        step = steps.add_parser(name, help=help_)
        step.add_argument("dir", help="the model directory")
        step.add_argument("--device", default=None, help="cpu or cuda (default: cuda if present)")
        step.add_argument(
            "--threads", type=int, default=None, help="torch CPU threads (default: torch's, one a "
            "core; 1 trains faster while other jobs keep the cores busy)",
        )  # fmt: skip
        if name == "encode":
            continue
        step.add_argument("--epochs", type=int, default=10 if name == "train-vae" else 20)
        step.add_argument("--batch_size", type=int, default=None, help="default: the design's")
        step.add_argument("--seed", type=int, default=0, help="weights, data order and noise")
        step.add_argument("--lr", type=float, default=None, help="Adam's rate (default: the "
                          "design's, World Models' figure for its data size)")  # fmt: skip
        step.add_argument(
            "--pool", type=int, default=None, help="rotating buffer: train on this many of the "
            "episodes, a fraction of them replaced every few epochs (default: all, no rotation)",
        )  # fmt: skip
        step.add_argument("--rotate", type=float, default=0.1, help="with --pool: the fraction "
                          "replaced at each rotation")  # fmt: skip
        step.add_argument("--rotate_every", type=int, default=3, help="with --pool: epochs "
                          "between rotations")  # fmt: skip
        if name == "train-vae":
            step.add_argument(
                "--buffer_frames", type=int, default=None, help="frames held in memory at most"
            )
        else:
            step.add_argument("--sequence_length", type=int, default=None)
            step.add_argument("--min_episode", type=int, default=None, help="shorter unused")
    return parser


def pick_device(name: str | None) -> str:
    import torch

    if name is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise ValueError(f"--device {name}: {error}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"--device {name}: no CUDA device here; use --device cpu")
    return name


def design_for(game: str):
    from estool.presets import PRESETS
    from estool.worldmodels.designs import DESIGNS, design_named

    if game in PRESETS and PRESETS[game].world_model is not None:
        return DESIGNS[PRESETS[game].world_model]
    return design_named(game)


def run(args: argparse.Namespace) -> int:
    from estool.worldmodels.store import ModelDir

    if args.step == "collect":
        from dataclasses import replace

        from estool.evaluation.launch import mpi_size, relaunch
        from estool.presets import default_wm_dir
        from estool.worldmodels.collect import collect

        design = design_for(args.game)
        if (args.episodes is None) == (args.movies is None):
            raise ValueError("collect: give --episodes N (played episodes) or --movies PATH")
        if not 0.0 <= args.held <= 1.0:
            raise ValueError(f"--held {args.held}: give a fraction of the episodes, 0 to 1")
        if args.held and (args.movies is not None or args.policy is not None):
            raise ValueError("--held: the random policy's option; drop it with --policy/--movies")
        movies = None
        if args.movies is not None:
            from estool.worldmodels.movies import movie_files

            if "buttons" not in design.env.kwargs:
                raise ValueError(f"--movies: {design.name} is not a retro game's design")
            movies = movie_files(args.movies)
        if args.max_steps is not None:
            design = replace(design, env=replace(design.env, max_episode_steps=args.max_steps))
        store = ModelDir(args.out or default_wm_dir(design.name))
        controller = None
        if args.policy is not None:
            from estool.presets.worldmodels import in_real_env
            from estool.training.paramfile import read_params
            from models.registry import make_policy

            preset = in_real_env(design.name).with_world_model(args.wm or str(store))
            params = read_params(args.policy, make_policy(preset.policy).param_count, preset.name)
            controller = (preset, params)
        if args.num_worker > 1 and mpi_size() == 1:
            # a missing extra or model is one error here, not one per rank
            (controller[0] if controller else design).env.make().close()
            relaunch(args.num_worker, sys.argv)
        manifest = collect(
            store, design, args.episodes or 0, args.seed, controller, movies, args.held
        )
        if manifest is not None:  # rank 0
            episodes = manifest["episodes"]
            logger.info("%s: %d episodes, %d frames", store, len(episodes), manifest["frames"])
        return 0
    store = ModelDir(args.dir)
    device = pick_device(args.device)
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    rotation = None
    if getattr(args, "pool", None) is not None:
        from estool.worldmodels.rotation import Rotation

        rotation = Rotation(args.pool, args.rotate, args.rotate_every, args.seed)
    if args.step == "train-vae":
        from estool.worldmodels.stream import BUFFER_FRAMES
        from estool.worldmodels.train_vae import train_vae

        train_vae(
            store, args.epochs, args.batch_size, args.buffer_frames or BUFFER_FRAMES, device,
            args.seed, lr=args.lr, rotation=rotation,
        )  # fmt: skip
        logger.info("V: %s, reconstructions in %s", store.vae_file, store.vae_png)
    elif args.step == "encode":
        from estool.worldmodels.encode import encode

        count = encode(store, device)
        logger.info("encoded %d episodes into %s", count, store.series)
    else:
        from estool.worldmodels.train_rnn import train_rnn

        train_rnn(
            store, args.epochs, args.batch_size, args.sequence_length, args.min_episode, device,
            args.seed, lr=args.lr, rotation=rotation,
        )  # fmt: skip
        logger.info("M: %s, the dream's: %s", store.rnn_file, store.dream_file)
    return 0


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    for name in ("episodes", "num_worker", "epochs", "batch_size", "buffer_frames", "threads"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            return fail(PROG, f"--{name} {value}: must be >= 1")
    if getattr(args, "lr", None) is not None and not args.lr > 0:
        return fail(PROG, f"--lr {args.lr}: must be > 0")
    try:
        import torch  # noqa: F401
    except ImportError as error:
        return fail(
            PROG, f"the World Models steps need torch ({error}): pip install 'estool[torch]'"
        )
    try:
        return run(args)
    except ValueError as error:
        return fail(PROG, error)
    except KeyboardInterrupt:
        logger.error("%s: stopped; run the same command again to resume", PROG)
        return 130


if __name__ == "__main__":
    sys.exit(main())
