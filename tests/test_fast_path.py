"""The fast chart keeps plotext's look: same axes and points, the line within one cell of plotext's."""

from __future__ import annotations

import numpy as np
import pytest
from plotext_reference import plotext_axes
from rich.cells import cell_len

from fitplay.charts.axes import build_axes
from fitplay.charts.fit import FitChart, limits, thin
from fitplay.charts.grid import Kind
from fitplay.core.session import Options, Session

STATES = [(-5.0, 3.0), (2.0, 20.0), (0.5, 10.0), (6.0, 18.0), (-1.2, 25.0), (0.0, 21.0)]


def is_braille(ch: str) -> bool:
    return 0x2800 <= ord(ch) <= 0x28FF


def plain_plotext(session: Session, width: int, height: int) -> list[str]:
    """The same chart drawn entirely by plotext: scatter, then the model's line across the x range."""
    xlim, ylim = limits(session)
    xs, ys = thin(session.data.x, session.data.y, xlim, ylim, width, height)
    line_x = np.linspace(*xlim, 400)
    line_y = session.model.predict(session.params, line_x)
    return plotext_axes(width, height, xlim, ylim, (xs, ys), xlabel="x", ylabel="y", lines=[(line_x, line_y)])


@pytest.mark.parametrize("size", [(120, 36), (80, 22), (60, 18)])
@pytest.mark.parametrize("w,b", STATES)
def test_fast_path_matches_plotext(size, w, b):
    s = Session(Options(n=1000))
    s.set_param(0, str(w))
    s.set_param(1, str(b))
    fast = FitChart().render(s, *size, legend=False)
    ref = plain_plotext(s, *size)
    ref_line = {(r, c) for r, row in enumerate(ref) for c, ch in enumerate(row) if is_braille(ch)}
    ours_line = {(r, c) for r in range(fast.height) for c in range(fast.width) if fast.kinds[r][c] == Kind.LINE}
    assert ours_line, "the line is drawn"
    for r, c in ours_line:
        assert any((r + dr, c + dc) in ref_line for dr in (-1, 0, 1) for dc in (-1, 0, 1)), (r, c)
    for r, c in ref_line:
        assert any((r + dr, c + dc) in ours_line for dr in (-1, 0, 1) for dc in (-1, 0, 1)), (r, c)
    fast_text = fast.lines()
    for r in range(size[1]):
        for c in range(size[0]):
            if (r, c) not in ref_line and (r, c) not in ours_line:
                assert fast_text[r][c] == ref[r][c], (r, c, fast_text[r][c], ref[r][c])


def test_csv_header_names_label_the_axes(data_dir):
    s = Session(Options(model="logistic", data=str(data_dir / "challenger.csv")))
    text = "\n".join(FitChart().render(s, 100, 30).lines())
    assert "temperature" in text and "failure" in text


@pytest.mark.parametrize("width", [100, 60, 30])
def test_long_axis_labels_are_cut_so_both_show(width):
    """A long y header drew over the x label: both keep their start, cut with … where they would meet."""
    x_name, y_name = "time_of_measurement_in_seconds", "temperature_of_the_reactor_core_in_kelvin"
    last = build_axes(width, 12, (0.0, 1.0), (0.0, 1.0), xlabel=x_name, ylabel=y_name)[-1]
    y_shown, x_shown = last.split()
    assert y_name.startswith(y_shown.rstrip("…")) and x_name.startswith(x_shown.rstrip("…"))
    assert last.index(x_shown) > len(y_shown)
    short = build_axes(width, 12, (0.0, 1.0), (0.0, 1.0), xlabel="x", ylabel="y")[-1]
    assert short.split() == ["y", "x"]


def test_wide_characters_in_axis_labels_keep_the_row_inside_the_chart():
    """A CSV header of CJK characters ran the label row 66 cells wide on a 56-cell chart, over the panel."""
    rows = build_axes(56, 10, (0.0, 1.0), (0.0, 1.0), xlabel="温度" * 13, ylabel="[/]💥e\u0301")
    assert all(cell_len(row) == 56 for row in rows)
    assert rows[-1].startswith("[/]?e?") and "??" in rows[-1]
