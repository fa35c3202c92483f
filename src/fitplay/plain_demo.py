"""The demo without a terminal UI: plain-text chart frames and a readout line, for logs and pipes."""

from __future__ import annotations

from typing import TextIO

from fitplay.charts.fit import FitChart
from fitplay.core.session import Session, fmt_number

WIDTH, HEIGHT = 78, 20


def readout(s: Session) -> str:
    return f"step {s.step_count:>5}  {s.params_text()}  {s.model.loss_label} {fmt_number(s.loss)}"


def summary(s: Session) -> str:
    return (f"fitted: {s.params_text()} ({s.model.loss_label} {fmt_number(s.loss)}, {s.status.words} after "
            f"{s.step_count} steps)")


def _hand_target(s: Session) -> tuple[float, float] | None:
    if not s.model.two_param:
        return None
    best = s.optimum()
    if best is None and s.data.true_params is not None and set(s.model.hand) <= set(s.data.true_params):
        best = tuple(s.data.true_params[k] for k in s.model.hand)
    return best


def _steps_to_finish(s: Session) -> int:
    """How many steps this session's run takes, found on a silent copy."""
    probe = Session(s.options, s.csv_data)
    probe.optimizer, probe.lr, probe.max_steps = s.optimizer, s.lr, s.max_steps
    probe.run()
    return max(probe.step_count, 1)


def run_plain(session: Session, frames: int, out: TextIO) -> None:
    """Print `frames` frames: the start, hand moves toward the fit, gradient descent; then the summary."""
    chart = FitChart()
    count = 0

    def frame(title: str) -> None:
        nonlocal count
        count += 1
        out.write(f"--- frame {count}: {title}\n")
        out.write("\n".join(line.rstrip() for line in chart.render(session, WIDTH, HEIGHT).lines()) + "\n")
        out.write(readout(session) + "\n\n")
        out.flush()

    frame(f"the start, {session.model.name} model")
    target = _hand_target(session)
    hand = max(1, frames // 5) if target is not None and frames >= 3 else 0
    start = tuple(float(session.params[k]) for k in session.model.hand) if target is not None else None
    for i in range(1, hand + 1):
        frac = i / (hand + 1)
        for k in (0, 1):
            session.set_param(k, repr(start[k] + frac * (target[k] - start[k])))
        frame("a hand move toward the data")
    if hand:
        session.reset()
    gd_frames = max(1, frames - 1 - hand)
    total = _steps_to_finish(session)
    chunks = [total // gd_frames + (i < total % gd_frames) for i in range(gd_frames)]  # even split; the
    # optimizer state is carried from chunk to chunk, so any split runs the same steps
    session.toggle_run()
    for chunk in (c for c in chunks if c):
        if not session.running or session.remaining() == 0:
            break
        session.apply(session.chunk_job(min(chunk, session.remaining()))())
        frame(f"gradient descent ({session.optimizer}, lr {session.lr:g})")
    if session.running:
        session.run()
    out.write(summary(session) + "\n")
    out.flush()
