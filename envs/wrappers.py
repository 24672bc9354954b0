"""Task tweaks as named, optional Gymnasium wrappers (an `EnvSpec` lists the ones it wants, and
`train.py --wrap NAME` adds one).

They change *training* episodes only (their reward, their end, their levels); evaluations score
the task itself. A name may carry arguments after colons: `early_stop:600:5`.
"""

from __future__ import annotations

from collections import deque

import gymnasium as gym


class EstoolBipedReward(gym.Wrapper):
    """estool's BipedalWalker shaping: a fall's -100 becomes 0, and an episode that ends without a
    fall with a return above 300 earns +100 at its last step."""

    def __init__(self, env: gym.Env, fall_penalty: float = -100.0, bonus: float = 100.0):
        super().__init__(env)
        self.fall_penalty, self.bonus = fall_penalty, bonus
        self.total, self.fell = 0.0, False

    def reset(self, **kwargs):
        self.total, self.fell = 0.0, False
        return self.env.reset(**kwargs)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if reward == self.fall_penalty:
            reward, self.fell = 0.0, True
        self.total += reward
        if (terminated or truncated) and not self.fell and self.total > 300:
            reward += self.bonus
        return obs, reward, terminated, truncated, info


class SurvivalBonus(gym.RewardWrapper):
    """+bonus every step survived (estool's slimevolley `SurvivalRewardEnv`: 0.01)."""

    def __init__(self, env: gym.Env, bonus: float = 0.01):
        super().__init__(env)
        self.bonus = bonus

    def reward(self, reward):
        return reward + self.bonus


class EarlyStop(gym.Wrapper):
    """Ends an episode (truncated) once the mean reward of its last `steps` steps is at or below
    `threshold`: the Sonic port's early stopping, which spares the rollouts of a controller that
    stopped making progress (300 steps, 20 s of play at 15 steps a second, and 10)."""

    def __init__(self, env: gym.Env, steps: int = 300, threshold: float = 10.0):
        super().__init__(env)
        self.steps, self.threshold = int(steps), float(threshold)
        if self.steps < 1:
            raise ValueError(f"early_stop: steps {steps}: need at least 1")
        self.recent: deque[float] = deque(maxlen=self.steps)

    def reset(self, **kwargs):
        self.recent.clear()
        return self.env.reset(**kwargs)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.recent.append(float(reward))
        # summed afresh (no running sum drifting across the threshold): a few us a step
        if len(self.recent) == self.steps and sum(self.recent) / self.steps <= self.threshold:
            truncated, info = True, {**info, "early_stop": True}
        return obs, reward, terminated, truncated, info


class TrainingLevels(gym.Wrapper):
    """Training episodes play the training levels (`envs.retro.RetroGame`'s `training_levels`);
    the env without it, as evaluations see it, plays the held-out ones."""

    def reset(self, *, seed=None, options=None):
        return self.env.reset(seed=seed, options={**(options or {}), "training": True})


WRAPPERS = {
    "estool_biped_reward": EstoolBipedReward,
    "survival_bonus": SurvivalBonus,
    "early_stop": EarlyStop,
    "training_levels": TrainingLevels,
}


def parse_wrapper(name: str) -> tuple[type, list]:
    """`NAME[:ARG[:ARG...]]` -> (the wrapper class, its arguments as numbers), or a ValueError."""
    key, *args = name.split(":")
    if key not in WRAPPERS:
        raise ValueError(f"unknown wrapper {key!r}; choose one of {sorted(WRAPPERS)}")
    try:
        values = [int(a) if a.lstrip("-").isdigit() else float(a) for a in args]
    except ValueError:
        raise ValueError(
            f"wrapper {name!r}: its arguments must be numbers, as early_stop:300:10"
        ) from None
    return WRAPPERS[key], values


def apply_wrappers(env: gym.Env, names) -> gym.Env:
    for name in names:
        cls, args = parse_wrapper(name)
        env = cls(env, *args)
    return env
