"""p = σ(w·x + b)"""

from __future__ import annotations

import numpy as np

from fitplay.core.arrays import xp_of
from fitplay.core.data import simulate_logistic
from fitplay.core.losses import sigmoid
from fitplay.core.models.affine import from_standard, to_standard  # noqa: F401 (capabilities)
from fitplay.core.scaling import Scaling

name = "logistic"
order = 2  # place in the m cycle
start = {"w": -5.0, "b": 3.0}
hand = ("w", "b")
loss = "bce"
optimizer = "gd"
lr = 0.5
steps = 5000
noise = 1.0
true = {"w": 2.0, "b": 1.0}
steps_per_frame = 64
tour = (2500, 32)

curvature = 0.25  # cross-entropy's Hessian is at most E[X Xᵀ] / 4
scales_y = False  # 0/1 targets stay as they are


def logit(params, x):
    return params["w"] * x + params["b"]


def predict(params, x):
    return sigmoid(logit(params, x), xp_of(params, x))


def simulate(n, seed, noise, w=2.0, b=1.0):
    """0/1 data drawn from the model itself (noise 0: the chapter's separable recipe)."""
    data = simulate_logistic(n, w, b, noise, seed)
    return data.x, data.y


def scaled_start(sign):
    """The lesson's bad guess, in standardised units, against the data's trend."""
    return {"w": -5.0 * sign, "b": 3.0}


def markers(params):
    """The decision midpoint x = -b / w, where p = 0.5."""
    w = float(params["w"])
    return [] if w == 0.0 else [(-float(params["b"]) / w, "midpoint")]


def no_optimum(x, y):
    """Why the cross-entropy has no finite minimum on these data, or None."""
    ones, zeros = x[y == 1.0], x[y == 0.0]
    if not ones.size or not zeros.size:
        return f"every target is {int(y[0])}: the loss has no minimum (b grows without bound)"
    if zeros.max() <= ones.min() or ones.max() <= zeros.min():
        return ("the data are separable (a threshold on x splits the 0s from the 1s): the loss has no "
                "minimum, w grows without bound")
    return None


def optimum(x, y):
    """The maximum-likelihood fit by Newton's method on standardised x (None without a finite one)."""
    if no_optimum(x, y) is not None:
        return None
    scaling = Scaling.of(x, y, scale_y=False)
    xs, _ = scaling.standardise(x, y)
    design = np.stack([xs, np.ones_like(xs)], axis=1)
    beta = np.zeros(2)
    with np.errstate(all="ignore"):
        for _ in range(100):
            p = sigmoid(design @ beta)
            hessian = design.T @ (design * (p * (1 - p))[:, None])
            step = np.linalg.solve(hessian, design.T @ (y - p))
            beta = beta + step
            if not np.all(np.isfinite(beta)):
                return None
            if np.abs(step).max() < 1e-13 * max(1.0, np.abs(beta).max()):
                break
    return from_standard({"w": np.float64(beta[0]), "b": np.float64(beta[1])}, scaling)


def gradient(params, x, y):
    """d cross-entropy / d (w, b), in one pass."""
    r = predict(params, x) - y
    return {"w": float(np.mean(r * x)), "b": float(np.mean(r))}
