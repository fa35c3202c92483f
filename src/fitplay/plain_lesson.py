"""The lesson without a terminal UI: every step's text, then an auto-pilot that meets each goal through the
same Session the app drives, with a transcript of what it did, for reading or checking a lesson headless."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from fitplay.core.goals import Baseline, Goal
from fitplay.core.run import Status
from fitplay.core.session import Session, fmt_number
from fitplay.errors import InputError, printable
from fitplay.plain_demo import HEIGHT, WIDTH, readout
from fitplay.tui.lesson_files import Step, load_steps
from fitplay.tui.views import view_named

HAND_STAGES = 8  # the auto-pilot's hand moves go toward the optimum in at most this many typed values
MAX_LR_DOUBLINGS = 12


def update_line(s: Session) -> str:
    """The next gradient-descent update with its numbers: 'w ← 3.0000 − 0.125·9.0000 = 1.8750'."""
    grad = s.gradient()
    if grad is None or s.optimizer != "gd":
        return readout(s)
    return "; ".join(f"{k} ← {fmt_number(float(s.params[k]))} − {s.lr:g}·{fmt_number(g)} = "
                     f"{fmt_number(float(s.params[k]) - s.lr * g)}" for k, g in grad.items())


def one_step(s: Session) -> None:
    s.apply(s.chunk_job(1)())


def _run(s: Session) -> Iterator[str]:
    s.run()
    yield f"o: {s.message or s.status.words}"
    yield readout(s)


def _new_data(s: Session, goal: Goal, base: Baseline) -> Iterator[str]:
    s.change_truth(0, 1.0)
    yield f"w (true w + 1): {s.message}"


def _hand_moved(s: Session, goal: Goal, base: Baseline) -> Iterator[str]:
    s.nudge(0, 1.0)
    yield f"→ (w + one step): {readout(s)}"


def _by_hand(s: Session, goal: Goal, base: Baseline) -> Iterator[str]:
    """Typed values along the way from the start to the optimum, two decimals each, until the goal is met."""
    target = s.optimum()
    if target is None:
        return
    start = [float(s.params[k]) for k in s.model.hand]
    for stage in range(1, HAND_STAGES + 1):
        for index, (a, b) in enumerate(zip(start, target)):
            s.set_param(index, f"{a + stage / HAND_STAGES * (b - a):.2f}")
        yield f"typed {s.params_text(2)}: {s.model.loss_label} {fmt_number(s.loss)}"
        if goal.met(s, base):
            return


def _minimum(s: Session, goal: Goal, base: Baseline) -> Iterator[str]:
    for _ in range(3):
        yield f". {update_line(s)}"
        one_step(s)
    yield from _run(s)


def _unstable(s: Session, goal: Goal, base: Baseline) -> Iterator[str]:
    """Double the learning rate until a few steps from the start oscillate or diverge; then once more."""
    for _ in range(MAX_LR_DOUBLINGS):
        s.reset()
        s.scale_lr(2.0)
        seen = [s.params_text(2)]
        for _ in range(6):
            one_step(s)
            seen.append(s.params_text(2))
            if s.status in (Status.CONVERGED, Status.DIVERGED):
                break
        ended = " (oscillates)" if s.oscillating() else f" ({s.status.words})" if s.status != Status.IDLE else ""
        yield f"+ lr {s.lr:g}, six steps from the start: {' → '.join(seen)}{ended}"
        if goal.met(s, base):
            break
    s.reset()
    s.scale_lr(2.0)
    yield f"+ lr {s.lr:g}, and o:"
    yield from _run(s)


AUTOPILOT: dict[str, Callable[[Session, Goal, Baseline], Iterator[str]]] = {
    "new_data": _new_data,
    "hand_moved": _hand_moved,
    "hand_loss_below": _by_hand,
    "minimum": _minimum,
    "unstable": _unstable,
    "converge": lambda s, goal, base: _run(s),
    "beat_line": lambda s, goal, base: _run(s),
}


def _chart(s: Session, step: Step) -> str:
    view = view_named(step.setup.view if step.setup.view != "landscape" or s.model.two_param else "fit")
    grid = view.make(True).render(s, WIDTH, HEIGHT, show_true=step.setup.true_line,
                                  show_residuals=step.setup.residuals)
    return "\n".join(line.rstrip() for line in grid.lines())


def _play_step(s: Session, step: Step, out: TextIO) -> int:
    """The step's text, then each goal met by the auto-pilot; returns the number of goals it missed."""
    s.configure(step.setup.options())
    base = Baseline.of(s)
    out.write(f"{step.body}\n\n{_chart(s, step)}\n\n")
    missed = 0
    for goal in step.goals:
        out.write(f"goal: {goal.text(s)}\n")
        met = goal.met(s, base)
        for line in AUTOPILOT[goal.kind](s, goal, base):
            out.write(f"  {line}\n")
            if not met and goal.met(s, base):
                met = True
                out.write("  ✓ goal met\n")
        if not met:
            missed += 1
            out.write("  ✗ the auto-pilot did not meet this goal\n")
        out.flush()
    if step.success and step.goals and not missed:
        out.write(f"{step.success}\n")
    return missed


def run_plain_lesson(out: TextIO, step: int | None = None, user_dir: Path | None = None) -> int:
    """Print the steps (all, or step N) with the auto-pilot's transcript; 0 when it met every goal, else 1."""
    steps, errors = load_steps(user_dir)
    for error in errors:
        print(printable(error), file=sys.stderr)
    chosen = [s for s in steps if step is None or s.number == step]
    if not chosen:
        raise InputError(f"--step {step}: no such step (the steps are {', '.join(str(s.number) for s in steps)})")
    session = Session(chosen[0].setup.options())
    missed = 0
    for k, current in enumerate(chosen, 1):
        out.write(f"{'=' * WIDTH}\nStep {current.number} ({k}/{len(chosen)}): {current.title}\n{'=' * WIDTH}\n")
        missed += _play_step(session, current, out)
        out.write("\n")
    out.write(f"the lesson: {len(chosen)} step{'s' if len(chosen) != 1 else ''}, "
              f"{'every goal met' if not missed else f'{missed} goal(s) not met'}\n")
    out.flush()
    return 0 if not missed else 1
