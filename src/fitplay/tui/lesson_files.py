"""Lesson steps: Markdown files with a small TOML header between +++ lines, shipped in `lessons/` (installed
as fitplay.lessons) and loaded like themes: a teacher's `$XDG_CONFIG_HOME/fitplay/lessons/*.md` add steps or
replace the step of the same number, and a file that is not valid is skipped with a message naming it.

    +++
    step = 4
    title = "Optimize by hand"
    goals = ["hand_loss_below 1.0"]
    success = "Shown when every goal is met."
    [setup]
    model = "linear"
    +++
    The text, in Markdown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from fitplay.core.goals import Goal
from fitplay.core.models import is_model_file, load_model
from fitplay.core.optim import OPTIMIZERS
from fitplay.core.session import LIMITS, MAX_LR, MIN_LR, Options
from fitplay.errors import InputError, printable
from fitplay.tui.config import bundled_files, config_dir, load_files, parse_toml, read_text
from fitplay.tui.views import VIEWS

FENCE = "+++"
HEADER_KEYS = {"step", "title", "goals", "success", "setup"}
MAX_STEP = 99
MAX_TITLE = 80


class LessonError(InputError):
    """A lesson file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Setup:
    """What a step starts from: the model and its training set-up, the view and the chart toggles."""

    model: str = "linear"
    optimizer: str | None = None
    lr: float | None = None
    steps: int | None = None
    init: tuple[float, float] | None = None
    seed: int = 0
    view: str = "fit"
    true_line: bool = False
    residuals: bool = False

    def options(self) -> Options:
        return Options(model=self.model, optimizer=self.optimizer, lr=self.lr, steps=self.steps, init=self.init,
                       seed=self.seed)


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    goals: tuple[Goal, ...]
    body: str
    success: str = ""
    setup: Setup = field(default_factory=Setup)
    source: str = "bundled"


def user_lesson_dir() -> Path:
    return config_dir() / "lessons"


def _number(path: Path, key: str, value: object, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not lo <= value <= hi:
        raise LessonError(f"{path}: {key} must be a number within {lo:g}..{hi:g}")
    return float(value)


def _flag(path: Path, key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise LessonError(f"{path}: {key} must be true or false")
    return value


def _setup(path: Path, table: object) -> Setup:
    if not isinstance(table, dict):
        raise LessonError(f"{path}: [setup] must be a table")
    unknown = set(table) - set(Setup.__dataclass_fields__)
    if unknown:
        raise LessonError(f"{path}: unknown setup key {sorted(unknown)[0]!r}")
    model = table.get("model", "linear")
    if not isinstance(model, str) or is_model_file(model):
        raise LessonError(f"{path}: model must name a built-in or installed model, not a file")
    try:
        load_model(model)
    except InputError as exc:
        raise LessonError(f"{path}: {exc}") from None
    optimizer = table.get("optimizer")
    if optimizer is not None and optimizer not in OPTIMIZERS:
        raise LessonError(f"{path}: optimizer must be one of {', '.join(OPTIMIZERS)}")
    view = table.get("view", "fit")
    if view not in {v.name for v in VIEWS}:
        raise LessonError(f"{path}: view must be one of {', '.join(v.name for v in VIEWS)}")
    init = table.get("init")
    if init is not None:
        if not isinstance(init, list) or len(init) != 2:
            raise LessonError(f"{path}: init must be two numbers [w, b]")
        init = tuple(_number(path, "init", v, -1e100, 1e100) for v in init)
    lr = table.get("lr")
    steps = table.get("steps")
    return Setup(model=model, optimizer=optimizer, lr=None if lr is None else _number(path, "lr", lr, MIN_LR, MAX_LR),
                 steps=None if steps is None else int(_number(path, "steps", steps, 1, LIMITS["steps"][1])),
                 init=init, seed=int(_number(path, "seed", table.get("seed", 0), *LIMITS["seed"])), view=view,
                 true_line=_flag(path, "true_line", table.get("true_line", False)),
                 residuals=_flag(path, "residuals", table.get("residuals", False)))


def _split(path: Path, text: str) -> tuple[str, str]:
    """The header between the +++ lines, and the Markdown after it."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise LessonError(f"{path}: a lesson file starts with a header between {FENCE} lines")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        raise LessonError(f"{path}: the header has no closing {FENCE} line")
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1:]).strip("\n")


def parse_step(path: Path) -> Step:
    """A lesson step from a Markdown file; raise LessonError with one line naming the file."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+\.md", path.name):
        raise LessonError(f"{path}: a lesson file's name is letters, digits, - and _, then .md")
    header, body = _split(path, read_text(path, LessonError))
    doc = parse_toml(header, path, LessonError)
    unknown = set(doc) - HEADER_KEYS
    if unknown:
        raise LessonError(f"{path}: unknown header key {sorted(unknown)[0]!r}")
    if "step" not in doc or "title" not in doc:
        raise LessonError(f"{path}: the header needs step (a number) and title")
    number = doc["step"]
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_STEP:
        raise LessonError(f"{path}: step must be a whole number within 1..{MAX_STEP}")
    title, success, goals = doc["title"], doc.get("success", ""), doc.get("goals", [])
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        raise LessonError(f"{path}: title must be text of 1 to {MAX_TITLE} characters")
    if not isinstance(success, str):
        raise LessonError(f"{path}: success must be text")
    if not isinstance(goals, list) or not all(isinstance(g, str) for g in goals):
        raise LessonError(f"{path}: goals must be a list of goal names")
    try:
        parsed = tuple(Goal.parse(g) for g in goals)
    except InputError as exc:
        raise LessonError(f"{path}: {exc}") from None
    safe_body = "\n".join(printable(line) for line in body.splitlines())
    return Step(number, printable(title.strip()), parsed, safe_body, printable(success),
                _setup(path, doc.get("setup", {})))


def load_steps(user_dir: Path | None = None) -> tuple[list[Step], list[str]]:
    """The bundled steps, with the teacher's files adding steps or replacing those of the same number, in
    order; and the files skipped."""
    loaded, errors = load_files(bundled_files("fitplay.lessons", ".md"),
                                user_dir if user_dir is not None else user_lesson_dir(), ".md", parse_step,
                                LessonError, "lesson")
    steps = {step.number: Step(**{**step.__dict__, "source": source}) for step, source in loaded}
    return [steps[k] for k in sorted(steps)], errors
