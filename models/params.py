"""Flat parameter vectors, shared by the numpy policies."""

from __future__ import annotations

import math

import numpy as np


def as_flat(params, expected: int) -> np.ndarray:
    """`params` as a float64 vector of `expected` values, or a ValueError naming both sizes."""
    flat = np.asarray(params, dtype=np.float64).reshape(-1)
    if flat.size != expected:
        raise ValueError(f"this policy has {expected} parameters, the vector has {flat.size}")
    return flat


def take(flat: np.ndarray, start: int, shape: tuple[int, ...]) -> tuple[np.ndarray, int]:
    """The block of `shape` at `start` (row-major) and the offset after it."""
    size = math.prod(shape)
    return flat[start : start + size].reshape(shape), start + size
