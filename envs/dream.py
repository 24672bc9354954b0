"""The dream: M's own predictions as an environment (World Models, Ha & Schmidhuber, 2018, the
Doom experiment: "training inside the dream").

An episode starts from the first frame of a collected episode, drawn from its seed (z sampled from
V's mu, logvar there), with M's state at zero. Each step feeds [z_t, a_t, restart_t] to M, samples
z_{t+1} from M's mixture at `temperature`, and ends with the probability of death M's done head
gives (`death="sample"`, the default), or when that probability passes 0.5 (`death="threshold"`,
WME's dream). Reward: +1 a step survived (Take Cover's).

Why sample: the done head is trained with deaths weighted `done_weight` times, so its logit
minus log(done_weight) is M's calibrated log-odds of death. Where M cannot tell whether death
comes (a policy that holds one direction into the wall, rare in random data), a threshold never
fires and the dream grants immortality, which CMA-ES finds at once; a sampled death ends such
episodes at the rate M believes. `bench/dream_fidelity.py` measures both against the real game.

Observation (features,) float32: [z, c, h], as the controller sees it in the real env
(`envs.world_model`).

`DreamVector` steps B episodes in lockstep (`envs.vector`'s contract): M's step for the rows is
a numpy call per layer (`models.latent_dynamics`), and each row draws from its own generator, so
an episode's result depends on its seed only. `DreamEnv` is one episode of it behind Gymnasium's
Env API (check_env; `model.py --dream` renders it through V).
"""

from __future__ import annotations

from typing import ClassVar

import gymnasium as gym
import numpy as np

from estool.worldmodels.loading import load_world_model

REWARD_PER_STEP = 1.0
DEATHS = ("sample", "threshold")


class DreamVector:
    """B dream episodes in lockstep: reset(seeds (B,)) -> features (B, n); step(actions (B, a))."""

    accepts = ("design", "wm_dir", "temperature", "max_steps", "death")

    def __init__(
        self,
        design: str,
        wm_dir: str,
        temperature: float | None = None,
        max_steps: int = 2100,
        death: str = "sample",
    ):
        self.world = load_world_model(wm_dir, design)
        self.design = self.world.design
        if not self.design.done_head:
            raise ValueError(
                f"{design}'s M has no done head, so its dream never ends: train its controller "
                "in the real env"
            )
        self.dynamics = self.world.dynamics
        self.temperature = self.design.temperature if temperature is None else float(temperature)
        self.max_steps = int(max_steps)
        if death not in DEATHS:
            raise ValueError(f"death={death!r}: choose one of {', '.join(DEATHS)}")
        self.death = death
        # the calibrated log-odds: the head's logit less the log of the deaths' training weight
        self.death_offset = np.float32(np.log(self.design.done_weight))
        self.feature_size = self.design.feature_size

    def reset(self, seeds: np.ndarray) -> np.ndarray:
        self.rngs = [np.random.default_rng(int(seed)) for seed in seeds]
        starts = [int(rng.integers(len(self.world.initial_mu))) for rng in self.rngs]
        mu, logvar = self.world.initial_mu[starts], self.world.initial_logvar[starts]
        normal = np.stack(
            [rng.standard_normal(self.design.z_size, np.float32) for rng in self.rngs]
        )
        self.z = (mu + np.exp(0.5 * logvar) * normal).astype(np.float32)
        self.h, self.c = self.dynamics.initial_state(len(seeds))
        self.first = np.ones(len(seeds), np.float32)
        self.t = 0
        return self.features()

    def features(self) -> np.ndarray:
        return np.concatenate([self.z, self.c, self.h], axis=1)

    def step(self, actions: np.ndarray):
        rows = len(self.z)
        actions = np.asarray(actions, np.float32).reshape(rows, -1)
        self.h, self.c, head = self.dynamics.step(
            self.z, self.design.m_action(actions), self.first, self.h, self.c
        )
        logit_pi, mu, log_sigma, done_logit = self.dynamics.mixture(head)
        uniform = np.stack([rng.random(self.design.z_size, np.float32) for rng in self.rngs])
        normal = np.stack(
            [rng.standard_normal(self.design.z_size, np.float32) for rng in self.rngs]
        )
        self.z = self.dynamics.sample(logit_pi, mu, log_sigma, self.temperature, uniform, normal)
        self.first = np.zeros(rows, np.float32)
        self.t += 1
        if self.death == "threshold":
            terminated = done_logit > 0  # probability > 0.5
        else:
            chance = np.array([rng.random(dtype=np.float32) for rng in self.rngs])
            terminated = chance < 1 / (1 + np.exp(self.death_offset - done_logit))
        return self.features(), np.full(rows, REWARD_PER_STEP), terminated, self.t >= self.max_steps

    def keep(self, rows: np.ndarray) -> None:
        self.z, self.h, self.c, self.first = (
            self.z[rows],
            self.h[rows],
            self.c[rows],
            self.first[rows],
        )
        self.rngs = [self.rngs[row] for row in rows.tolist()]


class DreamEnv(gym.Env):
    """One dream episode (`DreamVector` with one row) as a Gymnasium env; `rgb_array` renders
    the current z through V's decoder."""

    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"], "render_fps": 35}

    def __init__(self, design: str, wm_dir: str, render_mode: str | None = None, **dream):
        """`dream`: `DreamVector`'s temperature, max_steps and death."""
        self.vector = DreamVector(design, wm_dir, **dream)
        size, actions = self.vector.feature_size, self.vector.design.action_size
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (size,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (actions,), np.float32)
        self.render_mode = render_mode
        self.vae = self.vector.world.vae() if render_mode == "rgb_array" else None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        episode_seed = seed if seed is not None else int(self.np_random.integers(2**31))
        return self.vector.reset(np.array([episode_seed]))[0], {}

    def step(self, action):
        obs, rewards, terminated, truncated = self.vector.step(np.asarray(action)[None])
        return obs[0], float(rewards[0]), bool(terminated[0]), bool(truncated), {}

    def render(self):
        if self.vae is None:
            return None
        import torch

        with torch.no_grad():
            frame = self.vae.decode(torch.as_tensor(self.vector.z[:1]))
        return frame[0].permute(1, 2, 0).mul(255).round().byte().numpy()
