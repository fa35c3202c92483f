"""The playground's state and its actions. The TUI, `demo` and `fit` all drive this one class."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from fitplay.core.data import DataError, Dataset, load_csv
from fitplay.core.landscape import loss_grid, optimum
from fitplay.core.models import MODEL_NAMES, Model, Params, get_model
from fitplay.core.optim import (
    EXPLODE_FACTOR,
    GRAD_TOL,
    MAX_CHUNK,
    OPTIMIZERS,
    REL_TOL,
    ChunkResult,
    Trainer,
)
from fitplay.errors import InputError

STEP_SIZES = (0.0001, 0.001, 0.01, 0.1, 1.0, 10.0)
MAX_STEPS_PER_FRAME = MAX_CHUNK
MIN_LR, MAX_LR = 1e-8, 1e4
SESSION_FORMAT = 1
# Whole-number option ranges, shared by the command line and session files.
LIMITS = {"seed": (0, 2**31 - 1), "n": (2, 10_000_000), "hidden": (1, 256), "steps": (0, 100_000_000)}


class SessionError(InputError):
    """A session file that cannot be restored; the message is one line."""


@dataclass
class Options:
    """Everything that defines a session's data and training set-up (the CLI fills it)."""

    model: str = "linear"
    data: str | None = None
    x_col: str | None = None
    y_col: str | None = None
    seed: int = 0
    n: int = 100
    noise: float | None = None
    w_true: float | None = None
    b_true: float | None = None
    init: tuple[float, float] | None = None
    optimizer: str | None = None
    lr: float | None = None
    steps: int | None = None
    hidden: int = 8


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_options(o: Options, name: str) -> None:
    """Raise SessionError unless every option has a usable type and range (for options from a file)."""
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
    for key in ("data", "x_col", "y_col", "optimizer"):
        if getattr(o, key) is not None and not isinstance(getattr(o, key), str):
            raise SessionError(f"{name}: options.{key} must be a string")
    if o.init is not None and (not isinstance(o.init, (list, tuple)) or len(o.init) != 2
                               or not all(_number(v) for v in o.init)):
        raise SessionError(f"{name}: options.init must be two finite numbers")


def _copy(params: Params) -> Params:
    return {k: np.array(v, dtype=np.float64) for k, v in params.items()}


def _finite(params: Params) -> bool:
    return all(np.all(np.isfinite(v)) for v in params.values())


class Session:
    """Data, model, parameters and optimizer settings, with the actions the keys map to."""

    def __init__(self, options: Options | None = None, csv_data: Dataset | None = None):
        self.options = options or Options()
        if self.options.data is not None and csv_data is None:
            csv_data = load_csv(self.options.data, self.options.x_col, self.options.y_col)
        self.csv_data = csv_data
        self.seed = self.options.seed
        self.step_size = 0.1
        self.message = ""
        self.generation = 0
        self._trainers: dict[tuple, Trainer] = {}
        self._trainer_lock = threading.Lock()
        self._use_model(self.options.model, keep_training_options=True)

    # ----- set-up -------------------------------------------------------------------------
    def _use_model(self, name: str, keep_training_options: bool = False) -> None:
        model = get_model(name, self.options.hidden)
        data = self._make_data(model)
        model.check_data(data)
        self.model, self.data = model, data
        opts = self.options
        self.optimizer = (opts.optimizer if keep_training_options and opts.optimizer else model.default_optimizer)
        self.lr = opts.lr if keep_training_options and opts.lr else model.default_lr
        self.max_steps = opts.steps if opts.steps is not None else model.default_steps
        self.steps_per_frame = model.default_steps_per_frame
        self._stats = self._linear_stats(data) if model.name == "linear" else None
        self.start = self._start_params()
        self.reset()

    def _make_data(self, model: Model) -> Dataset:
        if self.csv_data is not None:
            return self.csv_data
        o = self.options
        noise = model.default_noise if o.noise is None else o.noise
        return model.simulate(o.n, self.seed, noise, o.w_true, o.b_true)

    def _start_params(self) -> Params:
        if self.model.two_param and self.options.init is not None:
            w, b = self.options.init
            return {"w": np.float64(w), "b": np.float64(b)}
        return _copy(self.model.start(self.seed))

    @staticmethod
    def _linear_stats(data: Dataset) -> tuple[float, ...]:
        x, y = data.x, data.y
        return (float(np.mean(x)), float(np.mean(y)), float(np.mean(x * x)), float(np.mean(x * y)),
                float(np.mean(y * y)))

    # ----- read-outs -----------------------------------------------------------------------
    def _linear_mse(self, w, b):
        """mean((w x + b - y)^2) from the data's means, for scalars or broadcast arrays: O(1) a point."""
        mx, my, mxx, mxy, myy = self._stats
        with np.errstate(over="ignore", invalid="ignore"):
            return np.maximum(myy - 2 * w * mxy - 2 * b * my + w * w * mxx + 2 * w * b * mx + b * b, 0.0)

    def loss_at(self, params: Params) -> float:
        """The model's loss at params, in float64 numpy (O(1) for the linear model)."""
        if self._stats is not None:
            value = float(self._linear_mse(float(params["w"]), float(params["b"])))
            return value if math.isfinite(value) else float("inf")
        with np.errstate(over="ignore", invalid="ignore"):
            return float(self.model.loss(params, self.data.x, self.data.y))

    @property
    def loss(self) -> float:
        return self._loss

    def gradient(self) -> Params | None:
        """d loss / d (w, b) at the current parameters, for the hint; None for the network."""
        if not self.model.two_param:
            return None
        if self._stats is not None:
            mx, my, mxx, mxy, _ = self._stats
            w, b = float(self.params["w"]), float(self.params["b"])
            return {"w": 2 * (w * mxx + b * mx - mxy), "b": 2 * (w * mx + b - my)}
        return self.model.grad(self.params, self.data.x, self.data.y)

    def loss_surface(self, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
        """Loss at every (w, b) of a grid, rows following bs (O(1) a cell for the linear model)."""
        if self._stats is not None:
            return self._linear_mse(ws[None, :], bs[:, None])
        return loss_grid(self.model, self.data.x, self.data.y, ws, bs)

    def optimum(self) -> tuple[float, float] | None:
        """The loss minimum in (w, b), cached per data and model."""
        key = (self.data, self.model.name)
        if getattr(self, "_optimum_key", None) != key:
            self._optimum_key, self._optimum = key, optimum(self.model, self.data.x, self.data.y)
        return self._optimum

    def params_text(self, digits: int = 4) -> str:
        """'w = 2.0146, b = 20.0810', or 'N parameters' for the network."""
        if not self.model.two_param:
            return f"{self.model.param_count()} parameters"
        return f"w = {float(self.params['w']):.{digits}f}, b = {float(self.params['b']):.{digits}f}"

    def accuracy(self) -> float | None:
        """Share of 0/1 targets predicted right (logistic only)."""
        if self.model.name != "logistic":
            return None
        pred = self.model.predict(self.params, self.data.x) >= 0.5
        return float(np.mean(pred == (self.data.y >= 0.5)))

    def loss_history(self) -> np.ndarray:
        if len(self._history) > 1:
            self._history = [np.concatenate(self._history)]
        return self._history[0] if self._history else np.empty(0)

    def path(self) -> np.ndarray:
        """The (w, b) points visited by the optimizer since the last reset."""
        if len(self._path) > 1:
            self._path = [np.concatenate(self._path)]
        return self._path[0] if self._path else np.empty((0, 2))

    @property
    def running(self) -> bool:
        return self.status == "running"

    # ----- hand actions --------------------------------------------------------------------
    def _changed(self) -> None:
        """Parameters changed by hand: in-flight optimizer work is stale, the optimizer state restarts."""
        self.generation += 1
        self._dev = None
        self._record(self.loss_at(self.params))

    def _record(self, new_loss: float) -> None:
        self.last_delta = new_loss - self._loss if math.isfinite(self._loss) else 0.0
        self._loss = new_loss
        self.best_loss = min(self.best_loss, new_loss)

    def _hand_model_check(self) -> bool:
        if not self.model.two_param:
            self.message = f"hand moves are not for the {self.model.name} model: press o to train it"
            return False
        return True

    def nudge(self, name: str, multiple: float) -> bool:
        """Move parameter name ('w' or 'b') by multiple x the step size."""
        if not self._hand_model_check():
            return False
        value = round(float(self.params[name]) + multiple * self.step_size, 10)
        return self._try_set(name, value)

    def set_param(self, name: str, text: str) -> bool:
        """Set w or b to a typed value; refuse anything that is not a finite number."""
        if not self._hand_model_check():
            return False
        shown, stays = text.strip()[:30], f"{name} stays {float(self.params[name]):.4f}"
        try:
            value = float(text.strip())
        except ValueError:
            self.message = f"{name}: {shown!r} is not a number; {stays}"
            return False
        if not math.isfinite(value):
            self.message = f"{name}: {shown!r} is not a finite number; {stays}"
            return False
        return self._try_set(name, value)

    def _try_set(self, name: str, value: float) -> bool:
        trial = dict(self.params)
        trial[name] = np.float64(value)
        if not math.isfinite(self.loss_at(trial)):
            self.message = f"{name} = {value:g} makes the loss overflow; {name} stays {float(self.params[name]):.4f}"
            return False
        self.params = trial
        self.message = ""
        self._changed()
        return True

    def scale_step(self, factor: float) -> None:
        """Step size x factor (10 or 0.1), kept within STEP_SIZES."""
        i = min(range(len(STEP_SIZES)), key=lambda k: abs(math.log10(STEP_SIZES[k] / self.step_size)))
        j = i + (1 if factor > 1 else -1)
        self.step_size = STEP_SIZES[max(0, min(len(STEP_SIZES) - 1, j))]

    def reset(self) -> None:
        """Back to the start parameters, the same every time; history cleared."""
        self.params = _copy(self.start)
        self.status = "idle"
        self.step_count = 0
        self._history: list[np.ndarray] = []
        self._path: list[np.ndarray] = []
        self._dev = None
        self.generation += 1
        self.steps_per_second = 0.0
        self._loss = self.loss_at(self.params)
        self.initial_loss = self._loss
        self.best_loss = self._loss
        self.last_delta = 0.0
        self.last_finite = _copy(self.params)

    def new_data(self) -> bool:
        """Draw new simulated data with the next seed (not for CSV data)."""
        if self.csv_data is not None:
            self.message = "the data comes from a file: n draws new data only for simulated data"
            return False
        self.seed += 1
        self._use_model(self.model.name, keep_training_options=True)
        self.message = f"new data, seed {self.seed}"
        return True

    def load_data(self, path: str, x_col: str | None = None, y_col: str | None = None) -> None:
        """Use a CSV file from now on (raises DataError and changes nothing if it is bad)."""
        data = load_csv(path, x_col, y_col)
        self.model.check_data(data)
        self.csv_data = data
        self.options = replace(self.options, data=path, x_col=x_col, y_col=y_col)
        self._use_model(self.model.name, keep_training_options=True)
        self.message = f"loaded {data.n} points from {path}"

    def next_model(self) -> str:
        """Switch to the next model that suits the data; returns its name."""
        i = MODEL_NAMES.index(self.model.name)
        for k in range(1, len(MODEL_NAMES) + 1):
            name = MODEL_NAMES[(i + k) % len(MODEL_NAMES)]
            try:
                self._use_model(name)
            except DataError as exc:
                self.message = str(exc)
                continue
            return name
        return self.model.name

    def next_optimizer(self) -> str:
        self.optimizer = OPTIMIZERS[(OPTIMIZERS.index(self.optimizer) + 1) % len(OPTIMIZERS)]
        self._dev = None
        self.generation += 1
        return self.optimizer

    def scale_lr(self, factor: float) -> None:
        self.lr = float(min(MAX_LR, max(MIN_LR, self.lr * factor)))

    def scale_speed(self, factor: float) -> None:
        self.steps_per_frame = int(min(MAX_STEPS_PER_FRAME, max(1, self.steps_per_frame * factor)))

    # ----- optimize ------------------------------------------------------------------------
    def toggle_run(self) -> None:
        """o: start, or stop a run in progress."""
        if self.status in ("running", "paused"):
            self.status = "stopped"
            return
        if self.step_count >= self.max_steps:
            self.step_count = 0
        self.status = "running"
        self.message = ""

    def toggle_pause(self) -> None:
        if self.status == "running":
            self.status = "paused"
        elif self.status == "paused":
            self.status = "running"

    def remaining(self) -> int:
        return max(0, self.max_steps - self.step_count)

    def _trainer(self, model: Model, optimizer: str, data: Dataset) -> Trainer:
        key = (model, optimizer, data)
        with self._trainer_lock:
            if key not in self._trainers:
                self._trainers = {k: v for k, v in self._trainers.items() if k[2] is data}
                same_data = next(iter(self._trainers.values()), None)  # its arrays are on the device already
                x, y = (same_data.x, same_data.y) if same_data else (data.x, data.y)
                self._trainers[key] = Trainer(model, x, y, optimizer)
            return self._trainers[key]

    def chunk_job(self, steps: int, min_length: int = 1) -> Callable[[], ChunkResult]:
        """A function that runs `steps` optimizer steps off the UI thread; `apply` takes its result.

        min_length: the scan length to run at least (the extra steps are dropped), so a short last
        chunk reuses the compiled frame length instead of compiling a new one."""
        model, optimizer, data, lr, dev = self.model, self.optimizer, self.data, self.lr, self._dev
        params, gen = _copy(self.params), self.generation
        explode = EXPLODE_FACTOR * max(self.initial_loss, 1.0)

        def job() -> ChunkResult:
            trainer = self._trainer(model, optimizer, data)
            state = trainer.init_state(params, lr) if dev is None else trainer.with_lr(dev, lr)
            result = trainer.run(state, steps, explode, min_length)
            result.generation = gen
            return result

        return job

    def apply(self, result: ChunkResult) -> bool:
        """Take a chunk's result, unless the parameters changed by hand since it started."""
        if result.generation != self.generation:
            return False
        self.step_count += result.steps
        if result.losses.size:
            self._history.append(result.losses)
        if result.path is not None and result.path.size:
            self._path.append(result.path)
        if result.seconds > 0 and result.steps:
            self.steps_per_second = result.steps / result.seconds
        if result.diverged:
            self._diverged(result)
            return True
        self.params = {k: np.array(result.params[k], dtype=np.float64) for k in self.start}
        self.last_finite = _copy(result.last_finite) if result.last_finite is not None else self.last_finite
        self._dev = result.device_state
        self._record(self.loss_at(self.params))
        if result.converged:
            self.status = "converged"
            self.message = f"converged after {self.step_count} steps"
        elif self.step_count >= self.max_steps:
            self.status = "done"
            self.message = f"step budget used ({self.max_steps} steps)"
        return True

    def _diverged(self, result: ChunkResult) -> None:
        restore = result.params if result.params is not None and _finite(result.params) else self.last_finite
        self.params = {k: np.array(restore[k], dtype=np.float64) for k in self.start}
        self._dev = None
        self.status = "diverged"
        self._record(self.loss_at(self.params))
        self.message = (f"diverged at step {self.step_count + 1}: the loss exploded at lr {self.lr:g}; restored the "
                        "last finite parameters. Lower the learning rate (the - key, or --lr)")

    def run(self, max_chunk: int = MAX_CHUNK, progress: Callable[[Session], None] | None = None) -> None:
        """Train synchronously until converged, diverged or out of steps (continuing a run in progress)."""
        if self.status != "running":
            self.toggle_run()
        while self.status == "running" and self.remaining() > 0:
            self.apply(self.chunk_job(min(max_chunk, self.remaining()))())
            if progress is not None:
                progress(self)
        if self.status == "running":
            self.status = "done"

    def warm_up(self) -> None:
        """Import JAX and compile the current model's step (call from a worker thread)."""
        for steps in {self.steps_per_frame, 1}:
            self.chunk_job(steps)()

    # ----- save / load ---------------------------------------------------------------------
    def to_dict(self) -> dict:
        opts = asdict(self.options)
        opts["seed"] = self.seed
        out = {
            "fitplay_session": SESSION_FORMAT,
            "options": opts,
            "model": self.model.name,
            "optimizer": self.optimizer,
            "lr": self.lr,
            "params": {k: np.asarray(v).tolist() for k, v in self.params.items()},
            "start": {k: np.asarray(v).tolist() for k, v in self.start.items()},
            "step_count": self.step_count,
            "step_size": self.step_size,
            "steps_per_frame": self.steps_per_frame,
        }
        if self.options.data == "-":
            out["data"] = {"x": self.data.x.tolist(), "y": self.data.y.tolist()}
        return out

    @classmethod
    def from_dict(cls, doc: object, name: str = "session", steps: int | None = None) -> Session:
        """Restore a saved session; raise SessionError (or DataError for its data) with one line."""
        if not isinstance(doc, dict) or doc.get("fitplay_session") != SESSION_FORMAT:
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
            opts.model = doc["model"]
            if opts.model not in MODEL_NAMES or doc["optimizer"] not in OPTIMIZERS:
                raise SessionError(f"{name}: unknown model or optimizer")
            if steps is not None:
                opts.steps = steps
            csv = None
            if opts.data == "-":
                x = np.asarray(doc["data"]["x"], dtype=np.float64)
                y = np.asarray(doc["data"]["y"], dtype=np.float64)
                csv = Dataset(x, y, source="-")
            session = cls(opts, csv)
            session._restore(doc, name)
        except (KeyError, TypeError, IndexError) as exc:
            raise SessionError(f"{name}: missing or malformed field {exc}") from None
        except InputError:
            raise
        except ValueError as exc:
            raise SessionError(f"{name}: {exc}") from None
        return session

    def _restore(self, doc: dict, name: str) -> None:
        lr = float(doc["lr"])
        if not (math.isfinite(lr) and lr > 0):
            raise SessionError(f"{name}: lr must be a positive number, got {doc['lr']!r}")
        self.optimizer, self.lr = doc["optimizer"], lr
        start = self._params_from(doc.get("start", self.start), name, "start")
        params = self._params_from(doc["params"], name, "params")
        self.start = start
        step_size = doc.get("step_size", self.step_size)
        if step_size not in STEP_SIZES:
            raise SessionError(f"{name}: step_size must be one of {', '.join(f'{s:g}' for s in STEP_SIZES)}")
        speed = doc.get("steps_per_frame", self.steps_per_frame)
        if not isinstance(speed, int) or not 1 <= speed <= MAX_STEPS_PER_FRAME or speed & (speed - 1):
            raise SessionError(f"{name}: steps_per_frame must be a power of two from 1 to {MAX_STEPS_PER_FRAME}")
        step_count = doc.get("step_count", 0)
        if not isinstance(step_count, int) or step_count < 0:
            raise SessionError(f"{name}: step_count must be a whole number, 0 or more")
        self.step_size, self.steps_per_frame = float(step_size), speed
        self.reset()
        self.params = params
        self.step_count = step_count
        self._loss = self.loss_at(params)
        self.best_loss = self._loss

    def _params_from(self, raw: object, name: str, field: str) -> Params:
        expected = self.model.start(self.seed)
        if not isinstance(raw, dict) or set(raw) != set(expected):
            raise SessionError(f"{name}: \"{field}\" must have the keys {', '.join(sorted(expected))}")
        out = {}
        for key, ref in expected.items():
            try:
                value = np.asarray(raw[key], dtype=np.float64)
            except (ValueError, TypeError):
                raise SessionError(f"{name}: \"{field}.{key}\" must be numbers") from None
            if value.shape != np.shape(ref) or not np.all(np.isfinite(value)):
                raise SessionError(f"{name}: \"{field}.{key}\" must be finite with shape {np.shape(ref)}")
            out[key] = value
        return out


def stop_rules() -> str:
    """The convergence and divergence rules, in words (for the help screen and --help)."""
    return (f"converged: gradient norm < {GRAD_TOL:g}, or the loss changes by less than {REL_TOL:g} (relative) "
            f"in a step; diverged: the loss is not finite or grows {EXPLODE_FACTOR:g} x past the start")
