"""Is the dream honest? Episode lengths of the same policies in M's dream and in the real env.

    python bench/dream_fidelity.py DIR [--controller FILE] [--episodes 32] [--temperature T]

A controller trained in the dream is only as good as the dream: where M lets a policy live longer
than the real game does, CMA-ES finds it (in Take Cover, holding one direction: every constant
action dies in about 160 real steps). This plays, on Doom's World Model in DIR (`estool wm`):
- `left`, `still`, `right`: one constant action for the whole episode;
- `random`: the collection's hold-random policy (an action uniform in [-1, 1], held 1-10 steps);
- with --controller, a saved C (its real episodes through V and M, as `doom_real` plays them).
Each policy plays the same number of episodes in the dream (at the design's temperature, or T),
once with deaths drawn from M's done head (the dream's rule) and once with WME's threshold
(death when its probability passes 0.5), and in the real ViZDoom, seeds 0..; the table gives
the mean ± std of their lengths (Take Cover's score). One process, torch on one thread.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOLD_STEPS = (1, 10)


class Constant:
    def __init__(self, value: float):
        self.value = value

    def actions(self, features: np.ndarray, t: int) -> np.ndarray:
        return np.full((len(features), 1), self.value, np.float32)

    def keep(self, rows: np.ndarray) -> None:
        pass


class HoldRandom:
    """Per row: an action uniform in [-1, 1], held for 1-10 steps (the collection's policy)."""

    def __init__(self, rows: int, seed: int):
        self.rng = np.random.default_rng(seed)
        self.action = np.zeros((rows, 1), np.float32)
        self.hold = np.zeros(rows, np.int64)

    def actions(self, features: np.ndarray, t: int) -> np.ndarray:
        new = self.hold == 0
        self.action[new] = self.rng.uniform(-1, 1, (new.sum(), 1))
        self.hold[new] = self.rng.integers(HOLD_STEPS[0], HOLD_STEPS[1] + 1, new.sum())
        self.hold -= 1
        return self.action.copy()

    def keep(self, rows: np.ndarray) -> None:
        self.action, self.hold = self.action[rows], self.hold[rows]


class Controller:
    """A saved C (stateless: a linear map of the features), every row at once."""

    def __init__(self, policy):
        self.policy = policy

    def actions(self, features: np.ndarray, t: int) -> np.ndarray:
        return np.stack([np.asarray(self.policy.act(f, t), np.float32) for f in features])

    def keep(self, rows: np.ndarray) -> None:
        pass


def dream_lengths(vector, policy, episodes: int) -> np.ndarray:
    """Lengths of `episodes` dream episodes (seeds 0..) in lockstep."""
    features = vector.reset(np.arange(episodes))
    lengths = np.zeros(episodes, np.int64)
    alive = np.arange(episodes)
    t = 0
    while len(alive):
        features, _, terminated, truncated = vector.step(policy.actions(features, t))
        t += 1
        lengths[alive] += 1
        going = ~(terminated | truncated)
        alive, features = alive[going], features[going]
        vector.keep(going)
        policy.keep(going)
    return lengths


def real_lengths(env, policy_for, episodes: int) -> np.ndarray:
    """Lengths of `episodes` real episodes (seeds 0..); `policy_for(seed)` is that episode's
    policy (`actions(features (1, n), t)` -> (1, a))."""
    lengths = []
    for seed in range(episodes):
        policy = policy_for(seed)
        obs, _ = env.reset(seed=seed)
        for t in range(env.spec.max_episode_steps or 2100):
            action = policy.actions(np.asarray(obs)[None], t)[0]
            obs, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                break
        lengths.append(t + 1)
    return np.array(lengths)


def row(name: str, *lengths: np.ndarray) -> str:
    return f"{name:<12}" + "".join(f" {x.mean():>8.0f} ± {x.std():<5.0f}" for x in lengths)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", help="a Doom model directory made by estool wm")
    parser.add_argument("--controller", metavar="FILE", help="also play this saved C")
    parser.add_argument("--episodes", type=int, default=32)
    parser.add_argument("--temperature", type=float, default=None)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    from envs.dream import DEATHS, DreamVector
    from estool.presets.worldmodels import in_real_env
    from estool.worldmodels.designs import DESIGNS

    vectors = [DreamVector("doom", args.dir, args.temperature, death=rule) for rule in DEATHS]
    episodes = args.episodes
    # (name, a new dream policy for all rows, the real episode's policy for a seed)
    policies = [
        (name, lambda v=value: Constant(v), lambda seed, v=value: Constant(v))
        for name, value in (("left", -1.0), ("still", 0.0), ("right", 1.0))
    ]
    policies.append(
        ("random", lambda: HoldRandom(episodes, 2**31), lambda seed: HoldRandom(1, seed))
    )
    print(f"{'policy':<12} {'dream, drawn':>16} {'dream, 0.5':>16} {'real':>16}   "
          f"(steps; {episodes} episodes each, temperature {vectors[0].temperature})")  # fmt: skip
    real = DESIGNS["doom"].env.make()
    for name, dream_policy, policy_for in policies:
        dreams = [dream_lengths(vector, dream_policy(), episodes) for vector in vectors]
        print(row(name, *dreams, real_lengths(real, policy_for, episodes)), flush=True)
    real.close()
    if args.controller:
        from estool.training.paramfile import read_params
        from models.registry import make_policy

        preset = in_real_env("doom").with_world_model(args.dir)
        policy = make_policy(preset.policy)
        policy.set_params(read_params(args.controller, policy.param_count, preset.name))
        controller = Controller(policy)
        dreams = [dream_lengths(vector, controller, episodes) for vector in vectors]
        env = preset.env.make()
        print(row("controller", *dreams, real_lengths(env, lambda seed: controller, episodes)))
        env.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
