"""Feature scaling: the data's centre and spread, and the standardised copy training can run on."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

SCALE_MODES = ("auto", "standard", "none")


class Scaling(NamedTuple):
    """x' = (x - mx) / sx and y' = (y - my) / sy; a model that keeps y as it is has my = 0, sy = 1."""

    mx: float
    sx: float
    my: float
    sy: float

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray, scale_y: bool) -> Scaling:
        """Two-pass means and standard deviations (a spread of 0 counts as 1: nothing to divide)."""
        mx, sx = _centre_and_spread(x)
        my, sy = _centre_and_spread(y) if scale_y else (0.0, 1.0)
        return cls(mx, sx, my, sy)

    def standardise(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (x - self.mx) / self.sx, (y - self.my) / self.sy

    @property
    def loss_unit(self) -> float:
        """A squared-error loss in data units is this times the standardised one."""
        return self.sy * self.sy


def _centre_and_spread(v: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation, the deviations scaled first so that tiny values do not underflow."""
    centre = float(np.mean(v))
    deviations = v - centre
    top = float(np.max(np.abs(deviations)))
    if top == 0.0 or not np.isfinite(top):
        return centre, 1.0
    return centre, top * float(np.std(deviations / top))
