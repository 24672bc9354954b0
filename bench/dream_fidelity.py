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
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estool.worldmodels.collect import HOLD_STEPS  # noqa: E402


class Constant:
    """One action for every row and step."""

    def __init__(self, value: float):
        self.value = value

    def act(self, features: np.ndarray, t: int) -> np.ndarray:
        return np.full((len(features), 1), self.value, np.float32)

    def reset(self) -> None:
        pass

    def keep(self, rows: np.ndarray) -> None:
        pass


class HoldRandom:
    """Per row: an action uniform in [-1, 1], held for 1-10 steps (the collection's policy)."""

    def __init__(self, rows: int, seed: int):
        self.rng = np.random.default_rng(seed)
        self.action = np.zeros((rows, 1), np.float32)
        self.hold = np.zeros(rows, np.int64)

    def act(self, features: np.ndarray, t: int) -> np.ndarray:
        new = self.hold == 0
        self.action[new] = self.rng.uniform(-1, 1, (new.sum(), 1))
        self.hold[new] = self.rng.integers(HOLD_STEPS[0], HOLD_STEPS[1] + 1, new.sum())
        self.hold -= 1
        return self.action.copy()

    def reset(self) -> None:
        pass

    def keep(self, rows: np.ndarray) -> None:
        self.action, self.hold = self.action[rows], self.hold[rows]


def real_lengths(env, policy_for, episodes: int) -> np.ndarray:
    """Lengths of `episodes` real episodes (seeds 0..); `policy_for(seed)` is that episode's
    policy, played as one row."""
    lengths = []
    for seed in range(episodes):
        policy = policy_for(seed)
        obs, _ = env.reset(seed=seed)
        for t in range(env.spec.max_episode_steps or 2100):
            obs, _, terminated, truncated, _ = env.step(policy.act(np.asarray(obs)[None], t)[0])
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
    from estool.evaluation.local import PolicyEvaluator
    from estool.evaluation.rollout import play_lockstep
    from estool.presets.worldmodels import in_dream, in_real_env
    from estool.training.paramfile import read_params
    from estool.worldmodels.designs import DESIGNS

    design, episodes, seeds = DESIGNS["doom"], args.episodes, np.arange(args.episodes)
    vectors = [DreamVector("doom", args.dir, args.temperature, death=rule) for rule in DEATHS]
    steps = vectors[0].max_steps
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
    real = design.env.make()
    for name, dream_policy, policy_for in policies:
        dreams = [play_lockstep(dream_policy(), v, np.asarray, seeds, steps)[1] for v in vectors]
        print(row(name, *dreams, real_lengths(real, policy_for, episodes)), flush=True)
    real.close()
    if args.controller:
        # the controller plays as `train.py` and `model.py` play it, in both worlds
        preset = in_real_env("doom").with_world_model(args.dir)
        real_player = PolicyEvaluator(preset)
        params = read_params(args.controller, real_player.policy.param_count, preset.name)
        dreamed = in_dream(preset).with_world_model(args.dir)
        played = []
        for rule in DEATHS:
            kwargs = {**dreamed.env.kwargs, "death": rule}
            if args.temperature is not None:
                kwargs["temperature"] = args.temperature
            world = replace(dreamed, env=replace(dreamed.env, kwargs=kwargs))
            played.append(PolicyEvaluator(world).episodes(params, seeds, train=False)[1])
        played.append(real_player.episodes(params, seeds, train=False)[1])
        print(row("controller", *played))
    return 0


if __name__ == "__main__":
    sys.exit(main())
