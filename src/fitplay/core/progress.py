"""Where the learner is in the lesson: the step and the goals met, saved under $XDG_STATE_HOME/fitplay
(default ~/.local/state/fitplay) after every change, atomically, and read back on the next start."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from fitplay.core.files import read_limited, write_replacing
from fitplay.errors import InputError

PROGRESS_FORMAT = 1
MAX_PROGRESS_BYTES = 64 * 1024


class ProgressError(InputError):
    """A progress file that cannot be read; the lesson starts afresh and says so."""


def state_dir() -> Path:
    """$XDG_STATE_HOME/fitplay (default ~/.local/state/fitplay)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "fitplay"


@dataclass
class Progress:
    """The step shown last and, per step number, the goals met (by their spec in the lesson file)."""

    step: int | None = None
    met: dict[int, list[str]] = field(default_factory=dict)

    def is_met(self, step: int, goal: str) -> bool:
        return goal in self.met.get(step, [])

    def mark(self, step: int, goal: str) -> None:
        if not self.is_met(step, goal):
            self.met.setdefault(step, []).append(goal)

    def to_json(self) -> str:
        return json.dumps({"fitplay_lesson": PROGRESS_FORMAT, "step": self.step,
                           "met": {str(k): v for k, v in sorted(self.met.items())}}, indent=1)


def progress_path(folder: Path | None = None) -> Path:
    return (folder or state_dir()) / "lesson.json"


def load_progress(folder: Path | None = None) -> Progress:
    """The saved progress (none saved: a fresh start); raise ProgressError for a file that is not valid."""
    path = progress_path(folder)
    if not os.path.lexists(path):
        return Progress()
    raw = read_limited(str(path), MAX_PROGRESS_BYTES, ProgressError, "lesson progress file", pipes=False)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProgressError(f"{path}: not a lesson progress file (bad JSON)") from None
    if not isinstance(doc, dict) or doc.get("fitplay_lesson") != PROGRESS_FORMAT:
        raise ProgressError(f"{path}: not a lesson progress file")
    step, met = doc.get("step"), doc.get("met", {})
    if not (step is None or (isinstance(step, int) and not isinstance(step, bool))) or not isinstance(met, dict):
        raise ProgressError(f"{path}: step must be a whole number and met a table")
    try:
        goals = {int(k): [g for g in v if isinstance(g, str)] for k, v in met.items() if isinstance(v, list)}
    except ValueError:
        raise ProgressError(f"{path}: met must be keyed by step numbers") from None
    return Progress(step, goals)


def save_progress(progress: Progress, folder: Path | None = None) -> None:
    """Write the progress atomically (raises OSError)."""
    path = progress_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_replacing(path, progress.to_json())
