"""The side panel: model line, loss readout, w and b inputs, step size and optimizer status."""

from __future__ import annotations

import math
from typing import NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static

from fitplay.core.optim import jax_loaded
from fitplay.core.run import Status
from fitplay.core.session import Session
from fitplay.core.session import fmt_number as fmt
from fitplay.tui.text_rows import TextRows

STATUS_STYLE = {Status.RUNNING: "bold green", Status.PAUSED: "yellow", Status.CONVERGED: "bold cyan",
                Status.DIVERGED: "bold red", Status.STALLED: "bold yellow", Status.BUDGET: "cyan",
                Status.STOPPED: "yellow", Status.IDLE: "dim"}


def hint(session: Session, grad: dict[str, float] | None) -> Text:
    """Which way each hand parameter should move to lower the loss (the tilt → / ←, the shift ↑ / ↓)."""
    if grad is None or not session.model.two_param:
        count = session.model.param_count()
        return Text(f"{count} parameter{'s' if count > 1 else ''}: optimizer only", style="dim")
    text = Text("hint ")
    moves = session.hand_moves(grad)
    for name, (up, down) in zip(session.model.hand, (("→", "←"), ("↑", "↓"))):
        if moves[name] == 0:
            text.append(f"{name} ok  ", style="green")
        else:
            text.append(f"{name} {up if moves[name] > 0 else down}  ", style="bold")
    return text


PANEL_TEXT_WIDTH = 29  # the side panel's 32 columns less its border and padding (before the first layout)


def gradient_text(grad: dict[str, float], width: int = PANEL_TEXT_WIDTH) -> list[Text]:
    """∂L/∂w -119.3  ∂L/∂b -34.16: the gradient's values with their signs, one line when they fit."""
    parts = [f"∂L/∂{name} {g:.4g}" for name, g in grad.items()]
    one = "  ".join(parts)
    return [Text(line, style="dim") for line in ([one] if len(one) <= width else parts)]


def goal_text(session: Session) -> list[Text]:
    """For the lesson's own data, what to aim for by hand and where the floor is (no line otherwise)."""
    floor = session.least_loss()
    if floor is None or not session.model.lesson or session.csv_data is not None:
        return []
    target = float(f"{floor * 1.05:.0e}")
    target = target if target > floor * 1.05 else target + 10 ** math.floor(math.log10(target))
    return [Text(f"goal {session.model.loss_label} < {target:g} (floor ≈ {floor:.2f})", style="dim")]


def update_text(static: Static, old: Text | None, new: Text) -> None:
    """Show new text in place of old, laying the screen out again only when the rows it takes change (a
    layout pass on every key or frame is most of its cost)."""
    width = static.content_size.width
    static.update(new, layout=old is None or rows(old, width) != rows(new, width))


def rows(text: Text, width: int) -> int:
    """The screen rows a text takes at a width once wrapped (0 before the first layout: lay it out)."""
    if width <= 0:
        return 0
    return sum(max(1, -(-cell_len(line) // width)) for line in text.plain.split("\n"))


LABEL_WIDTH = 12  # a hand parameter's name is cut to this many cells, with an ellipsis
OTHER_ROWS = 3  # the parameters the keys do not move are listed up to this many rows


def param_text(session: Session, index: int) -> str:
    """A hand parameter's value as the panel and its input box show it (rounded)."""
    return fmt(float(session.params[session.model.hand[index]]))


def _label(name: str) -> str:
    return name if cell_len(name) <= LABEL_WIDTH else name[:LABEL_WIDTH - 1] + "…"


def hand_text(session: Session) -> list[Text]:
    """A row per hand parameter, its name and its value, where its input box opens (tab)."""
    return [Text(f"{_label(name)} {param_text(session, index)}") for index, name in enumerate(session.model.hand)]


def other_text(session: Session) -> list[Text]:
    """The parameters the keys do not move, dim, a row each up to OTHER_ROWS, then a count of the rest: only the
    optimizer changes them, and they are part of the fit (a quadratic's a)."""
    others = [name for name in session.params if name not in session.model.hand]
    rows = [f"{_label(name)} {fmt(float(session.params[name]))}" for name in others[:OTHER_ROWS]
            if session.params[name].ndim == 0]
    if len(rows) < len(others):
        rows.append(f"+ {len(others) - len(rows)} more: see fit --json")
    return [Text(row, style="dim") for row in rows]


class Readout(TextRows):
    """Loss to 4 decimals beside its label, the change from the last move, the lowest so far, a hint, the
    gradient's values, on the lesson's data the goal and the floor, and the hand parameters' values (unless
    their input boxes are open)."""

    DEFAULT_CSS = "Readout { height: auto; padding: 0 1; }"

    def show(self, session: Session, hand: bool = True) -> None:
        """The readout for the session's state, a Text per line."""
        delta = session.last_delta
        if delta < -1e-12:
            change = Text(f"Δ {fmt(delta)} better", style="green")
        elif delta > 1e-12:
            change = Text(f"Δ +{fmt(delta)} worse", style="red")
        else:
            change = Text("Δ 0", style="dim")
        lowest = f"lowest {fmt(session.best_loss)}"
        acc = session.accuracy()
        if acc is not None:
            lowest += f"   accuracy {acc:.0%}"
        grad = session.gradient()
        width = self.content_size.width or PANEL_TEXT_WIDTH
        self.set_lines([Text(f"{session.model.loss_label} {fmt(session.loss)}", style="bold"), change, Text(lowest),
                        hint(session, grad), *(gradient_text(grad, width) if grad is not None else ()),
                        *goal_text(session),
                        *(hand_text(session) if hand and session.model.two_param else ()),
                        *(other_text(session) if session.model.two_param else ())])


class ParamInput(Input):
    """An exact value for hand parameter `index`: enter applies, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel edit", show=False)]

    class Cancelled(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, index: int):
        super().__init__(id=f"param-{index}", compact=True, select_on_focus=True)
        self.index = index

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled(self.index))

    shown = ""  # the value the app last put in the box (enter on it untouched changes nothing)

    def show(self, value: str) -> None:
        """Show a value the app set, without a Changed message (nothing listens for it, and it would bubble
        through the screen on every key and animation frame)."""
        self.shown = value
        with self.prevent(Input.Changed):
            self.value = value


class StatusShown(NamedTuple):
    """What the status lines show, and the lines themselves."""

    status: Status
    preparing: bool  # a run waits for JAX's import
    steps: int
    max_steps: int
    optimizer: str
    lr: float
    limit: float | None  # gradient descent is stable below this learning rate
    scale: str
    per_frame: int
    per_second: float

    def lines(self) -> list[Text]:
        lines = [Text.assemble((f"● {'preparing…' if self.preparing else self.status}",
                                STATUS_STYLE.get(self.status, "yellow")), f"  step {self.steps}/{self.max_steps}"),
                 Text(f"{self.optimizer}  lr {self.lr:.3g}")]
        if self.limit is not None and self.optimizer == "gd":
            lines.append(Text(f"stable below lr {self.limit:.3g}",
                              style="bold red" if self.lr >= self.limit else "dim"))
        lines.append(Text(f"x scale: {self.scale}"))
        speed = f"{self.per_frame} step{'' if self.per_frame == 1 else 's'}/frame"
        if self.per_second:
            speed += f"  {self.per_second:,.0f}/s"
        lines.append(Text(speed))
        return lines


class StatusLine(TextRows):
    """Optimizer state: status, step count, optimizer, learning rate and its stability limit, feature
    scaling, and speed."""

    DEFAULT_CSS = "StatusLine { height: auto; padding: 0 1; }"

    _shown: StatusShown | None = None  # what the lines were made from: a hand key changes none of it

    def show(self, session: Session, busy: bool) -> None:
        shown = StatusShown(session.status, busy and not jax_loaded(), session.step_count, session.max_steps,
                            session.optimizer, session.lr, session.lr_limit(), session.scale,
                            session.steps_per_frame, session.steps_per_second)
        if shown != self._shown:
            self._shown = shown
            self.set_lines(shown.lines())
