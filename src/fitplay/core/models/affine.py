"""Feature scaling for a model whose input enters as w·x + b (the line, logistic regression): parameters
fitted to standardised data (x' = (x - mx) / sx, y' = (y - my) / sy) in the data's own units and back.
Both maps are affine in (w, b), so JAX can pull a gradient through them."""

from __future__ import annotations


def from_standard(params, scaling):
    mx, sx, my, sy = scaling
    w = sy * params["w"] / sx
    return {"w": w, "b": my + sy * params["b"] - w * mx}


def to_standard(params, scaling):
    mx, sx, my, sy = scaling
    return {"w": params["w"] * sx / sy, "b": (params["b"] + params["w"] * mx - my) / sy}
