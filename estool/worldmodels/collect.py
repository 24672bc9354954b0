"""Step 1: play the design's random policy in the real env and store every episode as a shard.

Episode i is played from seed (run seed, i): its frames depend on that alone, whichever rank plays
it. `episodes` is the total the directory should hold: the shards already there are kept, never
rewritten, and only the missing indices are played, so a killed run picks up where it stopped and
a run with a larger total adds episodes.

The random policy (World Models' Doom data, WME): an action uniform in [action_low, 1] per
controller output, held for 1 to 10 steps. With `held`, that fraction of the episodes holds one
such action from its first step to its last instead: the random policy alone never holds a
direction long, so M never sees where that leads, and a controller trained in its dream learns
to hold one (docs/benchmarks.md, the Doom rounds). Or a saved controller (`policy`), playing
through the V and M of a model directory: the paper's iterative procedure, for tasks a random
policy cannot explore.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from estool.worldmodels.designs import Design
from estool.worldmodels.progress import progress_bar
from estool.worldmodels.store import ModelDir

HOLD_STEPS = (1, 10)


def episode_seed(run_seed: int, index: int) -> int:
    sequence = np.random.SeedSequence([run_seed, index])
    return int(sequence.generate_state(1, np.uint32)[0] >> np.uint32(1))


def is_held(run_seed: int, index: int, held: float) -> bool:
    """Whether episode `index` holds one action throughout: a draw of its own, so the other
    episodes play the same whatever the fraction."""
    return held > 0 and np.random.default_rng([run_seed, index, 1]).random() < held


def play_random(
    env, design: Design, seed: int, max_steps: int, held: bool = False
) -> dict[str, np.ndarray]:
    """One episode of the hold-random policy, or of one random action `held` throughout: the
    shard's arrays (`store` docstring)."""
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    frames, actions, rewards = [obs], [], []
    terminated, hold = False, 0
    action = np.zeros(design.action_size, np.float32)
    for _ in range(max_steps):
        if hold == 0:
            action = rng.uniform(design.action_low, 1.0, design.action_size).astype(np.float32)
            hold = max_steps if held else int(rng.integers(HOLD_STEPS[0], HOLD_STEPS[1] + 1))
        hold -= 1
        obs, reward, terminated, truncated, _ = env.step(design.env_action(action))
        frames.append(obs)
        actions.append(design.m_action(action))
        rewards.append(reward)
        if terminated or truncated:
            break
    return _shard(frames, actions, rewards, terminated, seed, design)


def play_policy(env, design: Design, policy, seed: int, max_steps: int) -> dict[str, np.ndarray]:
    """One episode of a controller in `env` (`envs.world_model.WorldModelEnv`): the shard's
    arrays, the frames those V encoded."""
    obs, _ = env.reset(seed=seed)
    frames, actions, rewards = [env.frame], [], []
    terminated = False
    policy.reset()
    for t in range(max_steps):
        action = np.asarray(policy.act(obs, t), np.float32).reshape(1, -1)
        obs, reward, terminated, truncated, _ = env.step(action[0])
        frames.append(env.frame)
        actions.append(design.m_action(action)[0])
        rewards.append(reward)
        if terminated or truncated:
            break
    return _shard(frames, actions, rewards, terminated, seed, design)


def _shard(frames, actions, rewards, terminated, seed, design: Design) -> dict[str, np.ndarray]:
    return dict(
        frames=np.stack(frames).astype(np.uint8),
        actions=np.stack(actions).astype(np.float32).reshape(len(actions), design.action_size),
        rewards=np.asarray(rewards, np.float32),
        terminated=np.asarray(bool(terminated)),
        seed=np.asarray(seed, np.int64),
    )


def missing_episodes(store: ModelDir, episodes: int) -> list[int]:
    return sorted(set(range(episodes)) - set(store.episode_indices()))


def movie_plan(store: ModelDir, movies) -> list[tuple[int, str]]:
    """(index, movie path) of each movie not collected yet, numbered after the episodes there."""
    indices = store.episode_indices()
    done = set()
    for index in indices:
        with np.load(store.episode_path(index)) as shard:
            if "source" in shard.files:
                done.add(str(shard["source"]))
    todo = [str(path) for path in movies if Path(path).name not in done]
    first = indices[-1] + 1 if indices else 0
    return list(enumerate(todo, start=first))


def collect(
    store: ModelDir,
    design: Design,
    episodes: int = 0,
    run_seed: int = 0,
    controller=None,
    movies=None,
    held: float = 0.0,
) -> dict | None:
    """Collect episodes 0..episodes-1 that are missing, spread over the MPI ranks when run under
    mpiexec; returns the manifest (None on the other ranks).

    `controller`: (preset, params) of a saved controller to play instead of the random policy
    (its preset bound to the model directory it plays with). `movies`: `.bk2` paths to replay
    (`estool.worldmodels.movies`) instead, one episode each, numbered after those there; a movie
    already collected (by file name) is skipped. `held`: the fraction of the random policy's
    episodes that hold one action throughout (`is_held`)."""
    comm = _world()
    rank, size = (0, 1) if comm is None else (comm.Get_rank(), comm.Get_size())
    # the env first: a missing ROM or extra is an error before anything is written
    env = (design.env if controller is None else controller[0].env).make()
    if "training_levels" in design.env.kwargs:  # data comes from the training levels only
        from envs.wrappers import TrainingLevels

        env = TrainingLevels(env)
    if rank == 0:
        store.claim(design)
        todo = movie_plan(store, movies) if movies else missing_episodes(store, episodes)
    else:
        todo = None
    if comm is not None:
        todo = comm.bcast(todo, root=0)
    mine = todo[rank::size]
    if movies:
        from estool.worldmodels.movies import replay_movie

        sources = dict(todo)

        def play(index: int):
            return replay_movie(env, design, Path(sources[index]))

        mine = [index for index, _ in mine]
        todo = list(sources)
    elif controller is None:

        def play(index: int):
            seed = episode_seed(run_seed, index)
            held_now = is_held(run_seed, index, held)
            return play_random(env, design, seed, design.env.max_episode_steps, held_now)

    else:
        from models.registry import make_policy

        preset, params = controller
        policy = make_policy(preset.policy)
        policy.set_params(params)

        def play(index: int):
            seed = episode_seed(run_seed, index)
            return play_policy(env, design, policy, seed, design.env.max_episode_steps)

    try:
        with progress_bar(len(todo), "episodes", enabled=rank == 0) as bar:
            for index in mine:
                store.write_episode(index, **play(index))
                if rank == 0:  # every rank's shards count: they share the directory
                    bar.update(len(set(todo) & set(store.episode_indices())) - bar.n)
            if comm is not None:
                _wait_for_all(comm)
            bar.update(len(todo) - bar.n)
    finally:
        env.close()
    return store.write_manifest() if rank == 0 else None


def _world():
    """MPI's world communicator under mpiexec with more than one rank, else None."""
    from estool.evaluation.launch import mpi_size

    if mpi_size() == 1:
        return None
    from mpi4py import MPI

    return MPI.COMM_WORLD


def _wait_for_all(comm) -> None:
    """A barrier that sleeps (MPICH's blocking barrier spins, taking a core from the others)."""
    request = comm.Ibarrier()
    while not request.Test():
        time.sleep(0.01)
