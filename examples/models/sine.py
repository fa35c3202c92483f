"""y = a·sin(x) + b·x + c"""

import jax.numpy as jnp

start = {"a": 0.5, "b": 0.0, "c": 0.0}
hand = ("a", "c")
lr = 0.02


def predict(params, x):
    return params["a"] * jnp.sin(x) + params["b"] * x + params["c"]
