"""Recorded play as World Models data: stable-retro's `.bk2` movies (the Retro Contest's human
recordings among them), replayed at the design's frame skip.

A movie holds the buttons of every frame from a save state. Replayed frame by frame in the
design's env, it becomes one episode: an observation every `frame_skip` frames (the Sonic port
trained M on 60 fps recordings and played at 15; here data, training and play share the design's
15), and for each step the design's buttons held in at least half of its frames, the action M
reads. The frames are replayed unfiltered, as recorded (stable-retro's playback does the same),
and the emulator is deterministic, so a movie replays to the frames that were played.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from estool.worldmodels.designs import Design


def movie_files(paths) -> list[Path]:
    """The `.bk2` files among `paths` (files, or folders searched for *.bk2), in order; a
    ValueError naming a path that is neither."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(path.rglob("*.bk2")))
        elif path.is_file() and path.suffix == ".bk2":
            found.append(path)
        else:
            raise ValueError(f"--movies {path}: not a .bk2 file nor a folder of them")
    if not found:
        raise ValueError(f"--movies {' '.join(map(str, paths))}: no .bk2 movie there")
    return found


def replay_movie(env, design: Design, path: Path) -> dict[str, np.ndarray]:
    """Episode arrays (`estool.worldmodels.store`) of the movie at `path`, played in `env`, the
    design's real env (`envs.retro.RetroGame`)."""
    import stable_retro

    game = env.unwrapped
    movie = stable_retro.Movie(str(path))
    if movie.get_game() != game.game:
        raise ValueError(
            f"{path} is a movie of {movie.get_game()}; {design.name} plays {game.game}"
        )
    held = game.button_indices(design.env.kwargs["buttons"])
    skip = int(design.env.kwargs.get("frame_skip", 1))
    movie.step()  # the movie's first frame is the reset's (stable-retro's playback)
    obs, _ = env.reset(options={"state": movie.get_state()})
    frames, actions, rewards = [obs], [], []
    terminated, group = False, []
    restricted = game.emulator.use_restricted_actions
    game.emulator.use_restricted_actions = stable_retro.Actions.ALL
    try:
        while True:
            more = movie.step()
            if more:
                group.append([movie.get_key(i, 0) for i in range(len(game.buttons))])
            if group and (len(group) == skip or not more):
                keys = np.array(group, np.uint8)
                obs, reward, terminated, _, _ = game.step_frames(keys)
                frames.append(obs)
                actions.append(design.m_action((keys[:, held].mean(0) >= 0.5).astype(np.float32)))
                rewards.append(reward)
                group = []
                if terminated:
                    break
            if not more:
                break
    finally:
        game.emulator.use_restricted_actions = restricted
        movie.close()
    if not actions:
        raise ValueError(f"{path} holds no frame to replay")
    return dict(
        frames=np.stack(frames).astype(np.uint8),
        actions=np.stack(actions).astype(np.float32).reshape(len(actions), design.action_size),
        rewards=np.asarray(rewards, np.float32),
        terminated=np.asarray(bool(terminated)),
        seed=np.asarray(-1, np.int64),  # not played from a seed
        source=np.asarray(path.name),
    )
