"""Training with JAX: value_and_grad inside a jitted lax.while_loop with the stopping rules inside it,
optimizers from optax.

A chunk runs at most n steps and stops at the first step that meets a rule, so a run ends within the
step that meets it, whatever the data size. JAX is imported lazily (first call of `jax_modules`), so
importing this module is free and the first frame of the app never waits for it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from fitplay.core.models import Model, ModelError, Params, is_model_file

OPTIMIZERS = ("gd", "momentum", "adam")
# Converged: the gradient in standardised units (x and y scaled to mean 0, sd 1; the loss in those
# units) is below this. It does not depend on the data's units, and leaves parameters within about
# 1e-9 of the optimum in those units.
GRAD_TOL = 1e-9
GRAD_TOL_FLOOR = 1e-15  # the tightest test a run is taken to (about float64's resolution there)
# Stalled: over this many steps the best loss improved by less than STALL_REL (relative) and the
# gradient norm did not fall below STALL_GRAD x its lowest in the window before. Near an optimum the
# loss is flat to float64 while the gradient still falls steadily: that is progress, not a stall.
STALL_WINDOW = 256
STALL_REL = 1e-9
STALL_GRAD = 0.9
# Diverged at once when the loss passes this multiple of max(start loss, the data's reference loss).
EXPLODE_FACTOR = 1e6
MOMENTUM = 0.9
MAX_CHUNK = 4096
FRAME_CHUNK = 64

_import_lock = threading.Lock()
# float64 everywhere, also for model files that import jax.numpy before fitplay imports JAX itself
os.environ["JAX_ENABLE_X64"] = "1"


class Stop(IntEnum):
    """Why a chunk stopped before its step count (NONE: it ran all its steps)."""

    NONE = 0
    CONVERGED = 1
    DIVERGED = 2
    STALLED = 3


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


class Rule(NamedTuple):
    """A run's stopping rule, in the units the trainer works in.

    grad_tol: converged below this standardised gradient norm (0: never, for data with no optimum);
    explode: diverged above this loss; unit: the loss's unit (standardised loss = loss / unit);
    scaling: (mean x, sd x, mean y, sd y) of the data, mapping standardised parameters to the trainer's;
    stall_rel: STALL_REL, or -inf for a run that must never stop as stalled (a benchmark's).
    """

    grad_tol: float = GRAD_TOL
    explode: float = float("inf")
    unit: float = 1.0
    scaling: tuple[float, float, float, float] = (0.0, 1.0, 0.0, 1.0)
    stall_rel: float = STALL_REL


_chunk_cache: dict[tuple, Any] = {}
_chunk_lock = threading.Lock()


def chunk_fn(model: Model, optimizer: str, length: int, standardised: bool):
    """A jitted function running up to `length` optimizer steps in a lax.while_loop that stops at the
    first step meeting a rule; cached per model, optimizer, length and coordinates."""
    key = (model, optimizer, length, standardised)
    with _chunk_lock:
        if key in _chunk_cache:
            return _chunk_cache[key]
    jax, jnp, lax, optax = jax_modules()
    tx = make_transform(optimizer, 1.0)
    value_and_grad = jax.value_and_grad(lambda p, x, y: model.loss(p, x, y, xp=jnp))
    hand = model.hand
    where = jnp.where

    def unit_free(grads, scaling, unit):
        """The gradient with respect to standardised parameters, in standardised loss units."""
        if standardised:
            return grads
        if not model.can_scale:
            return jax.tree.map(lambda g: g / unit, grads)
        zero = jax.tree.map(jnp.zeros_like, grads)
        _, pullback = jax.vjp(lambda p: model.from_standard(p, scaling), zero)
        return jax.tree.map(lambda g: g / unit, pullback(grads)[0])

    def run(params, state, carry, x, y, n, grad_tol, explode, unit, scaling, stall_rel):
        best_loss, best_params, checkpoint, grad_checkpoint, grad_low, k = carry

        def cond(c):
            return (c[0] < n) & (c[1] == Stop.NONE)

        def body(c):
            i, _, params, state, best_loss, best_params, checkpoint, grad_checkpoint, grad_low, k, losses, path = c
            loss, grads = value_and_grad(params, x, y)
            gnorm = optax.tree.norm(unit_free(grads, scaling, unit))
            bad = ~jnp.isfinite(loss) | (loss > explode) | ~jnp.isfinite(gnorm)
            better = loss < best_loss
            best_loss = where(better, loss, best_loss)
            best_params = jax.tree.map(lambda new, old: where(better, new, old), params, best_params)
            k = k + 1
            grad_low = jnp.minimum(grad_low, gnorm)
            at_check = k % STALL_WINDOW == 0
            stalled = (at_check & (checkpoint - best_loss <= stall_rel * jnp.abs(best_loss))
                       & (grad_low >= STALL_GRAD * grad_checkpoint))
            checkpoint = where(at_check, best_loss, checkpoint)
            grad_checkpoint = where(at_check, grad_low, grad_checkpoint)
            grad_low = where(at_check, jnp.inf, grad_low)
            stop = where(bad, Stop.DIVERGED, where(gnorm < grad_tol, Stop.CONVERGED,
                                                   where(stalled, Stop.STALLED, Stop.NONE))).astype(jnp.int32)
            losses = losses.at[i].set(loss)
            if hand is not None:
                path = path.at[i].set(jnp.stack([params[hand[0]], params[hand[1]]]))
            updates, new_state = tx.update(grads, state, params)
            go = stop == Stop.NONE
            params = jax.tree.map(lambda new, old: where(go, new, old), optax.apply_updates(params, updates), params)
            state = jax.tree.map(lambda new, old: where(go, new, old), new_state, state)
            return (where(go, i + 1, i), stop, params, state, best_loss, best_params, checkpoint, grad_checkpoint,
                    grad_low, k, losses, path)

        losses = jnp.full(length, jnp.nan)
        path = jnp.full((length, 2), jnp.nan)
        init = (jnp.int32(0), jnp.int32(Stop.NONE), params, state, *carry, losses, path)
        i, stop, params, state, *carry, losses, path = lax.while_loop(cond, body, init)
        return i, stop, params, state, tuple(carry), losses, path

    compiled = jax.jit(run)
    with _chunk_lock:
        _chunk_cache[key] = compiled
    return compiled


@dataclass
class ChunkResult:
    """What a chunk did, in the trainer's units: the parameters reached, the losses and hand-parameter
    path of the steps taken, why it stopped, and the best point of the run so far."""

    params: Params
    carry: Any
    losses: np.ndarray
    path: np.ndarray | None
    steps: int
    stop: Stop
    best_loss: float
    best_params: Params
    seconds: float
    generation: int = 0


def _length(steps: int) -> int:
    """The compiled buffer length for a chunk of `steps` steps. The step count itself is a run-time
    argument, so two lengths serve every call: a short one for animation frames, a long one for runs
    (one compile each per model and optimizer)."""
    return FRAME_CHUNK if steps <= FRAME_CHUNK else MAX_CHUNK


class Trainer:
    """Runs optimizer steps for one model, data set (in the coordinates it trains in) and optimizer;
    the data lives on the device once (x and y may already be device arrays)."""

    def __init__(self, model: Model, x, y, optimizer: str, standardised: bool):
        _, jnp, _, _ = jax_modules()
        self.model = model
        self.optimizer = optimizer
        self.standardised = standardised
        self.x = jnp.asarray(x, dtype=jnp.float64)
        self.y = jnp.asarray(y, dtype=jnp.float64)
        self.tx = make_transform(optimizer, 1.0)
        self._executables: dict[int, Any] = {}
        self._lock = threading.Lock()

    def _executable(self, length: int, args: tuple):
        """The chunk compiled ahead of time for this data, once per length, so a chunk's timing is the
        training alone (the compile is not in it)."""
        with self._lock:
            if length not in self._executables:
                fn = chunk_fn(self.model, self.optimizer, length, self.standardised)
                self._executables[length] = fn.lower(*args).compile()
            return self._executables[length]

    def compiled_lengths(self) -> list[int]:
        """The chunk lengths compiled so far for this trainer."""
        return sorted(self._executables)

    def begin(self, params: Params, lr: float, start_loss: float):
        """The device state of a run starting at params: parameters, a fresh optimizer state and the
        run's best point and stall checkpoint."""
        _, jnp, _, _ = jax_modules()
        dev = {k: jnp.asarray(v, dtype=jnp.float64) for k, v in params.items()}
        state = self.tx.init(dev)
        loss, inf = jnp.asarray(start_loss, dtype=jnp.float64), jnp.asarray(jnp.inf, dtype=jnp.float64)
        return self.with_lr((dev, state, (loss, dev, loss, inf, inf, jnp.int64(0))), lr)

    @staticmethod
    def with_lr(carry, lr: float):
        """The same run state at learning rate lr (a new state: the old one may be in use elsewhere)."""
        dev, state, extra = carry
        hyper = dict(state.hyperparams, learning_rate=np.asarray(lr, dtype=np.float64))
        return dev, state._replace(hyperparams=hyper), extra

    def run(self, carry, steps: int, rule: Rule) -> ChunkResult:
        """Run up to `steps` steps (any number: long runs go in MAX_CHUNK pieces), stopping at the first
        step that meets the rule; the optimizer state is carried through every piece."""
        jax = jax_modules()[0]
        seconds = 0.0
        dev, state, extra = carry
        # numpy values go to the device with the call; a jnp value each would be a dispatch of its own (half a
        # small chunk's time)
        args = (np.float64(rule.grad_tol), np.float64(rule.explode), np.float64(rule.unit),
                np.asarray(rule.scaling, dtype=np.float64), np.float64(rule.stall_rel))
        losses, paths, done, stop = [], [], 0, Stop.NONE
        while done < steps and stop == Stop.NONE:
            n = min(steps - done, MAX_CHUNK)
            call = (dev, state, extra, self.x, self.y, np.int32(n), *args)
            try:
                fn = self._executable(_length(n), call)
                t0 = time.perf_counter()
                i, code, dev, state, extra, loss_buf, path_buf = fn(*call)
                # one transfer from the device for what the host reads (it waits for the chunk to finish)
                i, code, loss_buf, path_buf = jax.device_get((i, code, loss_buf, path_buf))
                i, stop = int(i), Stop(int(code))
                seconds += time.perf_counter() - t0
            except Exception as exc:
                if not is_model_file(self.model.source):
                    raise
                raise ModelError(f"{self.model.source}: the model does not run under JAX ({type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''}); write predict with jax.numpy "
                                 "or fitplay.core.arrays.xp_of") from None
            taken = i + (stop != Stop.NONE)  # a stop evaluates the loss at the point it stops at
            losses.append(np.array(loss_buf[:taken]))
            paths.append(np.array(path_buf[:taken]))
            done += i
        params, (best_loss, best_params) = jax.device_get((dev, extra[:2]))
        return ChunkResult(
            params={k: np.array(v) for k, v in params.items()},
            carry=(dev, state, extra),  # where it stopped: a caller may go on from there
            losses=np.concatenate(losses) if losses else np.empty(0),
            path=np.concatenate(paths) if self.model.hand is not None and paths else None,
            steps=done, stop=stop, best_loss=float(best_loss),
            best_params={k: np.array(v) for k, v in best_params.items()},
            seconds=seconds,
        )
