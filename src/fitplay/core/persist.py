"""Session files: a session to a dict and back, with one validation shared by every command."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, fields, replace
from pathlib import Path

import numpy as np

from fitplay.core.data import MAX_ABS, MIN_ABS, Dataset, in_range
from fitplay.core.files import read_limited
from fitplay.core.models import ModelError, Params, is_model_file, load_model
from fitplay.core.optim import OPTIMIZERS
from fitplay.core.scaling import SCALE_MODES
from fitplay.core.session import LIMITS, MAX_LR, MAX_STEPS_PER_FRAME, MIN_LR, STEP_SIZES, Options, Session
from fitplay.errors import InputError, shortened

SESSION_FORMAT = 1
MAX_SESSION_BYTES = 256 << 20
EMBED_MAX_POINTS = 10_000  # a CSV this small travels inside the session file: it loads anywhere
MAX_INT_DIGITS = 30
MAX_STEP_COUNT = 10**15  # years of steps: more is not a count


class SessionError(InputError):
    """A session file that cannot be restored; the message is one line."""


def to_dict(session: Session) -> dict:
    """Everything needed to restore the session: data source and options, model, optimizer, parameters.
    A model file is recorded by its absolute path; loading never imports it unless --model names it."""
    opts = asdict(session.options)
    opts["seed"] = session.seed
    if is_model_file(opts["model"]):
        opts["model"] = str(Path(opts["model"]).expanduser().resolve())
    if opts["data"] not in (None, "-"):
        opts["data"] = str(Path(opts["data"]).expanduser().resolve())
    out = {
        "fitplay_session": SESSION_FORMAT,
        "options": opts,
        "model": opts["model"] if is_model_file(opts["model"]) else session.model.name,
        "optimizer": session.optimizer,
        "lr": session.lr,
        "params": {k: np.asarray(v).tolist() for k, v in session.params.items()},
        "start": {k: np.asarray(v).tolist() for k, v in session.start.items()},
        "step_count": session.step_count,
        "step_size": session.step_size,
        "steps_per_frame": session.steps_per_frame,
    }
    if session.csv_data is not None and (session.options.data == "-" or session.data.n <= EMBED_MAX_POINTS):
        out["data"] = {"x": session.data.x.tolist(), "y": session.data.y.tolist()}
    return out


def read_session(path: str, steps: int | None = None, model: str | None = None) -> Session:
    """Restore the session saved in a file (raises SessionError, DataError or ModelError, one line)."""
    raw = read_limited(path, MAX_SESSION_BYTES, SessionError, "session file")
    try:
        doc = json.loads(raw.decode("utf-8-sig"), parse_int=_short_int)
    except UnicodeDecodeError:
        raise SessionError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise SessionError(f"{path}: line {exc.lineno}: not valid JSON") from None
    except RecursionError:
        raise SessionError(f"{path}: nested too deeply to be a session file") from None
    except ValueError as exc:  # an integer too long to be a field's value (_short_int)
        raise SessionError(f"{path}: {exc}") from None
    return from_dict(doc, path, steps, model)


def _short_int(digits: str) -> int:
    """An integer of the JSON text; no field of a session holds more than MAX_INT_DIGITS digits."""
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(digits.lstrip('-'))} digits: no field holds more than "
                         f"{MAX_INT_DIGITS}")
    return int(digits)


def from_dict(doc: object, name: str = "session", steps: int | None = None, model: str | None = None) -> Session:
    """Restore a saved session. A session made with a model file needs that file as `model` (--model)."""
    if not isinstance(doc, dict) or type(doc.get("fitplay_session")) is not int or \
            doc["fitplay_session"] != SESSION_FORMAT:
        raise SessionError(f"{name}: not a fitplay session file (no \"fitplay_session\": {SESSION_FORMAT})")
    known = {f.name for f in fields(Options)}
    raw = doc.get("options")
    if not isinstance(raw, dict) or set(raw) - known:
        raise SessionError(f"{name}: \"options\" must be an object with keys from: {', '.join(sorted(known))}")
    try:
        opts = replace(Options(), **raw)
        check_options(opts, name)
        if opts.init is not None:
            opts.init = (float(opts.init[0]), float(opts.init[1]))
        opts.model = _model_spec(doc.get("model"), model, name)
        if doc["optimizer"] not in OPTIMIZERS:
            raise SessionError(f"{name}: unknown optimizer {doc['optimizer']!r}")
        if steps is not None:
            opts.steps = steps
        csv = _embedded(doc["data"], name, opts.data) if "data" in doc else None
        if opts.data == "-" and csv is None:
            raise SessionError(f"{name}: data read from stdin must be embedded (\"data\": {{\"x\", \"y\"}})")
        session = Session(opts, csv)
        _restore(session, doc, name)
    except (KeyError, TypeError, IndexError) as exc:
        raise SessionError(f"{name}: missing or malformed field {exc}") from None
    except (OverflowError, RecursionError):
        raise SessionError(f"{name}: a number or a nesting beyond what a session file holds") from None
    except SessionError:
        raise
    except InputError as exc:  # the data or the start the file names: say which file named them
        raise SessionError(f"{name}: {exc}") from None
    except ValueError as exc:
        raise SessionError(f"{name}: {exc}") from None
    return session


def _model_spec(saved: object, given: str | None, name: str) -> str:
    """The model to restore: a saved model file is used only when --model names the same file."""
    if not isinstance(saved, str):
        raise SessionError(f"{name}: \"model\" must be a model's name or a model file's path")
    if not is_model_file(saved):
        try:
            load_model(saved)
        except ModelError as exc:
            raise SessionError(f"{name}: model: {exc}") from None
        return saved
    if given is None:
        raise SessionError(f"{name}: made with the model file {saved}: pass --model {saved} to load it "
                           "(a session file never imports code by itself)")
    return given


def _embedded(raw: object, name: str, source: str | None) -> Dataset:
    """The data a session file carries: two equal lists of at least two finite numbers within MAX_ABS."""
    if not isinstance(raw, dict) or set(raw) != {"x", "y"}:
        raise SessionError(f"{name}: \"data\" must be an object with lists \"x\" and \"y\"")
    columns = []
    for key in ("x", "y"):
        values = raw[key]
        if not isinstance(values, list) or not all(_number(v) for v in values):
            raise SessionError(f"{name}: \"data.{key}\" must be a list of finite numbers")
        column = np.asarray(values, dtype=np.float64)
        if column.size < 2 or not in_range(column):
            raise SessionError(f"{name}: \"data.{key}\" must hold 2 or more numbers, each 0 or {MIN_ABS:g} to "
                               f"{MAX_ABS:g} in size")
        columns.append(column)
    if columns[0].size != columns[1].size:
        raise SessionError(f"{name}: \"data.x\" and \"data.y\" must have the same length")
    return Dataset(columns[0], columns[1], source=source or "-")


def _restore(session: Session, doc: dict, name: str) -> None:
    if not _number(doc["lr"]) or not MIN_LR <= doc["lr"] <= MAX_LR:
        raise SessionError(f"{name}: lr must be a number from {MIN_LR:g} to {MAX_LR:g}, "
                           f"got {shortened(repr(doc['lr']), 30)}")
    lr = float(doc["lr"])
    step_size = doc.get("step_size", session.step_size)
    if isinstance(step_size, bool) or step_size not in STEP_SIZES:
        raise SessionError(f"{name}: step_size must be one of {', '.join(f'{s:g}' for s in STEP_SIZES)}")
    speed = doc.get("steps_per_frame", session.steps_per_frame)
    if not isinstance(speed, int) or isinstance(speed, bool) or not 1 <= speed <= MAX_STEPS_PER_FRAME:
        raise SessionError(f"{name}: steps_per_frame must be a whole number from 1 to {MAX_STEPS_PER_FRAME}")
    step_count = doc.get("step_count", 0)
    if not isinstance(step_count, int) or isinstance(step_count, bool) or not 0 <= step_count <= MAX_STEP_COUNT:
        raise SessionError(f"{name}: step_count must be a whole number from 0 to {MAX_STEP_COUNT:,}")
    params = _params_from(session, doc["params"], name, "params")
    start = _params_from(session, doc["start"], name, "start") if "start" in doc else session.start
    for field, values in (("params", params), ("start", start)):
        if not session.computable(values):
            raise SessionError(f"{name}: \"{field}\": the loss overflows there on these data")
    session.restore(
        params=params,
        start=start,
        optimizer=doc["optimizer"], lr=lr, step_size=float(step_size), steps_per_frame=speed, step_count=step_count,
    )


def _params_from(session: Session, raw: object, name: str, field: str) -> Params:
    expected = session.model.start(session.seed)
    if not isinstance(raw, dict) or set(raw) != set(expected):
        raise SessionError(f"{name}: \"{field}\" must have the keys {', '.join(sorted(expected))}")
    out = {}
    for key, ref in expected.items():
        if not _numbers(raw[key]):
            raise SessionError(f"{name}: \"{field}.{key}\" must be finite numbers")
        try:
            value = np.asarray(raw[key], dtype=np.float64)
        except (ValueError, TypeError):
            raise SessionError(f"{name}: \"{field}.{key}\" must be numbers") from None
        if value.shape != np.shape(ref) or not np.all(np.isfinite(value)):
            raise SessionError(f"{name}: \"{field}.{key}\" must be finite with shape {np.shape(ref)}")
        out[key] = value
    return out


def _numbers(value: object) -> bool:
    """A number, or a list of them (a vector parameter)."""
    return _number(value) or (isinstance(value, list) and all(_number(v) for v in value))


def _number(value: object) -> bool:
    """A finite JSON number that a float holds (an integer of 400 digits is not)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def check_options(o: Options, name: str) -> None:
    """Raise SessionError unless every option has a usable type and range."""
    for key, (lo, hi) in LIMITS.items():
        value = getattr(o, key)
        if value is None and key == "steps":
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise SessionError(f"{name}: options.{key} must be a whole number from {lo} to {hi}, got {value!r}")
    for key in ("noise", "w_true", "b_true", "lr"):
        value = getattr(o, key)
        if value is not None and (not _number(value) or (key in ("noise", "lr") and value < 0)):
            raise SessionError(f"{name}: options.{key} must be a finite number, got {value!r}")
    if o.scale not in SCALE_MODES:
        raise SessionError(f"{name}: options.scale must be one of {', '.join(SCALE_MODES)}, got {o.scale!r}")
    for key in ("model", "data", "x_col", "y_col", "optimizer"):
        if getattr(o, key) is not None and not isinstance(getattr(o, key), str):
            raise SessionError(f"{name}: options.{key} must be a string")
    if o.optimizer is not None and o.optimizer not in OPTIMIZERS:
        raise SessionError(f"{name}: options.optimizer must be one of {', '.join(OPTIMIZERS)}")
    if o.init is not None and (not isinstance(o.init, (list, tuple)) or len(o.init) != 2
                               or not all(_number(v) for v in o.init)):
        raise SessionError(f"{name}: options.init must be two finite numbers")
