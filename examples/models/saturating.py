"""y = a·(1 − exp(−x / s))"""

import jax.numpy as jnp

start = {"a": 1.0, "s": 1.0}
optimizer = "adam"
lr = 0.05
steps = 20000


def predict(params, x):
    return params["a"] * (1.0 - jnp.exp(-x / params["s"]))
