"""The model registry: the built-in model files, models installed under the `fitplay.models` entry point
group, and model files given as a path (`--model quadratic.py`). Adding a model is adding one file."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import sys
import traceback
from functools import lru_cache
from pathlib import Path

import numpy as np

from fitplay.core.models.contract import Model, ModelError, Params


def _builtin() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every model file in this package (a module with predict), and those in the m cycle (an `order` that
    is not None), in the order of their `order`."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "predict", None)):
            found.append((getattr(module, "order", 99), info.name))
    cycle = tuple(name for _, name in sorted(f for f in found if f[0] is not None))
    return cycle + tuple(sorted(name for order, name in found if order is None)), cycle


BUILTIN, CYCLE = _builtin()
ENTRY_POINT_GROUP = "fitplay.models"
MAX_MODEL_FILE = 1_000_000  # bytes

__all__ = ["BUILTIN", "Model", "ModelError", "Params", "is_model_file", "load_model", "model_names"]


def is_model_file(spec: str) -> bool:
    """A --model value naming a file rather than a registered model."""
    return spec.endswith(".py") or os.sep in spec


def model_names() -> tuple[str, ...]:
    """The models `m` cycles: built-in ones, then installed ones (entry points)."""
    from importlib.metadata import entry_points  # here: its import takes 30 ms, and start-up rarely needs it

    installed = sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in BUILTIN)
    return CYCLE + tuple(installed)


def load_model(spec: str, hidden: int = 8) -> Model:
    """The model a --model value names: a built-in, an installed model, or a model file's path.
    One object per model (and width), so compiled steps are shared; raises ModelError."""
    if is_model_file(spec):
        path = Path(spec).expanduser().resolve()
        return _load_file(str(path), _stamp(path), hidden)
    return _load_named(spec, hidden)


@lru_cache(maxsize=None)
def _load_named(name: str, hidden: int) -> Model:
    if name in BUILTIN:
        return Model(importlib.import_module(f"fitplay.core.models.{name}"), name, hidden)
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            try:
                module = ep.load()
            except Exception as exc:
                raise ModelError(f"model {name!r} (entry point {ep.value}): cannot import it: {exc}") from None
            return _checked(Model(module, name, hidden), name)
    choices = ", ".join(dict.fromkeys(model_names() + BUILTIN))
    raise ModelError(f"unknown model {name!r} (choose from {choices}, or give a .py file)")


def _stamp(path: Path) -> tuple[int, int]:
    """The file's size and modification time, so an edited model file is loaded afresh."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror or exc})") from None
    return info.st_size, info.st_mtime_ns


@lru_cache(maxsize=32)
def _load_file(path: str, stamp: tuple[int, int], hidden: int) -> Model:
    p = Path(path)
    if not p.is_file():
        raise ModelError(f"{path}: not a model file (a .py file with a predict function)")
    if stamp[0] > MAX_MODEL_FILE:
        raise ModelError(f"{path}: {stamp[0]:,} bytes: too large for a model file (limit {MAX_MODEL_FILE:,})")
    spec = importlib.util.spec_from_file_location(f"fitplay_model_{p.stem}_{abs(hash(path))}", p)
    if spec is None or spec.loader is None:
        raise ModelError(f"{path}: cannot load it as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise ModelError(f"{path}: line {exc.lineno}: syntax error: {exc.msg}") from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a model file that calls exit() (or raises anything) has failed
        raise ModelError(f"{path}:{_line_in(exc, path)} {type(exc).__name__}: {exc}") from None
    if not callable(getattr(module, "predict", None)):
        raise ModelError(f"{path}: no predict(params, x) function")
    if not hasattr(module, "start"):
        raise ModelError(f"{path}: no start dict (parameter names and their start values)")
    if not hasattr(module, "name"):
        module.name = p.stem
    sys.modules.pop(spec.name, None)
    return _checked(Model(module, path, hidden), path)


def _checked(model: Model, source: str) -> Model:
    """Try predict on a small x: it must run and give one finite number per x value."""
    x = np.linspace(-1.0, 1.0, 5)
    try:
        with np.errstate(all="ignore"):
            raw = np.asarray(model.predict(model.start(0), x))
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"{source}:{_line_in(exc, source)} predict raised {type(exc).__name__}: {exc}") from None
    if np.iscomplexobj(raw):
        raise ModelError(f"{source}: predict gave complex numbers: it must give real ones")
    if raw.shape != x.shape:
        raise ModelError(f"{source}: predict gave shape {raw.shape} for x of shape {x.shape}: it must give one "
                         "value per x")
    if model.loss_kind == "custom":
        _check_loss(model, raw.astype(np.float64), source)
    return model


def _check_loss(model: Model, pred, source: str) -> None:
    """A model's own loss(pred, y) must run and give one number (the mean), not one per point."""
    try:
        with np.errstate(all="ignore"):
            value = np.asarray(model.module.loss(pred, np.zeros_like(pred)))
    except Exception as exc:
        raise ModelError(f"{source}:{_line_in(exc, source)} loss raised {type(exc).__name__}: {exc}") from None
    if value.shape != ():
        raise ModelError(f"{source}: loss(pred, y) gave shape {value.shape}: it must give one number, the mean loss "
                         "over the points")


def _line_in(exc: BaseException, path: str) -> str:
    """' line N:' for the deepest frame of the traceback inside the model file, else ''."""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    return f" line {lines[-1]}:" if lines else ""
