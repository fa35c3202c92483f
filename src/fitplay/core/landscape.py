"""The loss over a (w, b) grid for the two-parameter models, vectorised with numpy broadcasting."""

from __future__ import annotations

import numpy as np

from fitplay.core.models import Model, Params

MAX_POINTS = 20_000


def bounds(points: list[tuple[float, float]], pad: float = 0.25) -> tuple[tuple[float, float], tuple[float, float]]:
    """w and b ranges that hold every point, padded on each side."""
    arr = np.asarray(points, dtype=float)
    arr = arr[np.all(np.isfinite(arr), axis=1)]
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    span = np.maximum(np.maximum(hi - lo, 1.0), 1e-6 * np.maximum(np.abs(lo), np.abs(hi)))  # 1e17 + 1 == 1e17
    lo, hi = lo - pad * span, hi + pad * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def loss_grid(model: Model, x: np.ndarray, y: np.ndarray, params: Params, ws: np.ndarray,
              bs: np.ndarray) -> np.ndarray:
    """losses[i, j] = the loss with the hand parameters at (ws[j], bs[i]) and the others as in params.

    Built-in losses broadcast over the grid; a model's own loss function is called cell by cell. Data
    beyond MAX_POINTS is thinned evenly: the picture is the same and the grid stays fast.
    """
    if x.size > MAX_POINTS:
        idx = np.linspace(0, x.size - 1, MAX_POINTS).astype(np.int64)
        x, y = x[idx], y[idx]
    first, second = model.hand
    fixed = {k: np.asarray(v) for k, v in params.items()}
    grid = np.empty((bs.size, ws.size))
    with np.errstate(all="ignore"):
        if model.loss_kind == "custom":
            for i, b in enumerate(bs):
                for j, w in enumerate(ws):
                    grid[i, j] = float(model.loss({**fixed, first: w, second: b}, x, y))
            return grid
        rows_per_block = max(1, 2_000_000 // max(1, ws.size * x.size))
        for start in range(0, bs.size, rows_per_block):
            cell = {**fixed, first: ws[None, :, None], second: bs[start:start + rows_per_block, None, None]}
            grid[start:start + rows_per_block] = model.loss(cell, x[None, None, :], y, axis=-1)
    return grid
