"""The model registry: linear, logistic and a 1 -> H -> 1 tanh network.

Parameters are dicts of arrays (pytrees), so the same code trains every model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fitplay.core import losses
from fitplay.core.data import (
    DataError,
    Dataset,
    simulate,
    simulate_curve,
    simulate_logistic,
)
from fitplay.core.lsq import LeastSquares
from fitplay.core.scaling import Scaling

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class Model:
    """What a model brings: prediction, loss, start, data defaults and training defaults."""

    name: str
    loss_label: str
    default_lr: float
    default_optimizer: str
    default_steps: int
    default_noise: float
    default_steps_per_frame: int = 4
    hand: tuple[str, str] | None = ("w", "b")  # the two parameters the keys move and the landscape shows
    scales_y: bool = True  # standardising also scales y (a squared-error loss)
    curvature: float | None = None  # the loss's Hessian is at most this x E[X Xᵀ] (X = [x, 1])
    exact_mse: bool = False  # the loss is a line's MSE: O(1) and exact from centred moments
    loss_ref: str = "variance"  # a reference loss for the data: "variance" of y, or "log2" (cross-entropy)

    @property
    def two_param(self) -> bool:
        return self.hand is not None

    def predict(self, params: Params, x, xp=np):
        raise NotImplementedError

    def loss(self, params: Params, x, y, xp=np, axis=None):
        """The mean loss (over `axis`, all by default, so a parameter grid can broadcast)."""
        raise NotImplementedError

    def start(self, seed: int) -> Params:
        """The bad guess the lesson starts from."""
        return {"w": np.float64(-5.0), "b": np.float64(3.0)}

    def simulate(self, n: int, seed: int, noise: float, w_true: float | None, b_true: float | None) -> Dataset:
        raise NotImplementedError

    def check_data(self, data: Dataset) -> None:
        """Raise DataError when the targets do not suit this model."""

    def grad(self, params: Params, x: np.ndarray, y: np.ndarray) -> Params:
        raise NotImplementedError

    def param_count(self) -> int:
        return 2

    def from_standard(self, params: Params, scaling, xp=np) -> Params:
        """Parameters fitted to standardised data, in the data's own units (affine in params)."""
        mx, sx, my, sy = scaling
        w = sy * params["w"] / sx
        return {"w": w, "b": my + sy * params["b"] - w * mx}

    def to_standard(self, params: Params, scaling, xp=np) -> Params:
        """The inverse of from_standard."""
        mx, sx, my, sy = scaling
        return {"w": params["w"] * sx / sy, "b": (params["b"] + params["w"] * mx - my) / sy}

    def scaled_start(self, sign: float) -> Params | None:
        """A bad guess in standardised units for data of this correlation sign (None: the usual start)."""
        return {"w": np.float64(-2.0 * sign), "b": np.float64(-1.0)}

    def no_optimum(self, data: Dataset) -> str | None:
        """Why the loss has no finite minimum on this data, or None."""
        return None

    def optimum(self, x: np.ndarray, y: np.ndarray) -> Params | None:
        """The parameters that minimise the loss, where they have a closed form or a quick solver."""
        return None


class Linear(Model):
    def optimum(self, x, y):
        fit = LeastSquares.of(x, y)
        return {"w": np.float64(fit.w), "b": np.float64(fit.b)}

    def predict(self, params, x, xp=np):
        return params["w"] * x + params["b"]

    def loss(self, params, x, y, xp=np, axis=None):
        return losses.mse(self.predict(params, x, xp), y, xp, axis)

    def grad(self, params, x, y):
        r = self.predict(params, x) - y
        return {"w": np.float64(2.0 * np.mean(r * x)), "b": np.float64(2.0 * np.mean(r))}

    def simulate(self, n, seed, noise, w_true, b_true):
        return simulate(n, 2.0 if w_true is None else w_true, 20.0 if b_true is None else b_true, noise, seed)


class Logistic(Model):
    def predict(self, params, x, xp=np):
        return losses.sigmoid(params["w"] * x + params["b"], xp)

    def loss(self, params, x, y, xp=np, axis=None):
        return losses.bce_logits(params["w"] * x + params["b"], y, xp, axis)

    def grad(self, params, x, y):
        r = self.predict(params, x) - y
        return {"w": np.float64(np.mean(r * x)), "b": np.float64(np.mean(r))}

    def simulate(self, n, seed, noise, w_true, b_true):
        return simulate_logistic(n, 2.0 if w_true is None else w_true, 1.0 if b_true is None else b_true, noise, seed)

    def scaled_start(self, sign):
        return {"w": np.float64(-5.0 * sign), "b": np.float64(3.0)}

    def no_optimum(self, data):
        ones, zeros = data.x[data.y == 1.0], data.x[data.y == 0.0]
        if not ones.size or not zeros.size:
            return f"every target is {int(data.y[0])}: the loss has no minimum (b grows without bound)"
        if zeros.max() <= ones.min() or ones.max() <= zeros.min():
            return ("the data are separable (a threshold on x splits the 0s from the 1s): the loss has no "
                    "minimum, w grows without bound")
        return None

    def optimum(self, x, y):
        """The maximum-likelihood fit by Newton's method on standardised x (None without a finite one)."""
        if self.no_optimum(Dataset(x, y)) is not None:
            return None
        scaling = Scaling.of(x, y, scale_y=False)
        xs, _ = scaling.standardise(x, y)
        X = np.stack([xs, np.ones_like(xs)], axis=1)
        beta = np.zeros(2)
        with np.errstate(all="ignore"):
            for _ in range(100):
                p = losses.sigmoid(X @ beta)
                step = np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]), X.T @ (y - p))
                beta = beta + step
                if not np.all(np.isfinite(beta)):
                    return None
                if np.abs(step).max() < 1e-13 * max(1.0, np.abs(beta).max()):
                    break
        return self.from_standard({"w": np.float64(beta[0]), "b": np.float64(beta[1])}, scaling)

    def check_data(self, data):
        bad = np.flatnonzero((data.y != 0.0) & (data.y != 1.0))
        if bad.size:
            raise DataError(
                f"{data.source}: the logistic model needs targets 0 or 1; row {bad[0] + 1} has {data.y[bad[0]]:g}"
            )

    @staticmethod
    def midpoint(params: Params) -> float | None:
        """Where the curve crosses 0.5: x = -b / w."""
        w = float(params["w"])
        return None if w == 0.0 else -float(params["b"]) / w


@dataclass(frozen=True)
class Mlp(Model):
    hidden: int = 8

    def predict(self, params, x, xp=np):
        h = xp.tanh(x[:, None] * params["W1"][None, :] + params["b1"][None, :])
        return h @ params["W2"] + params["b2"]

    def loss(self, params, x, y, xp=np, axis=None):
        return losses.mse(self.predict(params, x, xp), y, xp, axis)

    def start(self, seed):
        rng = np.random.default_rng(seed + 10_000)
        h = self.hidden
        return {
            "W1": rng.normal(0.0, 1.0, h),
            "b1": rng.normal(0.0, 1.0, h),
            "W2": rng.normal(0.0, 1.0 / np.sqrt(h), h),
            "b2": np.float64(0.0),
        }

    def simulate(self, n, seed, noise, w_true, b_true):
        return simulate_curve(n, noise, seed)

    def param_count(self):
        return 3 * self.hidden + 1

    def from_standard(self, params, scaling, xp=np):
        mx, sx, my, sy = scaling
        w1 = params["W1"] / sx
        return {"W1": w1, "b1": params["b1"] - w1 * mx, "W2": sy * params["W2"], "b2": sy * params["b2"] + my}

    def to_standard(self, params, scaling, xp=np):
        mx, sx, my, sy = scaling
        return {"W1": params["W1"] * sx, "b1": params["b1"] + params["W1"] * mx, "W2": params["W2"] / sy,
                "b2": (params["b2"] - my) / sy}

    def scaled_start(self, sign):
        return None


MODEL_NAMES = ("linear", "logistic", "mlp")


def get_model(name: str, hidden: int = 8) -> Model:
    """The model called name (hidden sets the network's width)."""
    if name == "linear":
        return Linear("linear", "MSE", default_lr=0.05, default_optimizer="gd", default_steps=5000, default_noise=1.0,
                      curvature=2.0, exact_mse=True)
    if name == "logistic":
        return Logistic("logistic", "cross-entropy", default_lr=0.5, default_optimizer="gd", default_steps=5000,
                        default_noise=1.0, default_steps_per_frame=64, scales_y=False, curvature=0.25,
                        loss_ref="log2")
    if name == "mlp":
        return Mlp(
            "mlp", "MSE", default_lr=0.03, default_optimizer="adam", default_steps=5000, default_noise=0.2,
            default_steps_per_frame=32, hand=None, hidden=hidden,
        )
    raise ValueError(f"unknown model {name!r} (choose from {', '.join(MODEL_NAMES)})")
