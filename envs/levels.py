"""Level lists of retro games, and the level an episode plays, drawn from its seed.

A list is a text file of save states, one a line (`#` starts a comment): a state the game's
stable-retro integration ships (`GreenHillZone.Act1`) or the path of a `.state` file. The Retro
Contest's split comes with the package (`envs/assets/levels/sonic.train.txt`, `sonic.test.txt`,
and the same for `sonic2` and `sonic3`): name a packaged list by its stem, or give a path to your
own copy to train or score on other levels.

Training episodes draw from the training list and evaluations from the held-out one (the
`training_levels` wrapper of `envs.wrappers` says which episodes train), so a score on the
held-out list measures play on levels the controller never saw.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import numpy as np

LEVELS_DIR = Path(__file__).parent / "assets" / "levels"
LEVEL_STREAM = 0x1E7E1  # keeps the level draw apart from the other draws made from a seed


def packaged_lists() -> list[str]:
    return sorted(path.name.removesuffix(".txt") for path in LEVELS_DIR.glob("*.txt"))


@cache
def read_levels(source: str) -> tuple[str, ...]:
    """The levels of `source`: a packaged list's name (`sonic.train`) or a file's path."""
    path = Path(source)
    if not path.is_file():
        path = LEVELS_DIR / f"{source}.txt"
    if not path.is_file():
        raise ValueError(
            f"level list {source!r}: no such file nor packaged list ({', '.join(packaged_lists())})"
        )
    levels = []
    for line in path.read_text().splitlines():
        level = line.split("#", 1)[0].strip()
        if level:
            levels.append(level)
    if not levels:
        raise ValueError(f"level list {path} names no level: add one save state a line")
    return tuple(levels)


def draw_level(seed: int, levels: tuple[str, ...]) -> str:
    """The level episode `seed` plays: a function of the seed and the list alone."""
    state = np.random.SeedSequence([LEVEL_STREAM, int(seed)]).generate_state(1, np.uint64)[0]
    return levels[int(state % np.uint64(len(levels)))]


def is_state_file(level: str) -> bool:
    return level.endswith(".state") or "/" in level


def state_bytes(game: str, level: str) -> bytes:
    """The uncompressed save state of `level` of `game` (stable-retro's states are gzipped)."""
    if is_state_file(level):
        path = Path(level)
    else:
        import stable_retro.data

        try:
            path = Path(stable_retro.data.get_file_path(game, f"{level}.state"))
        except Exception:  # stable-retro reports a missing file in several ways
            path = Path("")
    if not path.is_file():
        raise ValueError(
            f"{game} has no level {level!r}: use one of stable_retro.data.list_states({game!r}) "
            "or the path of a .state file"
        )
    with gzip.open(path, "rb") as file:
        return file.read()
