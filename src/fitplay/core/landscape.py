"""The loss over a (w, b) grid for the two-parameter models, vectorised with numpy broadcasting."""

from __future__ import annotations

import numpy as np

from fitplay.core.models import Model

MAX_POINTS = 20_000


def bounds(points: list[tuple[float, float]], pad: float = 0.25) -> tuple[tuple[float, float], tuple[float, float]]:
    """w and b ranges that hold every point, padded on each side."""
    arr = np.asarray(points, dtype=float)
    arr = arr[np.all(np.isfinite(arr), axis=1)]
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    span = np.maximum(hi - lo, 1.0)
    lo, hi = lo - pad * span, hi + pad * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def loss_grid(model: Model, x: np.ndarray, y: np.ndarray, w_range: tuple[float, float],
              b_range: tuple[float, float], nw: int, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ws, bs, losses) with losses[i, j] the loss at (ws[j], bs[i]); bs run from high to low (top row first).

    Data beyond MAX_POINTS is thinned evenly: the picture is the same and the grid stays fast.
    """
    if x.size > MAX_POINTS:
        idx = np.linspace(0, x.size - 1, MAX_POINTS).astype(np.int64)
        x, y = x[idx], y[idx]
    ws = np.linspace(w_range[0], w_range[1], nw)
    bs = np.linspace(b_range[1], b_range[0], nb)
    grid = np.empty((nb, nw))
    rows_per_block = max(1, 2_000_000 // max(1, nw * x.size))
    with np.errstate(all="ignore"):
        for start in range(0, nb, rows_per_block):
            b = bs[start:start + rows_per_block, None, None]
            params = {"w": ws[None, :, None], "b": b}
            grid[start:start + rows_per_block] = model.loss(params, x[None, None, :], y, axis=-1)
    return ws, bs, grid
