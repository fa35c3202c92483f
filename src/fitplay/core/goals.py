"""The lesson's goals, in one place: each is a test on the session's state (and on where the step began),
named by an id a lesson file lists, with an optional number ("hand_loss_below 1.0")."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fitplay.core.lsq import LeastSquares
from fitplay.core.run import Status
from fitplay.core.session import Session, fmt_number
from fitplay.errors import InputError


@dataclass(frozen=True)
class Baseline:
    """The session as a step began: goals such as "change the data" compare with it."""

    truth: dict[str, float]

    @classmethod
    def of(cls, session: Session) -> Baseline:
        return cls(session.truth())


@dataclass(frozen=True)
class GoalKind:
    """text(session, arg) says what to do; met(session, baseline, arg) says whether it is done."""

    text: Callable[[Session, float], str]
    met: Callable[[Session, Baseline, float], bool]
    default: float = math.nan  # the number when the lesson file gives none (nan: the goal takes none)


def _optimum(session: Session) -> dict[str, float] | None:
    best = session.model.optimum(session.data.x, session.data.y)
    if best is None or any(np.ndim(v) for v in best.values()):
        return None
    return {k: float(v) for k, v in best.items()}


def _at_minimum(session: Session, _base: Baseline, tol: float) -> bool:
    best = _optimum(session)
    return best is not None and all(abs(float(session.params[k]) - v) <= tol for k, v in best.items())


def _minimum_text(session: Session, tol: float) -> str:
    best = _optimum(session)
    where = ", ".join(f"{k} = {v:g}" for k, v in best.items()) if best else "the optimum"
    return f"reach the minimum, {where} (to {tol:g})"


def _line_loss(session: Session) -> float:
    """The squared error of the best straight line through the session's data."""
    return LeastSquares.of(session.data.x, session.data.y).u2


def _hand_moved(session: Session, _base: Baseline, _arg: float) -> bool:
    return session.step_count == 0 and session.model.two_param and any(
        float(session.params[k]) != float(session.start[k]) for k in session.model.hand)


GOALS: dict[str, GoalKind] = {
    "new_data": GoalKind(
        lambda s, _: "make your own data: change the true w, the true b or the noise (keys w W, b B, y Y)",
        lambda s, base, _: bool(s.truth()) and s.truth() != base.truth),
    "hand_moved": GoalKind(
        lambda s, _: "move the line by hand: → ← tilt it (w), ↑ ↓ shift it (b)", _hand_moved),
    "hand_loss_below": GoalKind(
        lambda s, v: f"get the {s.model.loss_label} below {v:g} by hand (no optimizer steps)",
        lambda s, _, v: s.step_count == 0 and s.loss < v, default=1.0),
    "minimum": GoalKind(_minimum_text, _at_minimum, default=1e-4),
    "unstable": GoalKind(
        lambda s, _: "find a learning rate at which it oscillates for ever or diverges",
        lambda s, _, __: s.status == Status.DIVERGED or s.oscillating()),
    "converge": GoalKind(
        lambda s, _: f"let {s.optimizer} converge (o)",
        lambda s, _, __: s.status == Status.CONVERGED),
    "beat_line": GoalKind(
        lambda s, _: f"beat the best straight line's {s.model.loss_label} ({fmt_number(_line_loss(s))})",
        lambda s, _, __: s.model.loss_kind != "bce" and s.loss < _line_loss(s) * (1 - 1e-9)),
}


@dataclass(frozen=True)
class Goal:
    """A goal as a lesson file lists it: its kind and its number."""

    spec: str
    kind: str
    arg: float

    @classmethod
    def parse(cls, spec: str) -> Goal:
        """'id' or 'id NUMBER'; raise InputError naming the known ids."""
        parts = spec.split()
        if not parts or parts[0] not in GOALS or len(parts) > 2:
            raise InputError(f"unknown goal {spec!r} (goals: {', '.join(GOALS)}, some with a number)")
        kind = GOALS[parts[0]]
        if len(parts) == 1:
            return cls(spec, parts[0], kind.default)
        if math.isnan(kind.default):
            raise InputError(f"goal {parts[0]!r} takes no number")
        try:
            arg = float(parts[1])
        except ValueError:
            raise InputError(f"goal {spec!r}: {parts[1]!r} is not a number") from None
        if not math.isfinite(arg):
            raise InputError(f"goal {spec!r}: the number must be finite")
        return cls(spec, parts[0], arg)

    def text(self, session: Session) -> str:
        return GOALS[self.kind].text(session, self.arg)

    def met(self, session: Session, baseline: Baseline) -> bool:
        return bool(GOALS[self.kind].met(session, baseline, self.arg))
