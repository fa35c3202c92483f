"""The model-file contract: what fitplay asks of a model module, and the defaults for what it leaves out.

A model is a Python module:

    \"\"\"y = a·x² + b·x + c\"\"\"              # the formula shown on screen: the docstring's first line
    start = {"a": 0.0, "b": 0.0, "c": 0.0}    # parameter names and the start point
    def predict(params, x):                   # jax.numpy-traceable
        return params["a"] * x**2 + params["b"] * x + params["c"]

Optional: hand (the two parameters the keys move; default the first two), loss ("mse", "bce" or a
callable(pred, y) -> mean loss), optimizer, lr, steps, simulate(n, seed, noise) -> (x, y), noise, name.
Built-in models are files of the same form and may add capabilities: logit, from_standard / to_standard,
scaled_start, curvature, exact_mse, optimum, no_optimum, gradient, markers, memory, true, steps_per_frame,
tour, lesson.
"""

from __future__ import annotations

import inspect
from types import ModuleType

import numpy as np

from fitplay.core import losses
from fitplay.core.data import DataError, Dataset
from fitplay.errors import InputError, printable, shortened

Params = dict[str, np.ndarray]
OPTIMIZER_NAMES = ("gd", "momentum", "adam")
LOSS_LABELS = {"mse": "MSE", "bce": "cross-entropy", "custom": "loss"}
MAX_NAME = 16  # characters of a parameter name: the panel's lines hold it with its value
MAX_FORMULA = 80  # characters of a docstring's first line shown as the formula


class ModelError(InputError):
    """A model file that cannot be used; the message names the file, the line where there is one, and why."""


class Model:
    """One model module seen through the contract. Compared and hashed by identity: the registry hands
    out one object per model, so compiled training steps are cached per model."""

    def __init__(self, module: ModuleType, source: str, hidden: int = 8):
        self.module = module
        self.source = source
        self.options = {"hidden": hidden} if _accepts(getattr(module, "start", None), "hidden") else {}
        self.name = printable(str(getattr(module, "name", source)))
        self.formula = printable(_formula(module, source))
        self.start_params = self._start_of(0)
        names = list(self.start_params)
        hand = getattr(module, "hand", tuple(names[:2]) if len(names) >= 2 and _scalars(self.start_params) else None)
        self.hand = self._check_hand(hand, names)
        raw_loss = getattr(module, "loss", "mse")
        self.loss_kind = "custom" if callable(raw_loss) else raw_loss
        if self.loss_kind not in LOSS_LABELS:
            raise ModelError(f"{source}: loss must be \"mse\", \"bce\" or a function (pred, y) -> loss")
        self.default_optimizer = getattr(module, "optimizer", "gd")
        if self.default_optimizer not in OPTIMIZER_NAMES:
            raise ModelError(f"{source}: optimizer must be one of {', '.join(OPTIMIZER_NAMES)}")
        self.default_lr = _positive(module, "lr", 0.01 if self.default_optimizer == "adam" else 0.05, source)
        self.default_steps = int(_positive(module, "steps", 5000, source))
        self.default_noise = _positive(module, "noise", 1.0, source)
        self.default_steps_per_frame = int(_positive(module, "steps_per_frame", 4, source))
        self.tour = tuple(getattr(module, "tour", (self.default_steps, self.default_steps_per_frame)))
        self.lesson = bool(getattr(module, "lesson", False))
        self.curvature = getattr(module, "curvature", None)
        self.exact_mse = bool(getattr(module, "exact_mse", False))
        self.can_scale = hasattr(module, "from_standard") and hasattr(module, "to_standard")
        self.scales_y = bool(getattr(module, "scales_y", self.loss_kind != "bce"))
        self.loss_ref = "log2" if self.loss_kind == "bce" else "variance"

    # ----- the contract ------------------------------------------------------------------------
    @property
    def loss_label(self) -> str:
        return LOSS_LABELS[self.loss_kind]

    @property
    def two_param(self) -> bool:
        """The keys, inputs and landscape work on two hand parameters; without them the model trains only."""
        return self.hand is not None

    @property
    def one_param(self) -> bool:
        """One scalar parameter: the loss is a curve over it (the slope view draws it with its tangent)."""
        return len(self.start_params) == 1 and _scalars(self.start_params)

    def param_count(self) -> int:
        return int(sum(np.size(v) for v in self.start_params.values()))

    def start(self, seed: int) -> Params:
        """The start point (a model may draw it from the seed)."""
        return self._start_of(seed)

    def predict(self, params: Params, x):
        try:
            return self.module.predict(params, x)
        except SystemExit as exc:  # a model file's exit() is its failure, never the program's end
            raise ModelError(f"{self.source}: predict called exit({exc.code!r})") from None

    def loss(self, params: Params, x, y, xp=np, axis=None):
        """The mean loss (over `axis`, all by default, so a parameter grid can broadcast)."""
        if self.loss_kind == "bce":
            logit = getattr(self.module, "logit", None)
            if logit is not None:
                return losses.bce_logits(logit(params, x), y, xp, axis)
            return losses.bce_probabilities(self.predict(params, x), y, xp, axis)
        if self.loss_kind == "custom":
            return self.module.loss(self.predict(params, x), y)
        return losses.mse(self.predict(params, x), y, xp, axis)

    def simulate(self, n: int, seed: int, noise: float, true: dict[str, float]) -> Dataset:
        """The model's own data set; `true` overrides the true parameters it draws from."""
        simulate = getattr(self.module, "simulate", None)
        if simulate is None:
            raise DataError(f"{self.source}: the model has no simulate(n, seed, noise): give a CSV file of data")
        truth = {**getattr(self.module, "true", {}), **true}
        try:
            x, y = (np.asarray(v, dtype=np.float64) for v in simulate(n, seed, noise, **truth))
        except (TypeError, ValueError):
            raise DataError(f"{self.source}: simulate(n, seed, noise) must return (x, y), two lists of numbers") \
                from None
        if x.shape != (n,) or y.shape != (n,):
            raise DataError(f"{self.source}: simulate(n={n}, ...) gave x of shape {x.shape} and y of shape "
                            f"{y.shape}: it must give n values of each")
        # a y past float64 comes from the options (--noise, --w-true): the session names them
        for name, values, bad in (("x", x, ~np.isfinite(x)), ("y", y, np.isnan(y))):
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise DataError(f"{self.source}: simulate gave {name} = {values[row]:g} at row {row + 1}: every "
                                "value must be a finite number")
        return Dataset(x, y, true_params=truth or None)

    def check_data(self, data: Dataset) -> None:
        """Raise DataError when the targets do not suit the loss (cross-entropy needs 0 or 1)."""
        if self.loss_kind != "bce":
            return
        bad = np.flatnonzero((data.y != 0.0) & (data.y != 1.0))
        if bad.size:
            raise DataError(f"{data.source}: the {self.name} model needs targets 0 or 1; row {bad[0] + 1} has "
                            f"{data.y[bad[0]]:g}")

    # ----- capabilities ------------------------------------------------------------------------
    def from_standard(self, params: Params, scaling) -> Params:
        """Parameters fitted to standardised data, in the data's units (affine: JAX can pull through it)."""
        return self.module.from_standard(params, scaling)

    def to_standard(self, params: Params, scaling) -> Params:
        return self.module.to_standard(params, scaling)

    def scaled_start(self, sign: float) -> Params | None:
        """A bad guess in standardised units for data of this trend's sign (None: the usual start)."""
        make = getattr(self.module, "scaled_start", None)
        return None if make is None else {k: np.float64(v) for k, v in make(sign).items()}

    def no_optimum(self, data: Dataset) -> str | None:
        """Why the loss has no finite minimum on these data, or None."""
        check = getattr(self.module, "no_optimum", None)
        return None if check is None else check(data.x, data.y)

    def optimum(self, x: np.ndarray, y: np.ndarray) -> Params | None:
        """The parameters that minimise the loss, where the model knows them (closed form or solver)."""
        solve = getattr(self.module, "optimum", None)
        return None if solve is None else solve(x, y)

    def gradient(self, params: Params, x: np.ndarray, y: np.ndarray) -> dict[str, float] | None:
        """The model's own gradient of the loss over the hand parameters, if it has one."""
        grad = getattr(self.module, "gradient", None)
        return None if grad is None else grad(params, x, y)

    def memory(self, n: int, params: Params) -> int:
        """Bytes one training step needs on n points: the model's own estimate, else a few arrays of n."""
        estimate = getattr(self.module, "memory", None)
        return int(estimate(n, params)) if estimate is not None else 16 * 8 * n

    def markers(self, params: Params) -> list[tuple[float, str]]:
        """Points on the x axis worth marking (x, label), e.g. the logistic midpoint."""
        mark = getattr(self.module, "markers", None)
        return [] if mark is None else list(mark(params))

    # ----- checks ------------------------------------------------------------------------------
    def _start_of(self, seed: int) -> Params:
        raw = self.module.start(seed, **self.options) if callable(self.module.start) else self.module.start
        if not isinstance(raw, dict) or not raw or not all(isinstance(k, str) for k in raw):
            raise ModelError(f"{self.source}: start must be a dict of parameter names to numbers")
        if not all(k.isidentifier() and k.isascii() and len(k) <= MAX_NAME for k in raw):
            raise ModelError(f"{self.source}: parameter names must be plain names (letters, digits and _) of at most "
                             f"{MAX_NAME} characters (the panel shows them)")
        try:
            params = {k: np.array(v, dtype=np.float64) for k, v in raw.items()}
        except (TypeError, ValueError):
            raise ModelError(f"{self.source}: start must be a dict of parameter names to numbers") from None
        if not all(np.all(np.isfinite(v)) for v in params.values()):
            raise ModelError(f"{self.source}: start values must be finite numbers")
        return params

    def _check_hand(self, hand, names: list[str]) -> tuple[str, str] | None:
        if hand is None:
            return None
        if (not isinstance(hand, (tuple, list)) or len(hand) != 2 or not all(h in names for h in hand)
                or hand[0] == hand[1] or any(np.ndim(self.start_params[h]) for h in hand)):
            raise ModelError(f"{self.source}: hand must name two different scalar parameters of start "
                             f"({', '.join(names)})")
        return (hand[0], hand[1])




def _formula(module: ModuleType, source: str) -> str:
    doc = (module.__doc__ or "").strip()
    line = doc.splitlines()[0].strip() if doc else f"the model in {source}"
    return shortened(line, MAX_FORMULA)


def _scalars(params: Params) -> bool:
    return all(np.ndim(v) == 0 for v in params.values())


def _accepts(function, name: str) -> bool:
    if not callable(function):
        return False
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _positive(module: ModuleType, attr: str, default: float, source: str) -> float:
    value = getattr(module, attr, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value <= 0:
        raise ModelError(f"{source}: {attr} must be a positive number, got {value!r}")
    return float(value)
