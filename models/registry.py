"""Policy kinds by name, and `PolicySpec`: a kind plus its constructor's arguments.

Entries are `module:Class` strings imported when a policy of that kind is first built (as
Gymnasium's entry points), so that a kind with heavy dependencies (the World Models controller,
torch) costs nothing to the others. `register_policy` raises on a duplicate kind.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

POLICY_KINDS: dict[str, str] = {}


class Policy(Protocol):
    """What a rollout needs of a policy: a flat parameter vector in, actions out."""

    param_count: int

    def set_params(self, params: np.ndarray) -> None: ...

    def get_params(self) -> np.ndarray: ...

    def reset(self) -> None:
        """Start of an episode (clears any recurrent state)."""

    def act(self, obs: np.ndarray, t: int = 0, rng: np.random.Generator | None = None) -> Any:
        """The outputs for observation `obs` at step `t`; `rng` draws any noise."""


@dataclass(frozen=True)
class PolicySpec:
    """A policy kind (a key of POLICY_KINDS) and the keyword arguments of its class."""

    kind: str
    args: Mapping[str, Any] = field(default_factory=dict)


def register_policy(kind: str, entry_point: str) -> None:
    """Add a policy kind built by `entry_point` ("module:Class")."""
    if kind in POLICY_KINDS:
        raise ValueError(f"policy kind {kind!r} is already registered")
    POLICY_KINDS[kind] = entry_point


def make_policy(spec: PolicySpec) -> Policy:
    """The policy `spec` describes, parameters zero until `set_params`."""
    if spec.kind not in POLICY_KINDS:
        raise ValueError(f"unknown policy kind {spec.kind!r}; choose one of {sorted(POLICY_KINDS)}")
    module, _, name = POLICY_KINDS[spec.kind].partition(":")
    return getattr(importlib.import_module(module), name)(**spec.args)


register_policy("mlp", "models.mlp:MLPPolicy")
register_policy("rnn", "models.rnn:RNNPolicy")
register_policy("wm_controller", "models.controller:Controller")
