"""Task tweaks as named, optional Gymnasium wrappers (an `EnvSpec` lists the ones it wants).

They shape the reward of *training* episodes only; evaluations score the task itself.
"""

from __future__ import annotations

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


WRAPPERS = {"estool_biped_reward": EstoolBipedReward, "survival_bonus": SurvivalBonus}


def apply_wrappers(env: gym.Env, names) -> gym.Env:
    for name in names:
        if name not in WRAPPERS:
            raise ValueError(f"unknown wrapper {name!r}; choose one of {sorted(WRAPPERS)}")
        env = WRAPPERS[name](env)
    return env
