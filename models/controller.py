"""C: the World Models controller (Ha & Schmidhuber, 2018, arXiv 1803.10122), the only part
that evolution trains.

features (n,) = [z, h] (CarRacing) or [z, c, h] (Doom), from `envs.world_model` or the dream,
-> actions (m,) = tanh(W features (+ b)). Layouts, flat vector in this order:
- linear (`hidden` = 0): W (n, m) row-major, then b (m,) with `bias`. CarRacing: 288 -> 3 with
  bias, 867 parameters; Doom: 1088 -> 1 without bias, 1088 (the env cuts the output into thirds).
- `hidden` > 0: W1 (n, hidden), b1, tanh, W2 (hidden, m), b2, tanh (the paper's ablation with a
  40-unit hidden layer).
- `activations` (hidden layer's, output's), ("tanh", "tanh") by default: the Sonic port's C is
  [z, c, h] (2,248) -> 512 ReLU -> 4 sigmoids, one a button, pressed above 0.5
  (1,153,540 parameters).

Numpy, not torch: the controller is evaluated once per step of every episode, and a (1, n) @
(n, m) product in numpy costs a microsecond or two.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from models.activations import activation
from models.params import as_flat, take


class Controller:
    """features (input_size,) -> actions (output_size,) in [-1, 1]."""

    deterministic = True  # draws no random numbers

    def __init__(
        self,
        input_size: int,
        output_size: int,
        hidden: int = 0,
        bias: bool = True,
        activations: tuple[str, str] = ("tanh", "tanh"),
    ):
        if hidden < 0:
            raise ValueError(f"hidden {hidden}: must be >= 0")
        self.input_size, self.output_size = int(input_size), int(output_size)
        sizes = [self.input_size, *([hidden] if hidden else []), self.output_size]
        self.shapes = list(pairwise(sizes))
        hidden_activation, output_activation = activations
        self.activations = [activation(hidden_activation)] * (len(self.shapes) - 1) + [
            activation(output_activation)
        ]
        self.bias = bool(bias) or hidden > 0
        self.param_count = sum(i * o + (o if self.bias else 0) for i, o in self.shapes)
        self.set_params(np.zeros(self.param_count))

    def set_params(self, params: np.ndarray) -> None:
        params = as_flat(params, self.param_count)
        self.layers, start = [], 0
        for shape in self.shapes:
            weights, start = take(params, start, shape)
            bias = None
            if self.bias:
                bias, start = take(params, start, (shape[1],))
            self.layers.append((weights, bias))
        self._params = params.copy()

    def get_params(self) -> np.ndarray:
        return self._params.copy()

    def reset(self) -> None:
        """Start of an episode (the recurrent state lives in the features' source)."""

    def act(self, obs: np.ndarray, t: int = 0, rng: np.random.Generator | None = None):
        h = np.asarray(obs, dtype=np.float64).reshape(-1)
        for (w, b), f in zip(self.layers, self.activations, strict=True):
            h = h.dot(w)
            if b is not None:
                h = h + b
            h = f(h)
        return h

    def batch(self, params: np.ndarray) -> ControllerBatch:
        """The controller for B rows in lockstep: params (num_params,) or (B, num_params)."""
        return ControllerBatch(self, params)


class ControllerBatch:
    """`Controller.act` for B rows: features (B, n) -> (B, m), each row as it is alone
    ((1, n) @ (n, m) products stacked, as `models.mlp.MLPBatch`)."""

    def __init__(self, controller: Controller, params: np.ndarray):
        params = np.asarray(params, dtype=np.float64)
        shared = params.ndim == 1
        rows = params[None] if shared else params
        if rows.shape[1] != controller.param_count:
            raise ValueError(
                f"this controller has {controller.param_count} parameters, got {params.shape}"
            )
        self.layers, start = [], 0
        self.activations = controller.activations
        for n_in, n_out in controller.shapes:
            weights = rows[:, start : start + n_in * n_out].reshape(-1, n_in, n_out)
            start += n_in * n_out
            bias = None
            if controller.bias:
                bias = rows[:, None, start : start + n_out]
                start += n_out
            self.layers.append(
                (weights[0], None if bias is None else bias[0]) if shared else (weights, bias)
            )

    def reset(self) -> None:
        """Start of the episodes."""

    def act(self, obs: np.ndarray, t: int = 0) -> np.ndarray:
        h = np.ascontiguousarray(obs, dtype=np.float64).reshape(len(obs), 1, -1)
        for (w, b), f in zip(self.layers, self.activations, strict=True):
            h = np.matmul(h, w)
            if b is not None:
                h = h + b
            h = f(h)
        return h[:, 0, :]

    def keep(self, rows: np.ndarray) -> None:
        self.layers = [
            (
                w if w.ndim == 2 else w.take(rows, 0),
                b if b is None or b.ndim < 3 else b.take(rows, 0),
            )
            for w, b in self.layers
        ]
