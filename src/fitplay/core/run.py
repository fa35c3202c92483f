"""A training run's status, and the words the verdicts are reported in."""

from __future__ import annotations

from enum import StrEnum


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

    @property
    def finished(self) -> bool:
        return self in (Status.CONVERGED, Status.BUDGET, Status.STALLED, Status.DIVERGED)
