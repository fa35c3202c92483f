"""y = W2·tanh(W1·x+b1)+b2"""

from __future__ import annotations

import numpy as np

from fitplay.core.arrays import xp_of
from fitplay.core.data import simulate_curve

name = "mlp"
order = 3  # place in the m cycle
loss = "mse"
optimizer = "adam"
lr = 0.03
steps = 5000
noise = 0.2
steps_per_frame = 32
tour = (3000, 64)


def start(seed, hidden=8):
    """A seeded random start for a 1 -> hidden -> 1 network."""
    rng = np.random.default_rng(seed + 10_000)
    return {
        "W1": rng.normal(0.0, 1.0, hidden),
        "b1": rng.normal(0.0, 1.0, hidden),
        "W2": rng.normal(0.0, 1.0 / np.sqrt(hidden), hidden),
        "b2": np.float64(0.0),
    }


def predict(params, x):
    xp = xp_of(params, x)
    h = xp.tanh(x[..., None] * params["W1"] + params["b1"])
    return h @ params["W2"] + params["b2"]


def simulate(n, seed, noise):
    """A nonlinear curve: y = 2 sin(x) + 0.3 x + N(0, noise²)."""
    data = simulate_curve(n, noise, seed)
    return data.x, data.y


def memory(n, params):
    """Bytes of one step: the forward and backward pass hold about six (points x hidden) arrays."""
    return 6 * 8 * n * params["W1"].size


def from_standard(params, scaling):
    mx, sx, my, sy = scaling
    w1 = params["W1"] / sx
    return {"W1": w1, "b1": params["b1"] - w1 * mx, "W2": sy * params["W2"], "b2": sy * params["b2"] + my}


def to_standard(params, scaling):
    mx, sx, my, sy = scaling
    return {"W1": params["W1"] * sx, "b1": params["b1"] + params["W1"] * mx, "W2": params["W2"] / sy,
            "b2": (params["b2"] - my) / sy}
