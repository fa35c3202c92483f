"""f(w) = w² + 3w − 5"""

from __future__ import annotations

import numpy as np

name = "parabola"
order = None  # not in the m cycle: the lesson's first optimizer exercise, run with --model parabola
start = {"w": 3.0}
optimizer = "gd"
lr = 0.125
steps = 1000
steps_per_frame = 1  # slow enough to watch each step


def f(w):
    return w * w + 3.0 * w - 5.0


def predict(params, x):
    """f(w) at every x: the model is the function itself, and x plays no part in it."""
    return f(params["w"]) + 0.0 * x


def loss(pred, y):
    """The loss is f(w) itself (every prediction is f(w)); the data play no part."""
    return pred.mean()


def simulate(n, seed, noise):
    """The graph of f over [-6.5, 3.5], drawn as the "data" so the fit view shows the parabola."""
    x = np.linspace(-6.5, 3.5, n)
    return x, f(x)


def optimum(x, y):
    """f'(w) = 2w + 3 = 0 at w = -1.5."""
    return {"w": np.float64(-1.5)}


def gradient(params, x, y):
    return {"w": float(2.0 * params["w"] + 3.0)}


def markers(params):
    """The current w, where the line y = f(w) meets the parabola."""
    return [(float(params["w"]), "w")]
