"""First-order optimizers that turn an ES gradient estimate into a step of the mean.

Gradient *ascent* (every solver maximizes). Adam follows Kingma & Ba 2015 with estool's defaults
(beta1 = 0.99, beta2 = 0.999), as used by estool's OpenES / PEPG after OpenAI's es-starter.
"""

from __future__ import annotations

import numpy as np


class SGD:
    """Gradient ascent, with momentum if `momentum` > 0 (exponential average of gradients)."""

    def __init__(self, num_params: int, momentum: float = 0.0):
        self.momentum = momentum
        self.velocity = np.zeros(num_params)

    def step(self, grad: np.ndarray, learning_rate: float) -> np.ndarray:
        """The change to add to the parameters, shape (num_params,)."""
        if self.momentum == 0.0:
            return learning_rate * grad
        self.velocity = self.momentum * self.velocity + (1.0 - self.momentum) * grad
        return learning_rate * self.velocity


class Adam:
    """Adam with bias correction folded into the step size."""

    def __init__(
        self, num_params: int, beta1: float = 0.99, beta2: float = 0.999, epsilon: float = 1e-8
    ):
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.m = np.zeros(num_params)
        self.v = np.zeros(num_params)
        self.t = 0

    def step(self, grad: np.ndarray, learning_rate: float) -> np.ndarray:
        """The change to add to the parameters, shape (num_params,)."""
        self.t += 1
        a = learning_rate * np.sqrt(1.0 - self.beta2**self.t) / (1.0 - self.beta1**self.t)
        self.m = self.beta1 * self.m + (1.0 - self.beta1) * grad
        self.v = self.beta2 * self.v + (1.0 - self.beta2) * (grad * grad)
        return a * self.m / (np.sqrt(self.v) + self.epsilon)


OPTIMIZERS = {"adam": Adam, "sgd": SGD}


def make_optimizer(name: str, num_params: int) -> Adam | SGD:
    """Optimizer by name: 'adam' or 'sgd'."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](num_params)


def anneal(value, decay: float, limit: float):
    """estool's schedule: multiply by `decay` while above `limit` (elementwise for arrays)."""
    if np.ndim(value) == 0:
        return value * decay if value > limit else value
    return np.where(value > limit, value * decay, value)
