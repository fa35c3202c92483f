"""Loss functions, written once for numpy and jax.numpy (pass the array module as xp)."""

from __future__ import annotations

import numpy as np


def mse(pred, y, xp=np, axis=None):
    """Mean squared error: mean((y - pred)^2)."""
    return xp.mean((y - pred) ** 2, axis=axis)


def bce_logits(z, y, xp=np, axis=None):
    """Mean binary cross-entropy of sigmoid(z) against 0/1 targets, computed from the logits z.

    Equal to -mean(y log p + (1 - y) log(1 - p)) but never infinite; unlike clipping p, it keeps the
    gradient alive for saturated points, so a saturated start is not mistaken for convergence.
    """
    return xp.mean(xp.logaddexp(0.0, z) - y * z, axis=axis)


def sigmoid(z, xp=np):
    """Logistic function in a form that never overflows."""
    return 0.5 * (1.0 + xp.tanh(0.5 * z))


def bce_probabilities(p, y, xp=np, axis=None):
    """Mean binary cross-entropy of probabilities p (clipped to stay finite), for models without logits."""
    p = xp.clip(p, 1e-15, 1.0 - 1e-15)
    return -xp.mean(y * xp.log(p) + (1.0 - y) * xp.log(1.0 - p), axis=axis)
