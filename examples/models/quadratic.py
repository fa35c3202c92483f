"""y = a·x² + b·x + c"""

import numpy as np

start = {"a": 0.0, "b": 0.0, "c": 0.0}  # parameter names and the start point
hand = ("b", "c")  # the arrow keys move b (← →) and c (↑ ↓); the landscape shows them
optimizer = "adam"
lr = 0.05
steps = 20000


def predict(params, x):
    return params["a"] * x**2 + params["b"] * x + params["c"]


def simulate(n, seed, noise):
    """Data to fit when no CSV is given: a parabola with noise."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-3.0, 3.0, n)
    return x, 0.8 * x**2 - 1.5 * x + 2.0 + noise * rng.standard_normal(n)
