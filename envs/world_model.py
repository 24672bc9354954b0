"""A real env seen through a World Model: observations are C's features, not frames.

`WorldModel-v0` (design, wm_dir): the design's real env (ViZDoom's Take Cover, CarRacing, 64x64
frames) wrapped so that each frame is encoded by V into z = mu + sigma * eps (eps from the
episode's seed) and M's LSTM runs on [z_t, a_t (, restart_t)], as World Models plays
(Ha & Schmidhuber, 2018). Observation (features,) float32: [z, h] or [z, c, h], with h, c M's
state before seeing z. Action: the controller's outputs in [design.action_low, 1]; the design
maps them to the env's action and to M's input. A design with `state_reset` restarts M's state
every that many steps, as M was trained on windows of that length (the Sonic port). V and M are
loaded once, when the env is made; `env_kwargs` override the real env's (a level list).
"""

from __future__ import annotations

from dataclasses import replace

import gymnasium as gym
import numpy as np

from envs.spec import EnvSpec


class WorldModelEnv(gym.Wrapper):
    def __init__(self, design: str, wm_dir: str, render_mode: str | None = None, **env_kwargs):
        from estool.worldmodels.loading import load_world_model

        self.world = load_world_model(wm_dir, design)
        self.design = self.world.design
        self.vae = self.world.vae()  # before the env: without torch, a one-line error
        import torch

        self.torch = torch
        spec: EnvSpec = self.design.env
        if env_kwargs:
            spec = replace(spec, kwargs={**spec.kwargs, **env_kwargs})
        super().__init__(spec.make(render_mode=render_mode))
        size = self.design.feature_size
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (size,), np.float32)
        low = self.design.action_low
        self.action_space = gym.spaces.Box(low, 1.0, (self.design.action_size,), np.float32)
        self.steps = 0
        self.rng = np.random.default_rng()
        self.h, self.c = self.world.dynamics.initial_state(1)
        self.z = np.zeros((1, self.design.z_size), np.float32)
        self.first = True
        self.frame: np.ndarray | None = None  # the real env's last frame (what V encoded)

    def _encode(self, frame: np.ndarray) -> np.ndarray:
        from models.vae import frames_to_tensor

        with self.torch.no_grad():
            mu, logvar = self.vae.encode(frames_to_tensor(frame[None]))
        mu, logvar = mu.numpy(), logvar.numpy()
        eps = self.rng.standard_normal(mu.shape, dtype=np.float32)
        return (mu + np.exp(0.5 * logvar) * eps).astype(np.float32)

    def _features(self) -> np.ndarray:
        parts = [self.z, self.c, self.h] if self.design.cell_in_features else [self.z, self.h]
        return np.concatenate(parts, axis=1)[0]

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        frame, info = self.env.reset(seed=seed, options=options)
        self.frame = frame
        if seed is not None:  # else its noise goes on from the last episode's, as Gymnasium's
            self.rng = np.random.default_rng(seed)
        self.h, self.c = self.world.dynamics.initial_state(1)
        self.z, self.first, self.steps = self._encode(frame), True, 0
        return self._features(), info

    def step(self, action):
        action = np.asarray(action, dtype=np.float32).reshape(1, -1)
        frame, reward, terminated, truncated, info = self.env.step(
            self.design.env_action(action[0])
        )
        first = np.array([self.first], np.float32)
        self.h, self.c, _ = self.world.dynamics.step(
            self.z, self.design.m_action(action), first, self.h, self.c
        )
        self.z, self.first, self.steps = self._encode(frame), False, self.steps + 1
        if self.design.state_reset and self.steps % self.design.state_reset == 0:
            self.h, self.c = self.world.dynamics.initial_state(1)
        return self._features(), reward, terminated, truncated, info
