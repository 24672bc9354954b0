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

from models.activations import LAYER_ACTIVATIONS, activation
from models.params import as_flat, take


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
        self.param_count = sum(
            i * o + o + (o if noisy else 0)
            for (i, o), noisy in zip(self.shapes, self.output_noise, strict=True)
        )
        self.set_params(np.zeros(self.param_count))

    def set_params(self, params: np.ndarray) -> None:
        """Load a flat vector of `param_count` values (see the module docstring for the layout)."""
        params = as_flat(params, self.param_count)
        self.weights, self.biases, self.noise_std = [], [], []
        start = 0
        for (n_in, n_out), noisy in zip(self.shapes, self.output_noise, strict=True):
            weights, start = take(params, start, (n_in, n_out))
            bias, start = take(params, start, (n_out,))
            self.weights.append(weights)
            self.biases.append(bias)
            if noisy:
                log_std, start = take(params, start, (n_out,))
                self.noise_std.append(np.exp(0.5 * log_std + self.noise_bias))
            else:
                self.noise_std.append(None)
        self._params = params.copy()

    def get_params(self) -> np.ndarray:
        return self._params.copy()

    def reset(self) -> None:
        """Start of an episode (a feed-forward policy keeps no state)."""

    def act(self, obs: np.ndarray, t: int = 0, rng: np.random.Generator | None = None):
        """The action for observation `obs` at step `t`; `rng` draws output noise and samples."""
        h = np.asarray(obs, dtype=np.float64).reshape(-1)
        if self.time_factor > 0:
            h = np.append(h, t / self.time_factor)
        for w, b, std, act in zip(
            self.weights, self.biases, self.noise_std, self.activations, strict=False
        ):
            h = h @ w + b
            if std is not None and rng is not None:
                h = h + std * rng.standard_normal(h.shape)
            h = act(h)
        if self.sample_output:
            probabilities = h / h.sum()
            return int(rng.choice(len(h), p=probabilities)) if rng is not None else int(h.argmax())
        return h
