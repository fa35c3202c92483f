"""y = w·x + b"""

from __future__ import annotations

import numpy as np

from fitplay.core.data import simulate as simulate_line
from fitplay.core.lsq import LeastSquares
from fitplay.core.models.affine import from_standard, to_standard  # noqa: F401 (capabilities)

name = "linear"
order = 1  # place in the m cycle
start = {"w": -5.0, "b": 3.0}  # the lesson's bad guess
hand = ("w", "b")
loss = "mse"
optimizer = "gd"
lr = 0.05
steps = 5000
noise = 1.0
true = {"w": 2.0, "b": 20.0}
steps_per_frame = 4
tour = (400, 2)  # the demo's step budget and steps per frame for this model
lesson = True  # the demo tours the chapter's hand moves on this model's own data

# Capabilities beyond the model-file contract.
curvature = 2.0  # the MSE's Hessian is 2 E[X Xᵀ], X = [x, 1]
exact_mse = True  # the loss is a line's MSE: exact and O(1) from centred moments


def predict(params, x):
    return params["w"] * x + params["b"]


def simulate(n, seed, noise, w=2.0, b=20.0):
    """The lesson's data: x on [-5, 5], y = w x + b + N(0, noise²)."""
    data = simulate_line(n, w, b, noise, seed)
    return data.x, data.y


def scaled_start(sign):
    """A bad guess in standardised units: across the data, tilted against its trend."""
    return {"w": -2.0 * sign, "b": -1.0}


def optimum(x, y):
    fit = LeastSquares.of(x, y)
    return {"w": np.float64(fit.w), "b": np.float64(fit.b)}
