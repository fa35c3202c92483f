"""Feature scaling: the data's centre and spread, and the standardised copy training can run on."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from fitplay.core.passes import largest, mean

SCALE_MODES = ("auto", "standard", "none")


class Scaling(NamedTuple):
    """x' = (x - mx) / sx and y' = (y - my) / sy; a model that keeps y as it is has my = 0, sy = 1."""

    mx: float
    sx: float
    my: float
    sy: float

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray, scale_y: bool) -> Scaling:
        """Two-pass means and standard deviations (no spread: the constant's own size)."""
        mx, sx = _centre_and_spread(x)
        my, sy = _centre_and_spread(y) if scale_y else (0.0, 1.0)
        return cls(mx, sx, my, sy)

    def standardise(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (x - self.mx) / self.sx, (y - self.my) / self.sy

    @property
    def loss_unit(self) -> float:
        """A squared-error loss in data units is this times the standardised one."""
        return self.sy * self.sy


def centre(v: np.ndarray) -> float:
    """The mean, corrected by the mean of what is left (so a constant's centre is the constant itself,
    not a value an ulp away that makes every deviation the same nonzero number)."""
    first = mean(lambda c: c, v)
    with np.errstate(over="ignore", invalid="ignore"):
        corrected = first + mean(lambda c: c - first, v)
    return corrected if np.isfinite(corrected) else first


def _centre_and_spread(v: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation (two passes, as numpy's), the deviations scaled first so that tiny values do
    not underflow."""
    mid = centre(v)
    with np.errstate(over="ignore", invalid="ignore"):
        top = largest(lambda c: np.abs(c - mid), v)
        if top == 0.0 or not np.isfinite(top):
            return mid, _unit(mid)
        middle = mean(lambda c: (c - mid) / top, v)
        spread = top * math.sqrt(mean(lambda c: np.square((c - mid) / top - middle), v))
    return mid, spread if spread > 0.0 else _unit(mid)


def _unit(constant: float) -> float:
    """The scale of data with no spread: the constant's own size (1 for 0), so 1e-17 is not 'nothing'
    next to values of 1e-299."""
    return abs(constant) if constant != 0.0 and np.isfinite(constant) else 1.0
