"""A training run's status and its bounded record for the charts."""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class Status(StrEnum):
    """Where a session's optimizer is. The last four end a run; `fit --json` reports them."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    CONVERGED = "converged"  # at an optimum, by a test that does not depend on the data's units
    BUDGET = "budget"  # the step budget is used and the loss was still going down
    STALLED = "stalled"  # no progress, and not at an optimum
    DIVERGED = "diverged"  # not finite, or the loss ended above where the run started

    @property
    def active(self) -> bool:
        return self in (Status.RUNNING, Status.PAUSED)

    @property
    def words(self) -> str:
        """The status as a phrase: 'step budget used' for BUDGET, else its name."""
        return "step budget used" if self is Status.BUDGET else self.value


class History:
    """A run's record for the charts: the loss at each step kept, and the hand-parameter path. Past `limit`
    points it keeps every other one, so memory and drawing time stay flat however long the run."""

    def __init__(self, limit: int = 8192):
        self.limit = limit
        self.stride = 1
        self.steps = np.empty(0, dtype=np.int64)
        self.losses = np.empty(0)
        self.path = np.empty((0, 2))

    def add(self, first_step: int, losses: np.ndarray, path: np.ndarray | None) -> None:
        """Losses of steps first_step, first_step + 1, ...; the path's points (when the model has one)."""
        steps = first_step + np.arange(losses.size, dtype=np.int64)
        keep = steps % self.stride == 0
        self.steps = np.concatenate([self.steps, steps[keep]])
        self.losses = np.concatenate([self.losses, losses[keep]])
        if path is not None and path.shape[0] == losses.size:
            self.path = np.concatenate([self.path, path[keep]])
        while self.steps.size > self.limit:
            self.stride *= 2
            every = self.steps % self.stride == 0
            if self.path.shape[0] == every.size:
                self.path = self.path[every]
            self.steps, self.losses = self.steps[every], self.losses[every]
