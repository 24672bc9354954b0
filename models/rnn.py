"""Recurrent numpy policy with the semantics of estool's `nn.py` `RNNModel`.

State h (hidden,), starting from a learned h0. Per step, with obs x (input_size,):
    z = tanh([x, h] W1 + b1)           (input + hidden) -> layer
    a = tanh(z W2 + b2)                layer -> output: the action
    h = tanh([x, a, h] W0 + b0)        (input + output + hidden) -> hidden
Flat parameters: W0, b0, W1, b1, W2, b2 (weights row-major as (n_in, n_out)), then h0 (hidden,).
"""

from __future__ import annotations

import numpy as np

from models.params import as_flat, take


class RNNPolicy:
    """obs (input_size,) -> action (output_size,), carrying a hidden state across steps."""

    def __init__(self, input_size: int, output_size: int, hidden: int = 16, layer: int = 16):
        if hidden < 1 or layer < 1:
            raise ValueError(f"hidden and layer sizes must be >= 1, got {hidden}, {layer}")
        self.input_size, self.output_size = int(input_size), int(output_size)
        self.hidden = int(hidden)
        self.shapes = [
            (self.input_size + self.output_size + self.hidden, self.hidden),
            (self.input_size + self.hidden, int(layer)),
            (int(layer), self.output_size),
        ]
        self.param_count = sum(i * o + o for i, o in self.shapes) + self.hidden
        self.set_params(np.zeros(self.param_count))

    def set_params(self, params: np.ndarray) -> None:
        params = as_flat(params, self.param_count)
        self.weights, self.biases = [], []
        start = 0
        for n_in, n_out in self.shapes:
            weights, start = take(params, start, (n_in, n_out))
            bias, start = take(params, start, (n_out,))
            self.weights.append(weights)
            self.biases.append(bias)
        self.h0, _ = take(params, start, (self.hidden,))
        self._params = params.copy()
        self.reset()

    def get_params(self) -> np.ndarray:
        return self._params.copy()

    def reset(self) -> None:
        """Start of an episode: the hidden state goes back to the learned h0."""
        self.h = self.h0.copy()

    def act(self, obs: np.ndarray, t: int = 0, rng: np.random.Generator | None = None):
        x = np.asarray(obs, dtype=np.float64).reshape(-1)
        (w0, w1, w2), (b0, b1, b2) = self.weights, self.biases
        z = np.tanh(np.concatenate([x, self.h]).dot(w1) + b1)  # .dot: gemv, as @, but leaner
        action = np.tanh(z.dot(w2) + b2)
        self.h = np.tanh(np.concatenate([x, action, self.h]).dot(w0) + b0)
        return action
