"""What builds a preset's environment: `EnvSpec` (id, kwargs, task wrappers, step cap, actions).

The action mapping turns a policy's outputs into the env's actions, chosen once per env:
- `argmax`: Discrete, the index of the largest output;
- `binary`: MultiBinary, 1 where an output is > 0;
- `rescale`: a bounded Box, outputs in [-1, 1] mapped onto [low, high];
- `identity`: the outputs themselves, in the action space's shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

ACTION_MAPPINGS = ("argmax", "binary", "rescale", "identity")


@dataclass(frozen=True)
class EnvSpec:
    """A Gymnasium id and how a preset plays it."""

    id: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    wrappers: tuple[str, ...] = ()  # task tweaks for training episodes (envs.wrappers.WRAPPERS)
    max_episode_steps: int = 3000  # estool's cap on an episode
    actions: str = "identity"  # one of ACTION_MAPPINGS

    def __post_init__(self):
        if self.actions not in ACTION_MAPPINGS:
            raise ValueError(f"actions {self.actions!r}: choose one of {ACTION_MAPPINGS}")

    def make(self, render_mode: str | None = None) -> gym.Env:
        """The env of the task itself (what evaluations score)."""
        from envs import make_env

        return make_env(self.id, render_mode=render_mode, **self.kwargs)

    def make_vector(self):
        """The lockstep env of the task (`envs.vector`), or None where there is none."""
        from envs.vector import make_vector

        return make_vector(self.id, dict(self.kwargs))

    def for_training(self, env: gym.Env) -> gym.Env:
        """`env` (from `make`) in the spec's task tweaks, or `env` itself without any."""
        from envs.wrappers import apply_wrappers

        return apply_wrappers(env, self.wrappers)

    def action_mapping(
        self, action_space: gym.Space, outputs: int | None = None, batched: bool = False
    ) -> Callable[[Any], Any]:
        """outputs -> action for `action_space` (see the module docstring); `batched`: (B, n)
        outputs -> B actions, each the one a single row gives. `outputs`, the size of the
        policy's float64 output vector, lets `identity` pass it on untouched."""
        if self.actions == "argmax":
            if batched:
                return lambda output: np.argmax(output, axis=-1)
            return lambda output: int(np.argmax(output)) if np.ndim(output) else int(output)
        shape = tuple(getattr(action_space, "shape", None) or ())

        def in_shape(action: np.ndarray) -> np.ndarray:  # (n,) or (B, n) -> shape or (B, *shape)
            return action.reshape(action.shape[: 1 if batched else 0] + shape) if shape else action

        if self.actions == "binary" or isinstance(action_space, gym.spaces.MultiBinary):
            return lambda output: in_shape((np.asarray(output) > 0).astype(np.int8))
        if self.actions == "rescale" and isinstance(action_space, gym.spaces.Box):
            low = action_space.low.astype(np.float64).reshape(-1)
            span = action_space.high.astype(np.float64).reshape(-1) - low
            if np.all(np.isfinite(low)) and np.all(np.isfinite(span)):
                if shape == (1,) and not batched:  # one number (Pendulum's torque): in floats,
                    lo, width = float(low[0]), float(span[0])  # a third of the time
                    return lambda output: np.array(
                        [lo + (min(max(float(output[0]), -1.0), 1.0) + 1.0) * 0.5 * width]
                    )
                # minimum(maximum()): np.clip's values without its Python-level wrapper; 0-d
                # constants: faster operands than Python floats, the same values
                one, minus_one, half = np.array(1.0), np.array(-1.0), np.array(0.5)
                return lambda output: in_shape(
                    low
                    + (np.minimum(np.maximum(np.asarray(output, np.float64), minus_one), one) + one)
                    * half
                    * span
                )
        if shape == (outputs,):
            return unchanged
        return lambda output: in_shape(np.asarray(output, dtype=np.float64))


def unchanged(output):
    """The identity mapping: the policy's outputs are the env's actions (rollouts skip it)."""
    return output
