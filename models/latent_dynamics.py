"""M's step in numpy (float32), for B rows at once: the dream and the real env's features.

Exported by `models.mdrnn.MDNRNN.export`. Each row is computed as it would be alone: the matrix
products are (1, n) @ (n, m) products stacked (np.matmul over (B, 1, n)), not one (B, n) @ (n, m)
product whose blocked sums round differently; so a dream episode's result depends on its own
seed only, never on the rows it shares a batch with (the rollout's contract, `envs.vector`).

    step(z (B, z), action (B, a), first (B,), h (B, H), c (B, H)) -> h', c', head (B, n_out)
    mixture(head) -> logit_pi, mu, log_sigma (B, K, z), done_logit (B,) or None
    sample(logit_pi, mu, log_sigma, temperature, uniform (B, z), normal (B, z)) -> z (B, z)

Sampling at temperature tau (World Models): mixture weights softmax(logit_pi / tau), the chosen
component's mu + sigma * sqrt(tau) * normal.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def _rowwise(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x (B, n) @ w (n, m) + b, each row its own product."""
    out = np.matmul(np.ascontiguousarray(x)[:, None, :], w)[:, 0, :]
    out += b
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * np.tanh(0.5 * x) + 0.5


class LatentDynamics:
    """A trained M in numpy; `weights` from `MDNRNN.export`, sizes from its design."""

    def __init__(
        self,
        weights: Mapping[str, np.ndarray],
        z_size: int,
        gaussians: int,
        done_head: bool = False,
        restart_input: bool = False,
    ):
        self.lstm_w = np.ascontiguousarray(weights["lstm_w"], dtype=np.float32)
        self.lstm_b = np.asarray(weights["lstm_b"], dtype=np.float32)
        self.head_w = np.ascontiguousarray(weights["head_w"], dtype=np.float32)
        self.head_b = np.asarray(weights["head_b"], dtype=np.float32)
        self.input_w = weights.get("input_w")
        self.input_b = weights.get("input_b")
        self.hidden = self.lstm_b.shape[0] // 4
        self.z_size, self.gaussians = z_size, gaussians
        self.done_head, self.restart_input = done_head, restart_input
        self.mixture_size = 3 * gaussians * z_size
        if self.head_w.shape[1] < self.mixture_size + int(done_head):
            raise ValueError(
                f"M's head has {self.head_w.shape[1]} outputs; z {z_size} with {gaussians} "
                f"Gaussians{' and a done head' if done_head else ''} needs more"
            )

    def initial_state(self, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """h, c (rows, H) at the start of an episode: zeros."""
        return (
            np.zeros((rows, self.hidden), np.float32),
            np.zeros((rows, self.hidden), np.float32),
        )

    def step(self, z, action, first, h, c) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        parts = [z, action] + (
            [np.asarray(first, np.float32)[:, None]] if self.restart_input else []
        )
        x = np.concatenate([np.asarray(p, np.float32).reshape(len(z), -1) for p in parts], axis=1)
        if self.input_w is not None:
            x = np.maximum(_rowwise(x, self.input_w, self.input_b), 0)
        gates = _rowwise(np.concatenate([x, h], axis=1), self.lstm_w, self.lstm_b)
        i, f, g, o = np.split(gates, 4, axis=1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        return h, c, _rowwise(h, self.head_w, self.head_b)

    def mixture(self, head: np.ndarray):
        mixture = head[:, : self.mixture_size].reshape(len(head), 3, self.gaussians, self.z_size)
        done = head[:, self.mixture_size] if self.done_head else None
        return mixture[:, 0], mixture[:, 1], mixture[:, 2], done

    @staticmethod
    def sample(logit_pi, mu, log_sigma, temperature: float, uniform, normal) -> np.ndarray:
        logits = logit_pi / np.float32(temperature)
        logits = logits - logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        cumulative = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)  # (B, K, z)
        chosen = np.minimum((uniform[:, None, :] > cumulative).sum(axis=1), mu.shape[1] - 1)
        index = chosen[:, None, :]
        mean = np.take_along_axis(mu, index, axis=1)[:, 0]
        sigma = np.exp(np.take_along_axis(log_sigma, index, axis=1)[:, 0])
        return (mean + sigma * np.float32(np.sqrt(temperature)) * normal).astype(np.float32)
