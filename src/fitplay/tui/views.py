"""The views `v` cycles through, once each: a name, the chart that draws it, and when it is available.
Adding a view is one chart module plus one entry here."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

from fitplay.charts.fit import FitChart
from fitplay.charts.grid import Grid
from fitplay.charts.landscape import LandscapeChart
from fitplay.charts.loss import LossChart
from fitplay.charts.slope import SlopeChart
from fitplay.core.session import Session


class Chart(Protocol):
    def render(self, session: Session, width: int, height: int, **toggles: bool) -> Grid: ...


class View(NamedTuple):
    name: str
    make: Callable[[bool], Chart]  # (monochrome) -> a chart that keeps its own caches
    available: Callable[[Session], bool] = lambda session: True


VIEWS = (
    View("fit", lambda mono: FitChart()),
    View("loss", lambda mono: LossChart()),
    View("landscape", lambda mono: LandscapeChart(shaded=mono), lambda session: session.model.two_param),
    View("slope", lambda mono: SlopeChart(), lambda session: session.model.one_param),
)


def view_named(name: str) -> View:
    return next(v for v in VIEWS if v.name == name)
