"""Episodes in lockstep: B episodes of one task stepped together, each from its own seed.

A vector env here is not Gymnasium's `VectorEnv` (no autoreset, one reset for all): the rollout
resets B episodes at once, steps them together and drops the rows of finished episodes with
`keep`, so the arrays shrink as episodes end. Each row's arithmetic is the single env's, in the
same order, so an episode's return is the same, bit for bit, alone or in any batch: which episodes
share a batch depends on how the work was spread over workers, and results must not.

    reset(seeds (B,)) -> obs (B, *obs_shape)
    step(actions (B, *action_shape)) -> obs, rewards (B,) float64, terminated (B,) bool,
                                         truncated: (B,) bool, or one bool for every row
    keep(rows (B',) int) -> None          only these rows (ascending indices) remain

`make_vector(spec)` gives the vector env of a spec, or None where there is none (the rollout
then plays one episode at a time).
"""

from __future__ import annotations

import importlib
import math
from typing import Protocol

import numpy as np

VECTOR_ENVS = {
    "CartPole-v1": "envs.cartpole:CartPoleVector",
    "CartPoleSwingUp-v0": "envs.cartpole_swingup:CartPoleSwingUpVector",
    "Pendulum-v1": "envs.pendulum:PendulumVector",
    "Dream-v0": "envs.dream:DreamVector",
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


def constants(*values: float) -> tuple[np.ndarray, ...]:
    """Each value as a 0-d float64 array: as an operand of a numpy call on float64 arrays it
    gives what the Python float gives, in half the time (numpy's "weak" Python scalars are slow)."""
    return tuple(np.array(value, dtype=np.float64) for value in values)


(TWO,) = constants(2.0)


def _float_square(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.float_power(a, TWO, out)


def _elementwise(function):
    """`function` (float -> float) applied to each element of a (B,) array, in Python."""

    def apply(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        values = np.array([function(v) for v in a.tolist()], dtype=np.float64)
        if out is None:
            return values
        out[...] = values
        return out

    return apply


def _matches(array_function, float_function) -> bool:
    """Whether numpy's array function rounds as the float one (libm) on values that cover the
    range the envs see: true on most builds, not on some SIMD ones (AVX512 SVML)."""
    probe = np.linspace(-60.0, 60.0, 4001)
    return np.array_equal(array_function(probe), [float_function(v) for v in probe.tolist()])


# sin, cos, square: (B,) -> (B,) (into `out` when given), each element as the single env's float
# arithmetic gives it.
# `square` is libm's pow(x, 2), as a float's `x**2`; numpy's `x**2` on an array is `x * x`, which
# differs from it in the last bit for about 0.1% of inputs, but `float_power` calls pow.
sin = np.sin if _matches(np.sin, math.sin) else _elementwise(math.sin)
cos = np.cos if _matches(np.cos, math.cos) else _elementwise(math.cos)
square = _float_square if _matches(_float_square, lambda v: v**2) else _elementwise(lambda v: v**2)
