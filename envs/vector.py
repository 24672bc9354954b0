"""Episodes in lockstep: B episodes of one task stepped together, each from its own seed.

A vector env here is not Gymnasium's `VectorEnv` (no autoreset, one reset for all): the rollout
resets B episodes at once, steps them together and drops the rows of finished episodes with
`keep`, so the arrays shrink as episodes end. Each row's arithmetic is the single env's, in the
same order, so an episode's return is the same, bit for bit, alone or in any batch: which episodes
share a batch depends on how the work was spread over workers, and results must not.

    reset(seeds (B,)) -> obs (B, *obs_shape)
    step(actions (B, *action_shape)) -> obs, rewards (B,) float64, terminated (B,), truncated (B,)
    keep(rows (B,) bool) -> None          only the rows still playing remain

`make_vector(spec)` gives the vector env of a spec, or None where there is none (the rollout
then plays one episode at a time).
"""

from __future__ import annotations

import importlib
import math
from typing import Protocol

import numpy as np

VECTOR_ENVS = {
    "CartPoleSwingUp-v0": "envs.cartpole_swingup:CartPoleSwingUpVector",
    "Pendulum-v1": "envs.pendulum:PendulumVector",
}


class VectorEpisodes(Protocol):
    def reset(self, seeds: np.ndarray) -> np.ndarray: ...

    def step(
        self, actions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...

    def keep(self, rows: np.ndarray) -> None: ...


def make_vector(env_id: str, kwargs: dict, wrappers: tuple[str, ...] = ()) -> VectorEpisodes | None:
    """The lockstep env of `env_id` built with `kwargs`, or None: no vector env for that id, or
    task wrappers (they are single-env) or kwargs it does not take."""
    if env_id not in VECTOR_ENVS or wrappers:
        return None
    module, _, name = VECTOR_ENVS[env_id].partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not set(kwargs) <= set(getattr(cls, "accepts", ())):
        return None
    return cls(**kwargs)


def _trig_matches_math() -> bool:
    """numpy's float64 sin and cos are libm's on most builds; some SIMD builds (AVX512 SVML) round
    differently in the last bit. Probed once, on values that cover the range the envs see."""
    probe = np.linspace(-60.0, 60.0, 4001)
    return all(
        np.array_equal(f(probe), [g(v) for v in probe.tolist()])
        for f, g in ((np.sin, math.sin), (np.cos, math.cos))
    )


def square(a: np.ndarray) -> np.ndarray:
    """(B,) squares as a float's `x**2` gives them: libm's `pow(x, 2)` (numpy's `x**2` on an
    array is `x * x`, which differs from it in the last bit for about 0.1% of inputs)."""
    return np.array([v**2 for v in a.tolist()], dtype=np.float64)


if _trig_matches_math():
    sin, cos = np.sin, np.cos
else:  # element by element with libm: slower, but each row as the single env computes it

    def sin(a: np.ndarray) -> np.ndarray:
        return np.array([math.sin(v) for v in a.tolist()], dtype=np.float64)

    def cos(a: np.ndarray) -> np.ndarray:
        return np.array([math.cos(v) for v in a.tolist()], dtype=np.float64)
