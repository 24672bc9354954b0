"""Activation functions of estool's numpy policies, by name."""

from __future__ import annotations

import numpy as np


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def passthru(x: np.ndarray) -> np.ndarray:
    return x


ACTIVATIONS = {"tanh": np.tanh, "relu": relu, "sigmoid": sigmoid, "softmax": softmax}

# estool's Game.activation names the output; hidden layers are tanh (relu for 'relu')
LAYER_ACTIVATIONS = {
    "relu": ("relu", "relu", "passthru"),
    "sigmoid": ("tanh", "tanh", "sigmoid"),
    "softmax": ("tanh", "tanh", "softmax"),
    "passthru": ("tanh", "tanh", "passthru"),
    "tanh": ("tanh", "tanh", "tanh"),
}


def activation(name: str):
    if name == "passthru":
        return passthru
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(LAYER_ACTIVATIONS)}")
    return ACTIVATIONS[name]
