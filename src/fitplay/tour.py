"""The demo's script: beats with captions and session actions, shared by the TUI and plain demos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fitplay.core.session import Session


@dataclass
class Beat:
    """One moment of the tour: a caption, an action on the session, and how long to hold it."""

    caption: Callable[[Session], str]
    action: Callable[[Session], object] | None = None
    seconds: float = 2.0
    optimize: bool = False
    repeat: int = 1


def _loss(s: Session) -> str:
    return f"{s.model.loss_label} {s.loss:.4f}"


def prepare_optimize(s: Session) -> None:
    """Set the tour's pace for the current model (its step budget and steps per frame, slower than the
    playground's, for reading) and start from its start."""
    s.reset()
    s.max_steps, s.steps_per_frame = s.model.tour


def _nudge(index: int, amount: float) -> Callable[[Session], object]:
    return lambda s: s.nudge(index, amount / s.step_size)


def linear_beats() -> list[Beat]:
    return [
        Beat(lambda s: f"The data: {s.data.n} noisy points. Every model here is a model + a loss + an optimizer.",
             seconds=4.0),
        Beat(lambda s: f"A bad guess, y = w·x + b with w = -5, b = 3: {_loss(s)}", seconds=4.0),
        Beat(lambda s: f"By hand: tilt the line up (→ raises w). {s.params_text(2)}, {_loss(s)}",
             _nudge(0, 1.0), seconds=0.5, repeat=7),
        Beat(lambda s: f"By hand: lift it (↑ raises b). {s.params_text(2)}, {_loss(s)}",
             _nudge(1, 2.0), seconds=0.35, repeat=8),
        Beat(lambda s: f"Close by hand: {_loss(s)}.", seconds=3.0),
        Beat(lambda s: "Back to the bad guess (r), and let gradient descent do it (o).", prepare_optimize,
             seconds=3.0),
        Beat(lambda s: f"Gradient descent, lr {s.lr:g}: step {s.step_count}, {s.params_text(2)}, {_loss(s)}",
             optimize=True, seconds=0.0),
        Beat(lambda s: f"{s.status.words.capitalize()} in {s.step_count} steps: {s.params_text(2)}, {_loss(s)} "
                       "(the noise variance is the floor)", seconds=5.0),
    ]


def model_beats() -> list[Beat]:
    return [
        Beat(lambda s: "m: logistic regression. Same keys, a new loss: cross-entropy on 0/1 data.",
             lambda s: (s.next_model(), prepare_optimize(s)), seconds=4.0),
        Beat(lambda s: f"Gradient descent on cross-entropy: step {s.step_count}, {_loss(s)}, "
                       f"accuracy {s.accuracy():.0%}", optimize=True, seconds=0.0),
        Beat(lambda s: "m: a tiny neural network, 1 → 8 → 1 with tanh, trained with Adam.",
             lambda s: (s.next_model(), prepare_optimize(s)), seconds=4.0),
        Beat(lambda s: f"Adam: step {s.step_count}, {_loss(s)}", optimize=True, seconds=0.0),
        Beat(lambda s: f"The curve bends to the data: {_loss(s)}.", seconds=3.0),
        Beat(lambda s: "m again: back to the line.", lambda s: (s.next_model(), prepare_optimize(s)), seconds=2.0),
        Beat(lambda s: f"Gradient descent: step {s.step_count}, {_loss(s)}", optimize=True, seconds=0.0),
        Beat(lambda s: f"{s.status.words.capitalize()}: {s.params_text(2)}, {_loss(s)}. Model + loss + optimizer: "
                       "that is the lesson.", seconds=5.0),
    ]


def tour(session: Session) -> list[Beat]:
    """The whole tour for a session: the line by hand, then gradient descent, then the other models."""
    if session.model.lesson and session.csv_data is None:
        return linear_beats() + model_beats()
    return [
        Beat(lambda s: f"The data: {s.data.n} points, the {s.model.name} model, {_loss(s)} at the start.",
             seconds=4.0),
        Beat(lambda s: f"{s.optimizer}, lr {s.lr:g}: step {s.step_count}, {_loss(s)}", Session.reset,
             optimize=True, seconds=0.0),
        Beat(lambda s: f"{s.status.words.capitalize()}: {s.params_text(2)}, {_loss(s)}", seconds=5.0),
    ]
