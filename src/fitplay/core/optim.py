"""Training with JAX: value_and_grad inside jit + lax.scan chunks, optimizers from optax.

JAX is imported lazily (first call of `jax_modules`), so importing this module is free and the
first frame of the app never waits for it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from fitplay.core.models import Model, Params

OPTIMIZERS = ("gd", "momentum", "adam")
GRAD_TOL = 1e-4
REL_TOL = 1e-13
EXPLODE_FACTOR = 1e8
MOMENTUM = 0.9
MAX_CHUNK = 4096

_import_lock = threading.Lock()


@lru_cache(maxsize=1)
def _modules():
    with _import_lock:
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        import optax
        from jax import lax

        return jax, jnp, lax, optax


def jax_modules():
    """(jax, jax.numpy, jax.lax, optax), imported on first use with float64 enabled."""
    return _modules()


def jax_loaded() -> bool:
    return _modules.cache_info().currsize > 0


def make_transform(optimizer: str, lr: float):
    """The optax transformation for an optimizer name, with the learning rate injected as state."""
    optax = jax_modules()[3]
    makers = {
        "gd": lambda learning_rate: optax.sgd(learning_rate),
        "momentum": lambda learning_rate: optax.sgd(learning_rate, momentum=MOMENTUM),
        "adam": lambda learning_rate: optax.adam(learning_rate),
    }
    if optimizer not in makers:
        raise ValueError(f"unknown optimizer {optimizer!r} (choose from {', '.join(OPTIMIZERS)})")
    return optax.inject_hyperparams(makers[optimizer])(learning_rate=lr)


_chunk_cache: dict[tuple, Any] = {}
_chunk_lock = threading.Lock()


def chunk_fn(model: Model, optimizer: str, length: int):
    """A jitted function running `length` optimizer steps with lax.scan; cached per model/optimizer/length."""
    key = (model, optimizer, length)
    with _chunk_lock:
        if key in _chunk_cache:
            return _chunk_cache[key]
    jax, jnp, lax, optax = jax_modules()
    tx = make_transform(optimizer, 1.0)
    value_and_grad = jax.value_and_grad(lambda p, x, y: model.loss(p, x, y, xp=jnp))

    def body(carry, _):
        params, state, x, y = carry
        loss, grads = value_and_grad(params, x, y)
        updates, state = tx.update(grads, state, params)
        new = optax.apply_updates(params, updates)
        return (new, state, x, y), (loss, optax.tree.norm(grads), params)

    @jax.jit
    def run(params, state, x, y):
        (params, state, _, _), (losses, gnorms, traj) = lax.scan(body, (params, state, x, y), None, length=length)
        return params, state, losses, gnorms, traj

    with _chunk_lock:
        _chunk_cache[key] = run
    return run


@dataclass
class ChunkResult:
    """What a chunk of steps did: the new state, per-step losses and the (w, b) path."""

    params: Params
    device_state: Any
    losses: np.ndarray
    path: np.ndarray | None
    steps: int
    converged: bool
    diverged: bool
    seconds: float
    last_finite: Params | None = None
    generation: int = 0


class Trainer:
    """Runs optimizer steps for one model, data set and optimizer; data lives on the device once
    (x and y may already be device arrays: jnp.asarray then copies nothing)."""

    def __init__(self, model: Model, x, y, optimizer: str):
        _, jnp, _, _ = jax_modules()
        self.model = model
        self.optimizer = optimizer
        self.x = jnp.asarray(x, dtype=jnp.float64)
        self.y = jnp.asarray(y, dtype=jnp.float64)
        self.tx = make_transform(optimizer, 1.0)

    def init_state(self, params: Params, lr: float):
        """Device params and a fresh optimizer state at learning rate lr."""
        _, jnp, _, _ = jax_modules()
        dev = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in params.items()}
        state = self.tx.init(dev)
        return self.with_lr((dev, state), lr)

    @staticmethod
    def with_lr(device_state, lr: float):
        _, jnp, _, _ = jax_modules()
        dev, state = device_state
        state.hyperparams["learning_rate"] = jnp.asarray(lr, dtype=jnp.float64)
        return dev, state

    def run(self, device_state, steps: int, explode_above: float, min_length: int = 1) -> ChunkResult:
        """Run `steps` steps in scan chunks, stopping early on convergence or divergence.

        Chunk lengths are powers of two up to MAX_CHUNK, so a handful of compiled functions serve every
        call; a remainder runs a whole chunk and the extra steps are dropped (no optimizer state is carried
        on from such a chunk), which costs microseconds where compiling a new length costs a second.
        `min_length` (the app's steps per frame) keeps a run's last, short chunk on the compiled length.
        """
        t0 = time.perf_counter()
        dev, state = device_state
        parts_losses, parts_gn, parts_traj = [], [], []
        remaining = steps
        while remaining > 0:
            length = min(MAX_CHUNK, max(min_length, 1 << (remaining - 1).bit_length()))
            dev, state, losses, gn, traj = chunk_fn(self.model, self.optimizer, length)(dev, state, self.x, self.y)
            parts_losses.append(np.asarray(losses))
            parts_gn.append(np.asarray(gn))
            parts_traj.append({k: np.asarray(v) for k, v in traj.items()})
            remaining -= length
        losses = np.concatenate(parts_losses)
        gnorms = np.concatenate(parts_gn)
        traj = {k: np.concatenate([t[k] for t in parts_traj]) for k in parts_traj[0]}
        if losses.size > steps:
            final = {k: v[steps] for k, v in traj.items()}
            losses, gnorms, traj = losses[:steps], gnorms[:steps], {k: v[:steps] for k, v in traj.items()}
            carried = None
        else:
            final = {k: np.asarray(v) for k, v in dev.items()}
            carried = (dev, state)
        return self._judge(losses, gnorms, traj, final, carried, explode_above, t0)

    def _judge(self, losses, gnorms, traj, final, device_state, explode_above, t0) -> ChunkResult:
        bad = ~np.isfinite(losses) | (losses > explode_above)
        final_finite = all(np.all(np.isfinite(v)) for v in final.values())
        if bad.any() or not final_finite:
            k = int(np.argmax(bad)) if bad.any() else len(losses)
            keep = max(k - 1, 0)
            if k == 0:
                params, kept = None, losses[:0]
            else:
                params, kept = {n: v[keep] for n, v in traj.items()}, losses[:k]
            return ChunkResult(params, None, kept, self._path(traj, k), keep, False, True,
                               time.perf_counter() - t0, last_finite=params)
        prev = np.concatenate([[np.inf], losses[:-1]])
        rel = np.abs(prev - losses) / np.maximum(np.abs(losses), 1e-300)
        done = (gnorms < GRAD_TOL) | (rel < REL_TOL)
        if done.any():
            k = int(np.argmax(done))
            params = {n: v[k] for n, v in traj.items()}
            return ChunkResult(params, None, losses[: k + 1], self._path(traj, k + 1), k, True, False,
                               time.perf_counter() - t0, last_finite=params)
        return ChunkResult(final, device_state, losses, self._path(traj, len(losses)), len(losses), False, False,
                           time.perf_counter() - t0,
                           last_finite={n: v[-1] for n, v in traj.items()})

    def _path(self, traj, k: int) -> np.ndarray | None:
        if not self.model.two_param:
            return None
        return np.stack([traj["w"][:k], traj["b"][:k]], axis=1)
