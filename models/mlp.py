"""Feed-forward numpy policy with the semantics of estool's `model.py` `Model`.

Layers: (input [+ 1 time input]) -> h1 -> [h2 ->] output, where `hidden = (h1, h2)` and h2 = 0
means a single hidden layer. Layer i uses activation i of the Game's activation triple (so a net
with one hidden layer ends with the *second* entry, tanh for every choice but 'relu', as in
estool: files trained there load and act the same here).

Flat parameter layout, layer by layer: weights (n_in * n_out, row-major as (n_in, n_out)), bias
(n_out,), then, if that layer has learned output noise, log_std (n_out,). A noisy layer adds
N(0, exp(0.5 * log_std + noise_bias)) to its pre-activation, drawn from the episode's generator.
With `time_factor` > 0 the step index t enters as an extra input t / time_factor.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.activations import LAYER_ACTIVATIONS, activation, passthru
from models.params import as_flat


class MLPPolicy:
    """obs (input_size,) -> action (output_size,), or an int for sampled softmax outputs."""

    def __init__(
        self,
        input_size: int,
        output_size: int,
        hidden: Sequence[int] = (32, 32),
        activation_name: str = "tanh",
        time_factor: float = 0.0,
        output_noise: Sequence[bool] = (False, False, False),
        noise_bias: float = 0.0,
    ):
        if activation_name not in LAYER_ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation_name!r}; choose one of {sorted(LAYER_ACTIVATIONS)}"
            )
        h1, h2 = (*hidden, 0, 0)[:2]
        if h1 < 1 or h2 < 0:
            raise ValueError(f"hidden sizes must be (h1 >= 1, h2 >= 0), got {tuple(hidden)}")
        self.input_size, self.output_size = int(input_size), int(output_size)
        self.time_factor = float(time_factor)
        sizes = [self.input_size + (1 if time_factor > 0 else 0), h1, *([h2] if h2 else [])]
        self.shapes = list(zip(sizes, [*sizes[1:], self.output_size], strict=True))
        self.activations = [activation(n) for n in LAYER_ACTIVATIONS[activation_name]]
        self.output_noise = tuple(bool(v) for v in output_noise)[: len(self.shapes)]
        self.noise_bias = float(noise_bias)
        self.sample_output = activation_name == "softmax"
        # no output noise, no sampling: `act` is a deterministic function of (obs, t)
        self.deterministic = not any(self.output_noise) and not self.sample_output
        self.lean = self.deterministic and self.time_factor == 0  # `act` needs only h.dot(w)
        # where each layer's pieces lie in the flat vector: (start, end[, shape]), None: no noise
        self._weight_blocks, self._bias_blocks, self._noise_blocks = [], [], []
        start = 0
        for (n_in, n_out), noisy in zip(self.shapes, self.output_noise, strict=True):
            self._weight_blocks.append((start, start + n_in * n_out, (n_in, n_out)))
            start += n_in * n_out
            self._bias_blocks.append((start, start + n_out))
            start += n_out
            self._noise_blocks.append((start, start + n_out) if noisy else None)
            start += n_out if noisy else 0
        self.param_count = start
        self.set_params(np.zeros(self.param_count))

    def set_params(self, params: np.ndarray) -> None:
        """Load a flat vector of `param_count` values (see the module docstring for the layout)."""
        # one private copy; the layers are views of it (once per solution on the rollout's path)
        params = np.array(as_flat(params, self.param_count))
        self.weights = [params[a:b].reshape(shape) for a, b, shape in self._weight_blocks]
        self.biases = [params[a:b] for a, b in self._bias_blocks]
        self.noise_std = [
            None if block is None else np.exp(0.5 * params[block[0] : block[1]] + self.noise_bias)
            for block in self._noise_blocks
        ]
        self._params = params
        # what a step needs, in one list; a pass-through activation is skipped
        self.layers = [
            (w, b, None if f is passthru else f)
            for w, b, f in zip(self.weights, self.biases, self.activations, strict=False)
        ]

    def get_params(self) -> np.ndarray:
        return self._params.copy()

    def reset(self) -> None:
        """Start of an episode (a feed-forward policy keeps no state)."""

    def act(self, obs: np.ndarray, t: int = 0, rng: np.random.Generator | None = None):
        """The action for observation `obs` at step `t`; `rng` draws output noise and samples."""
        if self.lean and type(obs) is np.ndarray and obs.ndim == 1:
            h = obs  # h.dot(w) converts it to float64 itself, as np.asarray would
        else:
            h = np.asarray(obs, dtype=np.float64)
            if h.ndim != 1:
                h = h.reshape(-1)
            if self.time_factor > 0:
                h = np.append(h, t / self.time_factor)
        # h.dot(w): BLAS's gemv, as h @ w calls it, at half the cost (no ufunc machinery)
        if self.deterministic:  # the per-step path: three numpy calls a layer
            for w, b, f in self.layers:
                h = h.dot(w) + b
                if f is not None:
                    h = f(h)
            return h
        for w, b, std, act in zip(
            self.weights, self.biases, self.noise_std, self.activations, strict=False
        ):
            h = h.dot(w) + b
            if std is not None and rng is not None:
                h = h + std * rng.standard_normal(h.shape)
            h = act(h)
        if self.sample_output:
            probabilities = h / h.sum()
            return int(rng.choice(len(h), p=probabilities)) if rng is not None else int(h.argmax())
        return h

    def batch(self, params: np.ndarray) -> MLPBatch | None:
        """The policy for B episodes in lockstep: params (num_params,), shared by every row, or
        (B, num_params), one row each. None when a step draws random numbers (output noise,
        sampled outputs): those play one episode at a time, each from its own generator."""
        return MLPBatch(self, params) if self.deterministic else None


class MLPBatch:
    """`MLPPolicy.act` for B rows at once: obs (B, input_size) -> (B, output_size).

    Row i is computed as `MLPPolicy.act` computes it alone: (1, n_in) @ (n_in, n_out) products
    stacked (np.matmul over a (B, 1, n_in) batch), not one (B, n_in) @ (n_in, n_out) product,
    whose blocked sums round differently. So a row's result does not depend on the batch.
    """

    def __init__(self, policy: MLPPolicy, params: np.ndarray):
        params = np.asarray(params, dtype=np.float64)
        shared = params.ndim == 1  # one solution's episodes: (n_in, n_out) weights broadcast
        rows = params[None] if shared else params
        if rows.shape[1] != policy.param_count:
            raise ValueError(f"this policy has {policy.param_count} parameters, got {params.shape}")
        self.time_factor = policy.time_factor
        # for `alone`: the parameters, and the rows still playing (indices into `params` rows)
        self.policy, self.params = policy, params
        self.playing = None if shared else np.arange(len(rows))
        self.layers, start = [], 0
        for (n_in, n_out), f in zip(policy.shapes, policy.activations, strict=False):
            weights = rows[:, start : start + n_in * n_out].reshape(-1, n_in, n_out)
            start += n_in * n_out
            bias = rows[:, start : start + n_out]
            start += n_out
            if shared:
                weights, bias = weights[0], bias[0]
            else:
                bias = np.ascontiguousarray(bias[:, None, :])  # (B, 1, n_out), as the products
            self.layers.append((weights, bias, None if f is passthru else f))

    def reset(self) -> None:
        """Start of the episodes (a feed-forward policy keeps no state)."""

    def act(self, obs: np.ndarray, t: int = 0) -> np.ndarray:
        # C order: numpy hands a row to BLAS only when its numbers are adjacent; a strided row
        # goes through numpy's own loop, which sums in another order than the single policy's.
        # A float32 observation stays float32: matmul casts it to the weights' float64 itself,
        # the values `h.dot(w)` computes with, in one call less.
        h = np.ascontiguousarray(obs)
        if h.ndim != 2:
            h = h.reshape(len(h), -1)
        if self.time_factor > 0:
            h = np.concatenate([h, np.full((len(h), 1), t / self.time_factor)], axis=1)
        h = h[:, None, :]  # (B, 1, n): B products (1, n_in) @ (n_in, n_out)
        for w, b, f in self.layers:
            h = np.matmul(h, w)
            h += b
            if f is not None:
                h = f(h)
        return h[:, 0, :]

    def keep(self, rows: np.ndarray) -> None:
        """Only the rows still playing remain (shared weights stay shared)."""
        if self.playing is None:
            return
        self.layers = [(w.take(rows, 0), b.take(rows, 0), f) for w, b, f in self.layers]
        self.playing = self.playing.take(rows)

    def alone(self, row: int) -> MLPPolicy:
        """The single policy with row `row`'s parameters (the policy this batch was made from)."""
        shared = self.playing is None
        self.policy.set_params(self.params if shared else self.params[self.playing[row]])
        return self.policy
