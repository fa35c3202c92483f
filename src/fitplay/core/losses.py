"""Loss functions, written once for numpy and jax.numpy (pass the array module as xp)."""

from __future__ import annotations

import numpy as np

EPS = 1e-7


def mse(pred, y, xp=np):
    """Mean squared error: mean((y - pred)^2)."""
    return xp.mean((y - pred) ** 2)


def bce(prob, y, xp=np):
    """Mean binary cross-entropy with probabilities clipped to [EPS, 1 - EPS]."""
    p = xp.clip(prob, EPS, 1.0 - EPS)
    return -xp.mean(y * xp.log(p) + (1.0 - y) * xp.log(1.0 - p))


def sigmoid(z, xp=np):
    """Logistic function in a form that never overflows."""
    return 0.5 * (1.0 + xp.tanh(0.5 * z))
