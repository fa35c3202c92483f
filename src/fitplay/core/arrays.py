"""The array module to compute with: numpy, or jax.numpy inside a JAX trace.

Model files written with `xp_of` run on numpy arrays for the charts and readouts (no JAX import, no
dispatch cost) and on JAX tracers when the trainer compiles them."""

from __future__ import annotations

import numpy as np


def xp_of(*values):
    """jax.numpy if any value (or any value of a dict) is a JAX array or tracer, else numpy."""
    for value in values:
        items = value.values() if isinstance(value, dict) else (value,)
        if any(type(v).__module__.startswith("jax") for v in items):
            import jax.numpy as jnp

            return jnp
    return np
