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
    two_param: bool = True

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


class Linear(Model):
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


MODEL_NAMES = ("linear", "logistic", "mlp")


def get_model(name: str, hidden: int = 8) -> Model:
    """The model called name (hidden sets the network's width)."""
    if name == "linear":
        return Linear("linear", "MSE", default_lr=0.05, default_optimizer="gd", default_steps=5000, default_noise=1.0)
    if name == "logistic":
        return Logistic("logistic", "cross-entropy", default_lr=0.5, default_optimizer="gd", default_steps=5000,
                        default_noise=1.0, default_steps_per_frame=64)
    if name == "mlp":
        return Mlp(
            "mlp", "MSE", default_lr=0.03, default_optimizer="adam", default_steps=5000, default_noise=0.2,
            default_steps_per_frame=32, two_param=False, hidden=hidden,
        )
    raise ValueError(f"unknown model {name!r} (choose from {', '.join(MODEL_NAMES)})")
