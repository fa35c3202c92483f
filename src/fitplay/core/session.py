"""The playground's state and its actions. The TUI, `demo` and `fit` all drive this one class."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from typing import NamedTuple

import numpy as np

from fitplay.core.data import MAX_ABS, DataError, Dataset, load_csv
from fitplay.core.landscape import loss_grid
from fitplay.core.lsq import LeastSquares
from fitplay.core.models import Model, ModelError, Params, is_model_file, load_model, model_names
from fitplay.core.optim import (
    EXPLODE_FACTOR,
    GRAD_TOL,
    GRAD_TOL_FLOOR,
    MAX_CHUNK,
    OPTIMIZERS,
    STALL_REL,
    STALL_WINDOW,
    ChunkResult,
    Rule,
    Stop,
    Trainer,
)
from fitplay.core.passes import mean
from fitplay.core.run import History, Status
from fitplay.core.scaling import Scaling
from fitplay.errors import InputError

STEP_SIZES = (0.0001, 0.001, 0.01, 0.1, 1.0, 10.0)
MAX_STEPS_PER_FRAME = MAX_CHUNK
MIN_LR, MAX_LR = 1e-20, 1e4
MAX_STEP_BYTES = 2 << 30  # memory one training step may take
CHUNK_POINT_STEPS = 1 << 25  # Session.run: points x steps per chunk, about a tenth of a second
AUTO_LR_FRACTION = 0.4  # --lr auto: this share of the gradient-descent stability limit
HINT_GAIN = 1e-4  # a hand parameter is "ok" when moving it alone lowers the loss by less than this many loss units
PROBE_STEP = 1e-3  # where a model that knows no optimum converged, each parameter is moved this far (relative)
PROBE_MOST = 10_000_000  # ... when parameters x points is at most this (about a second of numpy)
PROBE_NOISE = 1e-12  # ... and a loss lower by more than this share is lower (a float64 sum's rounding is less)
AT_MINIMUM_SHIFT = 1e-7  # ... and each parameter is this near (relative) to the minimum along it, as the line's,
AT_MINIMUM_GAIN = 1e-9  # ... or going there would lower the loss by less than this share of it
RESCALE_BELOW, RESCALE_ABOVE = 0.1, 10.0  # |x| reaching past these is a tip to rescale x for a model file
# Whole-number option ranges, shared by the command line and session files.
LIMITS = {"seed": (0, 2**31 - 1), "n": (2, 10_000_000), "hidden": (1, 256), "steps": (0, 100_000_000)}


@dataclass
class Options:
    """Everything that defines a session's data and training set-up (the CLI fills it)."""

    model: str = "linear"  # a built-in or installed model's name, or a model file's path
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
    lr: float | None = None  # None: auto, from the data's stability limit
    steps: int | None = None
    hidden: int = 8
    scale: str = "auto"


def _copy(params: Params) -> Params:
    return {k: np.array(v, dtype=np.float64) for k, v in params.items()}


def _finite(params: Params) -> bool:
    return all(np.all(np.isfinite(v)) for v in params.values())


def fmt_number(value: float, digits: int = 4) -> str:
    """A number for people: fixed-point when that shows at least digits - 1 significant digits, else scientific;
    never 'nan' or 'inf'."""
    if not math.isfinite(value):
        return "overflow"
    if value != 0 and not 10 ** (2 - digits) <= abs(value) < 1e6:
        return f"{value:.{digits}e}"
    return f"{value:.{digits}f}"


def check_identifiable(data: Dataset) -> None:
    """Refuse data whose x is constant: no slope can be fitted to it."""
    if data.n and np.all(data.x == data.x[0]):
        raise DataError(f"{data.source}: every x is {data.x[0]:g}: the slope is not identifiable "
                        "(need at least two different x values)")


class Probe(NamedTuple):
    """The loss at a parameter element's value, moved h up and down, and the loss's slope there."""

    name: str
    value: float
    h: float
    here: float
    up: float
    down: float
    slope: float

    @property
    def curvature(self) -> float:
        return (self.up - 2.0 * self.here + self.down) / (self.h * self.h)


def _not_a_minimum(probes: list[Probe]) -> str | None:
    """Where the gradient test fired, why the probed point is not a minimum, or None: a lower loss a probe away
    (a saddle), or the same loss at every probe (a plateau: the gradient of a rounded or integer output is 0 far
    from any fit)."""
    flat = True
    for probe in probes:
        for sign, loss in ((1.0, probe.up), (-1.0, probe.down)):
            if loss < probe.here - PROBE_NOISE * abs(probe.here):
                return (f"the gradient is about 0 here, yet the loss is lower with {probe.name} at "
                        f"{fmt_number(probe.value + sign * probe.h)}: not a minimum")
        flat = flat and probe.up == probe.here == probe.down
    if probes and flat:
        return ("the gradient is about 0 here and the loss stays the same as any one parameter moves: not a "
                "minimum (a plateau, as of a rounded output, or a saddle, as of a·b at a = b = 0)")
    return None


class Session:
    """Data, model, parameters and optimizer settings, with the actions the keys map to."""

    def __init__(self, options: Options | None = None, csv_data: Dataset | None = None,
                 load_progress: Callable[[int, int], None] | None = None):
        """load_progress(bytes read, file size or 0) follows the loading of a large CSV."""
        self.options = options or Options()
        if self.options.data is not None and csv_data is None:
            csv_data = load_csv(self.options.data, self.options.x_col, self.options.y_col, load_progress)
        if csv_data is not None:
            check_identifiable(csv_data)
        self.csv_data = csv_data
        self.seed = self.options.seed
        self.step_size = 0.1
        self.message = ""
        self.generation = 0
        self._trainers: dict[tuple, Trainer] = {}
        self._trainer_lock = threading.Lock()
        self._y_variance: tuple[Dataset | None, float] = (None, 0.0)
        self._kept: dict[str, Params] = {}  # each model's parameters when m left it, for when m comes back
        self._use_model(self.options.model, keep_training_options=True)
        if self.options.init is not None and not self.model.two_param:
            raise InputError(f"--init sets two hand parameters; the {self.model.name} model has "
                             f"{self.model.param_count()} parameters and none moved by hand: leave --init out")

    # ----- set-up -------------------------------------------------------------------------
    def _resolve_scale(self, model: Model) -> str:
        """auto: standard for a CSV, none for the built-in data (its x is already centred); none for a
        model that cannot be trained on standardised data."""
        mode = self.options.scale
        if mode == "auto":
            mode = "standard" if self.csv_data is not None else "none"
        return mode if model.can_scale else "none"

    def _use_model(self, spec: str, keep_training_options: bool = False) -> None:
        try:
            self._set_up(spec, keep_training_options)
        except InputError:
            raise
        except Exception as exc:  # a model file's own code failed (simulate, loss, memory, ...)
            if not is_model_file(spec):
                raise
            raise ModelError(f"{spec}: {type(exc).__name__}: {str(exc)[:200]}") from None

    def _set_up(self, spec: str, keep_training_options: bool) -> None:
        model = load_model(spec, self.options.hidden)
        data = self._make_data(model)
        model.check_data(data)
        self.model, self.data = model, data
        self.model_spec = spec
        self.scale = self._resolve_scale(model)
        opts = self.options
        self.optimizer = (opts.optimizer if keep_training_options and opts.optimizer else model.default_optimizer)
        self.max_steps = opts.steps if opts.steps is not None else model.default_steps
        self.steps_per_frame = model.default_steps_per_frame
        self.scaling = Scaling.of(data.x, data.y, model.scales_y)
        self._lsq = LeastSquares.of(data.x, data.y) if model.exact_mse else None
        self.no_optimum = model.no_optimum(data)
        self.lr_auto = not (keep_training_options and opts.lr)
        self.lr = self.auto_lr() if self.lr_auto else opts.lr
        with np.errstate(all="ignore"):
            self.start = self._start_params()
        self._check_representable()
        self.reset()

    def _check_representable(self) -> None:
        """Refuse data and starts that float64 cannot hold: a least-squares slope or a start loss past 1e308."""
        if self._lsq is not None and not (math.isfinite(self._lsq.w) and math.isfinite(self._lsq.b)):
            raise DataError(f"{self.data.source}: the best line's slope is beyond float64 (y changes far faster "
                            "than x): rescale x or y")
        need = self.model.memory(self.data.n, self.start)
        if need > MAX_STEP_BYTES:
            raise InputError(f"the {self.model.name} model needs about {need / 2**30:.1f} GB for one step on "
                             f"{self.data.n:,} points: use fewer points or a smaller model (--hidden)")
        if not self.computable(self.start):
            where = "--init" if self.options.init is not None else "the start"
            at = ", ".join(f"{k} = {float(v):g}" for k, v in self.start.items() if np.ndim(v) == 0)
            with np.errstate(all="ignore"):
                nan = math.isnan(float(self.model.loss(self.start, self.data.x, self.data.y)))
            if nan:
                raise InputError(f"{where}: the {self.model.loss_label} is not a number at {at}: the model's "
                                 "predictions are NaN there")
            raise InputError(f"{where}: the {self.model.loss_label} overflows at {at} on these data: choose a "
                             "start nearer the data")

    def _make_data(self, model: Model) -> Dataset:
        if self.csv_data is not None:
            return self.csv_data
        o = self.options
        noise = model.default_noise if o.noise is None else o.noise
        truth = dict(zip(model.hand or (), (o.w_true, o.b_true)))
        with np.errstate(all="ignore"):
            data = model.simulate(o.n, self.seed, noise, {k: v for k, v in truth.items() if v is not None})
        if not (np.all(np.isfinite(data.y)) and np.abs(data.y).max() <= MAX_ABS):
            raise DataError(f"the simulated data go beyond ±{MAX_ABS:g} (like a CSV value would): lower --noise, "
                            "--w-true or --b-true")
        return data

    def _start_params(self) -> Params:
        if self.model.two_param and self.options.init is not None:
            given = dict(zip(self.model.hand, (np.float64(v) for v in self.options.init)))
            return {**_copy(self.model.start(self.seed)), **given}
        if self.csv_data is not None:
            mx, my = self.scaling.mx, mean(lambda c: c, self.data.y)
            sign = 1.0 if mean(lambda cx, cy: (cx - mx) * (cy - my), self.data.x, self.data.y) >= 0 else -1.0
            scaled = self.model.scaled_start(sign)
            if scaled is not None:
                return _copy(self.model.from_standard(scaled, self.scaling))
        return _copy(self.model.start(self.seed))

    # ----- scaling and the learning rate ---------------------------------------------------
    @property
    def standardised(self) -> bool:
        return self.scale == "standard"

    def lr_limit(self) -> float | None:
        """Gradient descent is stable below this learning rate, in the coordinates training runs in:
        2 / the largest eigenvalue of the loss's Hessian (for cross-entropy, of its upper bound)."""
        if self.model.curvature is None:
            return None
        mx, sx, _, _ = self.scaling
        a, m = (1.0, 0.0) if self.standardised else (sx * sx + mx * mx, mx)
        top = (a + 1) / 2 + math.hypot((a - 1) / 2, m)
        return 2.0 / (self.model.curvature * top)

    def auto_lr(self) -> float:
        """The model's lesson rate on its own data; elsewhere a fixed share of the stability limit."""
        limit = self.lr_limit()
        if limit is None or (self.csv_data is None and not self.standardised):
            return self.model.default_lr
        return float(min(MAX_LR, AUTO_LR_FRACTION * limit))

    def toggle_scale(self) -> bool:
        """z: train on standardised x (and y) or on the data as it is; parameters stay in data units."""
        if not self.model.can_scale:
            self.message = f"feature scaling is not available for the {self.model.name} model"
            return False
        self.scale = "none" if self.standardised else "standard"
        self.options = replace(self.options, scale=self.scale)
        if self.lr_auto:
            self.lr = self.auto_lr()
        self._restart()
        mx, sx, _, _ = self.scaling
        self.message = (f"feature scaling on: training on standardised x (mean {mx:.4g}, sd {sx:.4g})"
                        if self.standardised else "feature scaling off: training on x as it is")
        return True

    def _restart(self) -> None:
        """Anything in flight is stale and the optimizer state starts afresh; a running run goes on."""
        self.generation += 1
        self._dev = None

    # ----- read-outs -----------------------------------------------------------------------
    def loss_at(self, params: Params) -> float:
        """The model's loss at params in float64, exact for any offset (O(1) for the line)."""
        with np.errstate(over="ignore", invalid="ignore"):
            value = float(self._lsq.mse(params) if self._lsq is not None
                          else self.model.loss(params, self.data.x, self.data.y))
        return value if math.isfinite(value) else float("inf")

    @property
    def loss(self) -> float:
        return self._loss

    def reference_loss(self) -> float:
        """A loss every sensible fit beats: y's variance (squared error) or log 2 (cross-entropy)."""
        if self.model.loss_ref == "log2":
            return math.log(2.0)
        if self._y_variance[0] is not self.data:  # asked on every animation frame: once per data set
            self._y_variance = (self.data, float(np.var(self.data.y)))
        return self._y_variance[1]

    def least_loss(self) -> float | None:
        """The lowest loss the model can reach on these data, where it is known exactly (the line's)."""
        return self._lsq.u2 if self._lsq is not None else None

    def gradient(self) -> dict[str, float] | None:
        """d loss / d (hand parameters) at the current parameters: the line's from its moments, a model's own
        where it has one, else central differences; None for a model with neither hand parameters nor its own."""
        if self._lsq is not None:
            return self._lsq.gradient(self.params)
        own = self.model.gradient(self.params, self.data.x, self.data.y)
        if own is not None or not self.model.two_param:
            return own
        return self._numeric_gradient()

    def hand_moves(self, grad: dict[str, float]) -> dict[str, int]:
        """Which way each hand parameter should move to lower the loss: 1 up, -1 down, 0 ("ok") when moving it
        alone could lower the loss by less than HINT_GAIN of the loss unit. For the line and logistic regression
        that gain is at least g² / (2 x the curvature along the parameter), whatever the data's units, so a
        converged run shows every parameter ok; a model of yours has its curvature probed."""
        if self.model.curvature is None:
            return self._moves_by_probing(grad)
        mx, sx, _, sy = self.scaling
        most = math.sqrt(2.0 * self.model.curvature * HINT_GAIN) * sy  # the curvature along the slope is at
        slope, intercept = self.model.hand  # most c·E[x²], along the intercept c
        bounds = {slope: most * math.hypot(mx, sx), intercept: most}
        return {name: 0 if abs(g) <= bounds[name] else (1 if g < 0 else -1)
                for name, g in grad.items() if name in bounds}

    def _moves_by_probing(self, grad: dict[str, float]) -> dict[str, int]:
        """hand_moves for a model with no known curvature: the curvature along each hand parameter probed (on at
        most PROBE_MOST points: a key must stay quick), and a gradient its convergence test would pass ok."""
        unit = self.scaling.loss_unit if self.scaling.loss_unit > 0 else 1.0
        probed = self.data.n * len(self.model.hand) <= PROBE_MOST
        curvatures = {probe.name: probe.curvature for probe in self._probes(self.model.hand, slope=False)} \
            if probed else {}
        moves = {}
        for name in self.model.hand:
            g, curvature = grad[name], curvatures.get(name, 0.0)
            gain = g * g / (2.0 * curvature) if curvature > 0 else math.inf
            moves[name] = 0 if abs(g) <= GRAD_TOL * unit or gain <= HINT_GAIN * unit else (1 if g < 0 else -1)
        return moves

    def _probes(self, names, slope: bool = True) -> Iterator[Probe]:
        """The loss with each element of the named parameters moved PROBE_STEP (relative) either way, and its
        slope there by central differences PROBE_STEP² (relative) either way (nan unless asked for)."""
        here = self.loss_at(self.params)
        for name in names:
            value = np.asarray(self.params[name], dtype=np.float64)
            for index in np.ndindex(value.shape):
                scale = max(1.0, abs(float(value[index])))
                up, down = (self._loss_moved(name, value, index, step * scale) for step in (PROBE_STEP, -PROBE_STEP))
                yield Probe(name, float(value[index]), PROBE_STEP * scale, here, up, down,
                            self._slope(name, value, index) if slope else math.nan)

    def _loss_moved(self, name: str, value: np.ndarray, index: tuple, step: float) -> float:
        moved = value.copy()
        moved[index] += step
        return self.loss_at({**self.params, name: moved})

    def _slope(self, name: str, value: np.ndarray, index: tuple) -> float:
        """d loss / d (one element of a parameter), by central differences PROBE_STEP² (relative) either way."""
        near = PROBE_STEP ** 2 * max(1.0, abs(float(value[index])))
        return (self._loss_moved(name, value, index, near) - self._loss_moved(name, value, index, -near)) / (2 * near)

    def _numeric_gradient(self) -> dict[str, float]:
        return {name: self._slope(name, np.asarray(self.params[name], dtype=np.float64), ())
                for name in self.model.hand}

    def loss_surface(self, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
        """Loss at every (w, b) of a grid, rows following bs (O(1) a cell for the linear model)."""
        if self._lsq is not None:
            return self._lsq.mse_grid(ws[None, :], bs[:, None])
        return loss_grid(self.model, self.data.x, self.data.y, self.params, ws, bs)

    def optimum(self) -> tuple[float, float] | None:
        """The loss minimum in the hand parameters, cached per data and model (None without one)."""
        key = (self.data, self.model.name)
        if getattr(self, "_optimum_key", None) != key:
            best = self.model.optimum(self.data.x, self.data.y) if self.model.two_param else None
            self._optimum_key = key
            self._optimum = None if best is None else tuple(float(best[k]) for k in self.model.hand)
        return self._optimum

    def params_text(self, digits: int = 4) -> str:
        """'w = 2.0146, b = 20.0810' (up to four scalar parameters), or 'N parameters'."""
        if len(self.params) > 4 or any(np.ndim(v) for v in self.params.values()):
            return f"{self.model.param_count()} parameters"
        return ", ".join(f"{k} = {fmt_number(float(v), digits)}" for k, v in self.params.items())

    def accuracy(self) -> float | None:
        """Share of 0/1 targets predicted right (cross-entropy models only)."""
        if self.model.loss_kind != "bce":
            return None
        pred = self.model.predict(self.params, self.data.x) >= 0.5
        return float(np.mean(pred == (self.data.y >= 0.5)))

    def path(self) -> np.ndarray:
        """The hand-parameter points visited by the optimizer since the last reset (bounded like the losses)."""
        return self.history.path

    @property
    def running(self) -> bool:
        return self.status == Status.RUNNING

    # ----- hand actions --------------------------------------------------------------------
    def _changed(self, loss: float) -> None:
        """Parameters changed by hand, to this loss: in-flight optimizer work is stale, the optimizer state
        restarts."""
        self._restart()
        self._record(loss)

    def _record(self, new_loss: float) -> None:
        self.last_delta = new_loss - self._loss if math.isfinite(self._loss) else 0.0
        self._loss = new_loss
        self.best_loss = min(self.best_loss, new_loss)

    def _hand_model_check(self) -> bool:
        if not self.model.two_param:
            self.message = f"hand moves are not for the {self.model.name} model: press o to train it"
            return False
        return True

    def nudge(self, index: int, multiple: float) -> bool:
        """Move hand parameter `index` (0: the tilt, w for a line; 1: the shift, b) by multiple x the step."""
        if not self._hand_model_check():
            return False
        name = self.model.hand[index]
        value = round(float(self.params[name]) + multiple * self.step_size, 10)
        return self._try_set(name, value)

    def set_param(self, index: int, text: str) -> bool:
        """Set hand parameter `index` to a typed value; refuse anything that is not a finite number."""
        if not self._hand_model_check():
            return False
        name = self.model.hand[index]
        shown, stays = text.strip()[:30], f"{name} stays {fmt_number(float(self.params[name]))}"
        try:
            if "_" in text:  # Python reads 1_0 as 10; nobody types it meaning that
                raise ValueError(text)
            value = float(text.strip())
        except ValueError:
            self.message = f"{name}: {shown!r} is not a number; {stays}"
            return False
        if not math.isfinite(value):
            self.message = f"{name}: {shown!r} is not a finite number; {stays}"
            return False
        return self._try_set(name, value)

    def computable(self, params: Params, exact: float | None = None) -> bool:
        """Can training start here? The loss, exact (`exact`, when known already) and as the trainer sums it in
        float64, is finite. Only the line's loss is exact (O(1)); its float64 sum over the data is computed (O(n))
        only when n x the loss comes near float64's limit, so a hand key stays O(1) on a million points."""
        exact = self.loss_at(params) if exact is None else exact
        if not math.isfinite(exact):
            return False
        if self._lsq is None or exact * self.data.n < 1e300:  # without an exact form, loss_at is that sum
            return True
        with np.errstate(all="ignore"):
            return math.isfinite(float(self.model.loss(params, self.data.x, self.data.y)))

    def _try_set(self, name: str, value: float) -> bool:
        trial = dict(self.params)
        trial[name] = np.float64(value)
        loss = self.loss_at(trial)
        if not self.computable(trial, loss):
            self.message = (f"{name} = {value:g} makes the loss overflow; "
                            f"{name} stays {fmt_number(float(self.params[name]))}")
            return False
        self.params = trial
        self.message = ""
        self._changed(loss)
        return True

    def scale_step(self, factor: float) -> None:
        """Step size x factor (10 or 0.1), kept within STEP_SIZES."""
        i = min(range(len(STEP_SIZES)), key=lambda k: abs(math.log10(STEP_SIZES[k] / self.step_size)))
        j = i + (1 if factor > 1 else -1)
        self.step_size = STEP_SIZES[max(0, min(len(STEP_SIZES) - 1, j))]

    def reset(self) -> None:
        """Back to the start parameters, the same every time; history cleared."""
        self.params = _copy(self.start)
        self.status = Status.IDLE
        self.step_count = 0
        self.history = History()
        self._restart()
        self.steps_per_second = 0.0
        self._loss = self.loss_at(self.params)
        self.initial_loss = self._loss
        self.best_loss = self._loss
        self.last_delta = 0.0
        self.run_start_loss = self._loss
        self.run_start_params = _copy(self.params)
        self.grad_tol = GRAD_TOL
        self.train_steps, self.train_seconds = 0, 0.0

    def new_data(self) -> bool:
        """Draw new simulated data with the next seed (not for CSV data)."""
        if self.csv_data is not None:
            self.message = "the data comes from a file: n draws new data only for simulated data"
            return False
        try:
            with self._all_or_nothing():
                self.seed += 1
                self._redraw()
        except InputError as exc:
            self.message = str(exc)
            return False
        self.message = f"new data, seed {self.seed}"
        return True

    def _redraw(self) -> None:
        """The current model on data drawn afresh (n, make_y): parameters back to the start, the learning rate
        kept when the user chose it; other models' kept parameters belong to the old data."""
        lr, auto = self.lr, self.lr_auto
        self._use_model(self.model_spec, keep_training_options=True)
        if not auto:
            self.lr, self.lr_auto = lr, False
        self._kept = {}

    def load_data(self, path: str, x_col: str | None = None, y_col: str | None = None) -> None:
        """Use a CSV file from now on (raises DataError and changes nothing if it is bad)."""
        self.use_data(load_csv(path, x_col, y_col), path, x_col, y_col)

    def use_data(self, data: Dataset, path: str, x_col: str | None = None, y_col: str | None = None) -> None:
        """Use data read from a CSV file (raises an InputError and changes nothing if it does not fit)."""
        check_identifiable(data)
        self.model.check_data(data)
        with self._all_or_nothing():
            self.csv_data = data
            self.options = replace(self.options, data=path, x_col=x_col, y_col=y_col)
            self._use_model(self.model_spec, keep_training_options=True)
            self._kept = {}
        self.message = f"loaded {data.n} points from {path}"

    @contextmanager
    def _all_or_nothing(self):
        """Undo every change to the session if the block raises (a switch of model or data that fails)."""
        saved = dict(self.__dict__)
        try:
            yield
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def configure(self, options: Options) -> None:
        """Start afresh on simulated data with new options (a lesson step's set-up); anything in flight is
        stale. Raises an InputError and changes nothing if they do not work."""
        with self._all_or_nothing():
            self.options, self.csv_data, self.seed = options, None, options.seed
            self._use_model(options.model, keep_training_options=True)
            self._kept = {}
        self.message = ""

    def truth(self) -> dict[str, float]:
        """The simulated data's true hand parameters and noise (empty for a CSV or a model without them)."""
        if self.csv_data is not None or self.data.true_params is None or not self.model.two_param:
            return {}
        noise = self.model.default_noise if self.options.noise is None else self.options.noise
        return {**{k: float(self.data.true_params[k]) for k in self.model.hand}, "noise": float(noise)}

    def change_truth(self, index: int | None = None, amount: float = 0.0, noise_factor: float = 1.0) -> bool:
        """Redraw the simulated data (same seed) with true hand parameter `index` moved by amount, or the
        noise x noise_factor ("make_y"); the parameters go back to the start."""
        truth = self.truth()
        if not truth:
            self.message = "only simulated data of a two-parameter model has a true line to change"
            return False
        values = [truth[k] for k in self.model.hand]
        if index is not None:
            values[index] = round(values[index] + amount, 10)
        noise = truth["noise"] * noise_factor
        try:
            with self._all_or_nothing():
                self.options = replace(self.options, w_true=values[0], b_true=values[1], noise=noise)
                self._redraw()
        except InputError as exc:
            self.message = str(exc)
            return False
        self.message = (f"data: true {self.model.hand[0]} = {values[0]:g}, {self.model.hand[1]} = {values[1]:g}, "
                        f"noise {noise:g}")
        return True

    def oscillating(self) -> bool:
        """Gradient descent bounces between points of equal loss (at its stability limit): the last four
        losses repeat with period 1 or 2 while each step, lr x the gradient, moves the parameters."""
        last = self.history.losses[-4:]
        grad = self.gradient() if last.size == 4 and self.optimizer == "gd" else None
        if grad is None or not np.all(np.isfinite(last)):
            return False
        repeats = np.allclose(last[2:], last[:2], rtol=1e-12, atol=0.0)
        return bool(repeats and any(abs(self.lr * g) > 1e-6 * max(1.0, abs(float(self.params[k])))
                                    for k, g in grad.items()))

    @cached_property
    def model_specs(self) -> tuple[str, ...]:
        """What m cycles: the built-in and installed models, and the user's model file when one is given (looked
        up at the first m: reading the installed packages' entry points takes 30 ms of start-up)."""
        return model_names() + ((self.options.model,) if is_model_file(self.options.model) else ())

    def next_model(self) -> str:
        """Switch to the next model that suits the data, with the parameters it had when m left it; returns
        its name."""
        specs = self.model_specs
        i = specs.index(self.model_spec) if self.model_spec in specs else -1
        kept = {**self._kept, self.model_spec: _copy(self.params)}
        for k in range(1, len(specs) + 1):
            try:
                with self._all_or_nothing():
                    self._use_model(specs[(i + k) % len(specs)])
            except InputError as exc:
                self.message = str(exc)
                continue
            self._kept = kept
            self._resume(kept.get(self.model_spec))
            return self.model.name
        return self.model.name

    def _resume(self, params: Params | None) -> None:
        """Take back a model's kept parameters (when training can start there), as a fresh start point."""
        if params is None or set(params) != set(self.start) or not self.computable(params):
            return
        self.params = _copy(params)
        self._loss = self.best_loss = self.run_start_loss = self.loss_at(self.params)
        self.run_start_params = _copy(self.params)

    def next_optimizer(self) -> str:
        self.optimizer = OPTIMIZERS[(OPTIMIZERS.index(self.optimizer) + 1) % len(OPTIMIZERS)]
        self._restart()
        return self.optimizer

    def set_training(self, optimizer: str | None = None, lr: float | None = None, scale: str | None = None) -> None:
        """Optimizer, learning rate and feature scaling from the command line, over what a session file said."""
        if optimizer is not None:
            self.optimizer = optimizer
        if scale is not None and scale != self.scale:
            self.toggle_scale()
            self.message = ""
        if lr is not None:
            self.lr, self.lr_auto = lr, False
        self._restart()

    def scale_lr(self, factor: float) -> None:
        """lr x factor within MIN_LR..MAX_LR (an automatic rate below MIN_LR may stay, not go lower)."""
        self.lr = float(min(MAX_LR, max(min(MIN_LR, self.lr), self.lr * factor)))
        self.lr_auto = False

    def scale_speed(self, factor: float) -> None:
        self.steps_per_frame = int(min(MAX_STEPS_PER_FRAME, max(1, self.steps_per_frame * factor)))

    # ----- optimize ------------------------------------------------------------------------
    def toggle_run(self) -> None:
        """o: start, or stop a run in progress."""
        if self.status.active:
            self.status = Status.STOPPED
            return
        if self.step_count >= self.max_steps:
            self.step_count = 0
        self.status = Status.RUNNING
        self.message = ""
        self._restart()
        self.run_start_loss, self.run_start_params = self._loss, _copy(self.params)
        self.grad_tol = GRAD_TOL
        self.train_steps, self.train_seconds = 0, 0.0

    def toggle_pause(self) -> None:
        if self.status == Status.RUNNING:
            self.status = Status.PAUSED
        elif self.status == Status.PAUSED:
            self.status = Status.RUNNING

    def remaining(self) -> int:
        return max(0, self.max_steps - self.step_count)

    def _trainer(self, model: Model, optimizer: str, data: Dataset, scaling: Scaling | None) -> Trainer:
        """The trainer for this model, optimizer and data, standardised by scaling when given."""
        key = (model, optimizer, data, scaling)
        with self._trainer_lock:
            if key not in self._trainers:
                self._trainers = {k: v for k, v in self._trainers.items() if k[2] is data}
                same = next((t for k, t in self._trainers.items() if k[3] == scaling), None)
                if same is not None:  # its arrays are on the device already
                    x, y = same.x, same.y
                else:
                    x, y = scaling.standardise(data.x, data.y) if scaling is not None else (data.x, data.y)
                self._trainers[key] = Trainer(model, x, y, optimizer, standardised=scaling is not None)
            return self._trainers[key]

    def _train_loss(self, params: Params) -> float:
        """The loss in the units training runs in. Standardised: computed on the standardised data, never by
        dividing by y's variance, which underflows for data near 1e-300."""
        if not self.standardised:
            return self.loss_at(params)
        xs, ys = self.scaling.standardise(self.data.x, self.data.y)
        with np.errstate(all="ignore"):
            return float(self.model.loss(self.model.to_standard(params, self.scaling), xs, ys))

    def _rule(self, start_loss: float) -> Rule:
        """The stopping rule of a run whose loss starts at start_loss (in training units)."""
        unit = self.scaling.loss_unit
        standard_ref = self.standardised and self.model.loss_ref == "variance"  # standardised y has variance 1
        reference = 1.0 if standard_ref else self.reference_loss()
        scale = max(abs(start_loss), reference, np.finfo(np.float64).tiny)
        explode = min(EXPLODE_FACTOR * scale, np.finfo(np.float64).max)
        # A loss unit that underflows (y near 1e-300, trained raw) leaves no gradient to judge: never converged.
        judged = not self.no_optimum and (self.standardised or unit > 0)
        return Rule(grad_tol=self.grad_tol if judged else 0.0, explode=explode, unit=unit if unit > 0 else 1.0,
                    scaling=tuple(self.scaling))

    def chunk_job(self, steps: int) -> Callable[[], ChunkResult]:
        """A function that runs up to `steps` optimizer steps off the UI thread; `apply` takes its result.
        Everything it needs is copied here, on the calling thread."""
        if self._dev is None:  # a run (or a segment of one, after a hand move) starts here
            self.run_start_loss, self.run_start_params = self._loss, _copy(self.params)
            self._run_start_train = self._train_loss(self.params)
        model, optimizer, data, lr, carry = self.model, self.optimizer, self.data, self.lr, self._dev
        scaling = self.scaling if self.standardised else None
        params, gen, start_loss = _copy(self.params), self.generation, self._run_start_train
        rule = self._rule(start_loss)

        def job() -> ChunkResult:
            trainer = self._trainer(model, optimizer, data, scaling)
            if carry is None:
                begin = model.to_standard(params, scaling) if scaling is not None else params
                state = trainer.begin(begin, lr, start_loss)
            else:
                state = trainer.with_lr(carry, lr)
            result = trainer.run(state, steps, rule)
            result.generation = gen
            return result

        return job

    def _to_data_units(self, result: ChunkResult) -> ChunkResult:
        """A result from standardised training, with parameters, losses and path in the data's units."""
        if not self.standardised:
            return result
        s = self.scaling
        path = result.path
        if path is not None and path.size:
            cols = self.model.from_standard(dict(zip(self.model.hand, path.T)), s)
            path = np.stack([cols[k] for k in self.model.hand], axis=1)  # hand = all parameters when scaled
        with np.errstate(all="ignore"):
            return replace(result, params=self.model.from_standard(result.params, s),
                           losses=result.losses * s.loss_unit, path=path,
                           best_params=self.model.from_standard(result.best_params, s),
                           best_loss=result.best_loss * s.loss_unit)

    def apply(self, result: ChunkResult) -> bool:
        """Take a chunk's result, unless the parameters changed by hand since it started."""
        if result.generation != self.generation:
            return False
        result = self._to_data_units(result)
        self.history.add(self.step_count, result.losses, result.path)
        self.step_count += result.steps
        if result.seconds > 0 and result.steps:
            self.steps_per_second = result.steps / result.seconds
            self.train_steps += result.steps
            self.train_seconds += result.seconds
        self.params = {k: np.array(result.params[k], dtype=np.float64) for k in self.start}
        self._dev = result.carry
        if result.stop == Stop.DIVERGED:
            self._finish(Status.DIVERGED, result)
        elif result.stop == Stop.CONVERGED:
            self._judge_convergence(result)
        elif result.stop == Stop.STALLED:
            self._finish(Status.STALLED, result)
        elif self.step_count >= self.max_steps:
            self._finish(Status.BUDGET, result)
        else:
            self._record(self.loss_at(self.params))
        return True

    def _judge_convergence(self, result: ChunkResult) -> None:
        """The gradient test fired: converged at the optimum; short of it, on with a tighter test; at a saddle or a
        plateau (probed, for a model that knows no optimum), stalled."""
        probes = list(self._probes(self.params)) if self._probe_affordable() else []
        if not (self._at_optimum() and self._near_probed_minimum(probes)):
            self._tighten()
        elif reason := _not_a_minimum(probes):
            self._finish(Status.STALLED, result)
            self.message = f"stalled after {self.step_count} steps: {reason}"
        else:
            self._finish(Status.CONVERGED, result)

    def _at_optimum(self) -> bool:
        """Where the model knows its optimum, are the hand parameters on it? Each within 1e-7 of it
        (relative), or within what float64 resolves there (1e-15 of a standardised unit, in data units)."""
        best = self.optimum()
        if best is None or not self.model.can_scale or set(self.model.hand) != set(self.params):
            return True
        origin = self.model.from_standard({k: np.float64(0.0) for k in self.params}, self.scaling)
        spread = {k: 0.0 for k in self.params}
        for name in self.params:
            unit = self.model.from_standard({k: np.float64(k == name) for k in self.params}, self.scaling)
            for k in spread:
                spread[k] += abs(float(unit[k]) - float(origin[k]))
        return all(abs(float(self.params[k]) - target) <= 1e-7 * abs(target) + 1e-15 * spread[k]
                   for k, target in zip(self.model.hand, best))

    def _probe_affordable(self) -> bool:
        """A model that knows no optimum, with parameters x points at most PROBE_MOST (a second of numpy)."""
        return self.optimum() is None and self.model.param_count() * self.data.n <= PROBE_MOST

    def _near_probed_minimum(self, probes: list[Probe]) -> bool:
        """Is each probed parameter at the minimum along it (slope / curvature away) within AT_MINIMUM_SHIFT
        (relative), or so near that going there would lower the loss by under AT_MINIMUM_GAIN of it? (A gradient
        test in units of y's variance passed 500 away from the slope of y = 1e6·x, at 80,000 x the least loss.)"""
        unit = self.scaling.loss_unit if self.scaling.loss_unit > 0 else 1.0
        for probe in probes:
            if probe.curvature <= 0:
                continue
            shift = probe.slope / probe.curvature
            far = abs(shift) > AT_MINIMUM_SHIFT * max(1.0, abs(probe.value))
            if far and probe.slope * shift / 2.0 > AT_MINIMUM_GAIN * max(probe.here, GRAD_TOL_FLOOR * unit):
                return False
        return True

    def _tighten(self) -> None:
        """The gradient test fired short of the known optimum (units where one parameter hangs on a tiny
        difference of large ones): go on with a test 100 x tighter, down to GRAD_TOL_FLOOR, then say so."""
        if self.grad_tol / 100 < GRAD_TOL_FLOOR:
            self._finish(Status.STALLED, None)
            self.message = (f"stalled after {self.step_count} steps: the gradient is below {self.grad_tol:g}, yet "
                            "float64 cannot bring the parameters closer to the optimum in these units. Centre x "
                            "(subtract its mean) or rescale y")
            return
        self.grad_tol /= 100
        self._record(self.loss_at(self.params))

    def _finish(self, status: Status, result: ChunkResult | None) -> None:
        """End the run: judge where it ended, keep the best parameters if it went up, and say why."""
        self._dev = None
        end_loss = self.loss_at(self.params)
        start = self.run_start_loss
        if status != Status.DIVERGED and end_loss > start + 1e-12 * abs(start):
            status = Status.DIVERGED
        if status == Status.DIVERGED:
            best = result.best_params if result is not None else self.run_start_params
            if not (_finite(best) and self.loss_at(best) <= start):
                best = self.run_start_params
            self.params = {k: np.array(best[k], dtype=np.float64) for k in self.start}
            end_loss = self.loss_at(self.params)
        self.status = status
        self._record(end_loss)
        self.message = self.verdict()

    def verdict(self) -> str:
        """The run's status in words, with the reason and what to try when it did not converge."""
        steps = f"{self.step_count} step{'' if self.step_count == 1 else 's'}"
        limit = self.lr_limit()
        if self.status == Status.CONVERGED:
            return f"converged after {steps}"
        if self.status == Status.DIVERGED:
            cause = (f"the learning rate {self.lr:g} is above the stability limit {limit:.3g}" if limit is not None
                     and self.lr >= limit and self.optimizer == "gd" else f"the learning rate {self.lr:g} is too large")
            rescale = self._rescale_tip()
            return (f"diverged after {steps}: {cause}; kept the best parameters seen (loss "
                    f"{fmt_number(self.loss)}). Lower the learning rate{f', or {rescale}' if rescale else ''}")
        if self.no_optimum:
            return f"{'stalled' if self.status == Status.STALLED else 'step budget used'} after {steps}: " \
                   f"{self.no_optimum}"
        if self.status == Status.STALLED and self.oscillating():
            return (f"stalled after {steps}: the loss is the same at every step while the gradient stays away "
                    f"from 0: it oscillates between two points, for ever. The learning rate {self.lr:g} is at or past "
                    "this valley's stability limit: lower it")
        if self.status == Status.STALLED:
            return (f"stalled after {steps}: in {STALL_WINDOW} steps the loss fell by less than {STALL_REL:g} "
                    f"(relative) and the gradient did not fall, away from an optimum. {self._advice()}")
        if self.status == Status.BUDGET and self.max_steps == 0:
            return "no steps run (a budget of 0 steps): the parameters are as they were"
        if self.status == Status.BUDGET:
            return f"step budget used ({steps}), not converged yet. {self._advice()}"
        return ""

    def _advice(self) -> str:
        """What to try when a run is slow or stuck."""
        tips = []
        if not self.standardised and self.model.can_scale:
            tips.append("scale x (feature scaling)")
        if rescale := self._rescale_tip():
            tips.append(rescale)
        if self.optimizer == "adam":
            tips.append("lower the learning rate or use gd")
        else:
            limit = self.lr_limit()
            if limit is not None and self.lr < 0.1 * limit:
                tips.append(f"raise the learning rate (stable below {limit:.3g})")
            tips.append("use adam" if self.optimizer == "gd" else "use gd")
        tips.append("or allow more steps")
        return "Try: " + ", ".join(tips) + "."

    def _rescale_tip(self) -> str | None:
        """For a model that trains on x as it is, when x is far from 1 in size: rescale it in the data (no
        learning rate suits both a parameter that multiplies x = 3e6 and one that does not)."""
        if self.model.can_scale:
            return None
        reach = float(np.max(np.abs(self.data.x)))
        if RESCALE_BELOW < reach < RESCALE_ABOVE:
            return None
        return f"rescale x in the data toward 1 (|x| reaches {reach:.3g}; this model trains on x as it is)"

    def run(self, max_chunk: int = MAX_CHUNK, progress: Callable[[Session], None] | None = None) -> None:
        """Train synchronously until the run ends (continuing a run in progress). On large data a chunk is
        shorter, so progress is reported (and the caller can stop) every fraction of a second."""
        if self.status != Status.RUNNING:
            self.toggle_run()
        chunk = max(1, min(max_chunk, CHUNK_POINT_STEPS // self.data.n))
        while self.status == Status.RUNNING and self.remaining() > 0:
            self.apply(self.chunk_job(min(chunk, self.remaining()))())
            if progress is not None:
                progress(self)
        if self.status == Status.RUNNING:
            self._finish(Status.BUDGET, None)

    def restore(self, params: Params, start: Params, optimizer: str, lr: float, step_size: float,
                steps_per_frame: int, step_count: int) -> None:
        """Take the state of a saved session (validated by the caller)."""
        self.start, self.optimizer, self.lr, self.lr_auto = _copy(start), optimizer, lr, False
        self.step_size, self.steps_per_frame = step_size, steps_per_frame
        self.reset()
        self.params = _copy(params)
        self.step_count = step_count
        self._loss = self.loss_at(self.params)
        self.best_loss = self.run_start_loss = self._loss
        self.run_start_params = _copy(self.params)

    def warm_up_job(self) -> Callable[[], None]:
        """A function that imports JAX and compiles the current model's step (to run in a worker)."""
        jobs = [self.chunk_job(steps) for steps in {self.steps_per_frame, 1}]

        def job() -> None:
            for run in jobs:
                run()

        return job

def stop_rules() -> str:
    """The run's verdicts, in words (for the help screen and --help)."""
    return (f"converged: the gradient, in standardised units, is below {GRAD_TOL:g}; stalled: in {STALL_WINDOW} "
            f"steps the loss improved by less than {STALL_REL:g} (relative) and the gradient did not go down, away "
            "from an optimum; diverged: the "
            "loss is not finite or ended above where the run started (the best parameters are kept); budget: the "
            "steps ran out while the loss was still going down")
