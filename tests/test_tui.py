"""Pilot tests of the playground: keys, typed values, help, size message, optimize controls."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import new_app, screen_lines, screen_text, settle
from hypothesis import given
from hypothesis import strategies as st
from textual.geometry import Region
from textual.widgets import Input

from fitplay.tui.app import FitplayApp
from fitplay.tui.help import HelpScreen
from fitplay.tui.panel import ParamInput, Readout


def readout_text(app) -> str:
    return str(app.query_one(Readout).render())


async def test_arrows_move_b_and_w_and_the_readout_follows():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5):
            await pilot.press("up")
        await pilot.press("right")
        s = app.session
        assert float(s.params["b"]) == 3.5 and float(s.params["w"]) == pytest.approx(-4.9)
        expected = np.mean((-4.9 * s.data.x + 3.5 - s.data.y) ** 2)
        assert f"MSE {expected:.4f}" in readout_text(app)
        assert "better" in readout_text(app)
        assert "b 3.5000" in readout_text(app)


async def test_hjkl_and_shift_move_ten_steps():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("k", "l", "shift+up", "H")
        s = app.session
        assert float(s.params["b"]) == pytest.approx(3.0 + 0.1 + 1.0)
        assert float(s.params["w"]) == pytest.approx(-5.0 + 0.1 - 1.0)
        await pilot.press("right_square_bracket", "j")
        assert float(s.params["b"]) == pytest.approx(4.1 - 1.0)
        assert "step 1" in str(app.query_one("#step-line").render())


async def test_typing_an_exact_value_applies_it():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab")
        assert app.focused is app.query_one("#param-0")
        await pilot.press(*"2.5", "enter")
        assert float(app.session.params["w"]) == 2.5
        assert app.focused is None


async def test_enter_on_the_shown_value_keeps_the_exact_one():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.set_param(0, "2.014612345678")
        app.refresh_all()
        await pilot.press("tab")
        assert app.query_one("#param-0", Input).value == "2.0146"
        await pilot.press("enter")  # nothing typed: the exact value stays (it was rounded to 2.0146)
        assert float(app.session.params["w"]) == 2.014612345678


async def test_a_bad_typed_value_is_refused_and_changes_nothing():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        before = dict(app.session.params), app.session.loss
        await pilot.press("tab", "tab")
        assert app.focused is app.query_one("#param-1")
        await pilot.press(*"nan", "enter")
        assert app.session.params == before[0] and app.session.loss == before[1]
        assert any("not a finite number" in n.message for n in app._notifications)
        assert app.query_one("#param-1", Input).value == "3.0000"


async def test_escape_cancels_an_edit():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab", *"7", "escape")
        assert float(app.session.params["w"]) == -5.0
        assert app.query_one("#param-0", Input).value == "-5.0000"
        assert app.focused is None


async def test_reset_restores_the_start():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("up", "up", "left", "r")
        assert float(app.session.params["b"]) == 3.0 and float(app.session.params["w"]) == -5.0


async def test_help_lists_every_key_and_closes():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for key in ("optimize", "pause", "one optimizer step", "learning rate x 2", "steps per frame",
                    "next model", "next optimizer", "next view", "true line", "residuals", "save", "quit",
                    "[", "]", "shift+↑↓→←, K J L H", "10 x step", "tab", "feature scaling"):
            assert key in text, key
        await pilot.press("end")  # the list scrolls: the rules and the key ids are at its end
        text = screen_text(app)
        for words in ("converged: the gradient, in standardised units", "tilt_up", "next_optimizer"):
            assert words in text, words
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_too_small_shows_a_message_and_recovers():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert app.query_one("#too-small").display
        assert not app.query_one("#main").display
        assert "make the window at least 60 x 20" in str(app.query_one("#too-small").render())
        await pilot.press("tab")  # no input box opens, unseen, to swallow the keys (q would not quit)
        assert not app.editing and app.focused is None
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.query_one("#main").display and not app.query_one("#too-small").display
        assert "MSE" in readout_text(app)


async def test_80x24_shows_the_mse_and_chart():
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "MSE" in screen_text(app)
        assert app.query_one("#chart").size.width >= 40


async def test_optimize_runs_to_convergence_and_shows_it():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        assert app.session.running
        await settle(app, pilot)
        assert app.session.status == "converged"
        assert app.session.loss < 1.5
        assert "converged" in str(app.query_one("#status").render())


async def test_pause_step_and_reset_while_optimizing():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o", "space")
        assert app.session.status == "paused"
        await settle(app, pilot)
        steps = app.session.step_count
        await pilot.press("full_stop")
        await settle(app, pilot)
        assert app.session.step_count == steps + 1
        await pilot.press("plus")
        assert app.session.lr == pytest.approx(0.1)
        await pilot.press("minus", "minus")
        assert app.session.lr == pytest.approx(0.025)
        await pilot.press("p")
        assert app.session.optimizer == "momentum"
        await pilot.press("greater_than_sign")
        assert app.session.steps_per_frame == 8
        await pilot.press("up")
        assert float(app.session.params["b"]) != 3.0
        await pilot.press("r")
        assert app.session.step_count == 0 and float(app.session.params["b"]) == 3.0


async def test_divergence_is_reported_and_never_shows_nan():
    app = new_app(lr=100.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await settle(app, pilot)
        assert app.session.status == "diverged"
        assert "nan" not in readout_text(app).lower() and "inf" not in readout_text(app).lower()
        assert any("learning rate" in n.message for n in app._notifications)


async def test_single_steps_carry_the_optimizer_state():
    """Pressing . n times with Adam equals n steps in one go (the moments are not reset)."""
    app = new_app(model="mlp")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(6):
            await pilot.press("full_stop")
            await settle(app, pilot)
        stepped = {k: v.copy() for k, v in app.session.params.items()}
    reference = new_app(model="mlp").session
    reference.apply(reference.chunk_job(6)())
    for k in stepped:
        np.testing.assert_allclose(stepped[k], reference.params[k], rtol=1e-10)


async def test_the_footer_has_its_keys_when_mounted_and_follows_a_new_keymap(monkeypatch):
    from fitplay.tui.footer import KeyFooter

    recomposed = []
    original = KeyFooter.recompose

    async def counting(self):
        recomposed.append(self)
        await original(self)

    monkeypatch.setattr(KeyFooter, "recompose", counting)
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        footer = app.query_one(KeyFooter)
        await pilot.pause()
        shown = {key.description: key.key for key in footer.query("FooterKey")}
        assert shown["optimize"] == "o" and shown["help"] == "question_mark"
        assert recomposed == []  # the start-up bindings signals changed nothing it shows
        app.set_keymap({"optimize": "g"})
        await pilot.pause()
        await pilot.pause()
        assert recomposed and {key.description: key.key for key in footer.query("FooterKey")}["optimize"] == "g"


async def test_no_footer_key_is_restyled_alone_at_start(monkeypatch):
    """Stock footer keys get their compact class once mounted, and each restyles itself alone (8 restyles,
    about 25 ms of the first frame): fitplay's are made with it."""
    from textual.app import App

    restyled = []
    original = App.update_styles

    def recording(self, node, animate=True):
        restyled.append(type(node).__name__)
        original(self, node, animate)

    monkeypatch.setattr(App, "update_styles", recording)
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        keys = list(app.query("FooterKey"))
        assert len(keys) >= 6 and all(key.has_class("-compact") for key in keys)
    assert "FooterKey" not in restyled, restyled


@pytest.mark.parametrize("width", [44, 50, 58, 80])
async def test_the_footer_ends_with_the_palette_key_and_nothing_after_it(width):
    """At 44 to 58 columns a letter of the keys scrolled under the palette key showed in the last cell."""
    app = new_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        footer = screen_lines(app)[-1]
    assert footer.rstrip().endswith("▏^p palette") and footer.startswith("q quit"), footer


async def test_the_readout_resends_only_the_rows_that_changed_and_follows_the_theme():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        readout = app.query_one(Readout)
        before = list(readout._strips)
        calls = []
        refresh = readout.refresh
        readout.refresh = lambda *regions, **kw: calls.append((regions, kw)) or refresh(*regions, **kw)
        await pilot.press("up")
        changed = [y for y, (old, new) in enumerate(zip(before, readout._strips)) if old != new]
        assert len(readout._strips) == len(before) and 0 in changed  # the loss, at least
        assert len(changed) < len(before)  # the goal, at least, stays
        regions = [region for found, _kw in calls for region in found]
        assert regions == [Region(0, y, readout.content_size.width, 1) for y in changed]
        assert not any(kw.get("layout") for _found, kw in calls)
        assert "MSE" in readout_text(app)
        dark = next(iter(readout._strips[0])).style.bgcolor
        app.theme = "textual-light"
        await pilot.pause()
        background = app.screen.query_one(Readout).rich_style.bgcolor
        assert background != dark and all(seg.style.bgcolor == background for seg in readout._strips[0])


async def test_a_hand_key_makes_the_status_and_heading_again_only_when_what_they_show_changed():
    """A hand key moves the loss, not the optimizer's state, the model or the step size: their texts are not
    made again (0.1 ms a key). A change of the learning rate or of the step size is shown."""
    from fitplay.tui.panel import StatusLine

    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.query_one(StatusLine)
        made = []
        status.set_lines = lambda lines, made_now=status.set_lines: (made.append(lines), made_now(lines))[1]
        updates = []
        update = app._update
        app._update = lambda selector, content: (updates.append(selector), update(selector, content))[1]
        await pilot.press("up", "right")
        assert made == [] and updates == []
        await pilot.press("plus")
        assert len(made) == 1 and "lr 0.1" in str(status.render())
        await pilot.press("right_square_bracket")
        assert updates == ["#model-line", "#step-line"] and "step 1 " in str(app.query_one("#step-line").render())


@given(st.lists(st.tuples(st.text(alphabet="ab ∂Δ●→≈.-1", max_size=12), st.sampled_from(["", "bold", "dim", "green"])),
                max_size=5), st.integers(1, 40), st.sampled_from(["", "bold", "dim", "red"]))
def test_a_text_row_renders_as_rich_wraps_it(parts, width, line_style):
    """Every cell as rich's wrapping draws it, spans over the line's own style (which rich's Text.render leaves
    out when the line has no spans)."""
    from rich.console import Console
    from rich.style import Style
    from rich.text import Text

    from fitplay.tui.text_rows import _render

    console = Console(width=120, force_terminal=True, color_system="truecolor")
    line = Text.assemble(*parts, style=line_style)
    base = Style(color="white", bgcolor="black")
    expected = console.render_lines(line, console.options.update_width(width), style=base, pad=True)
    got = _render(line, width, base, console, console.options.update_width(width))
    assert [[(c, s.style) for s in row for c in s.text] for row in got] == \
        [[(c, s.style) for s in row for c in s.text] for row in expected]


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_tab_opens_the_input_boxes_in_place_of_the_readout_rows_and_closing_restores_them():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert not any(row.display for row in app.query(".param-row")) and "w -5.0000" in readout_text(app)
        height = app.query_one(Readout).size.height  # the rows, made or not, take no room
        await pilot.press("tab")
        await pilot.pause()
        rows = list(app.query(".param-row"))
        assert app.editing and len(rows) == 2 and all(row.display for row in rows)
        assert "w -5.0000" not in readout_text(app)
        assert app.query_one(Readout).size.height + sum(row.size.height for row in rows) == height  # nothing moves
        assert footer_line(app).startswith("^q quit")  # q types a q into the box: ctrl+q is the key that quits
        await pilot.press("escape")
        await pilot.pause()
        assert not app.editing and not any(row.display for row in rows) and "w -5.0000" in readout_text(app)
        assert footer_line(app).startswith("q quit↑ raise")  # (screen_text joins the keys)
        await pilot.press("question_mark", "tab")
        assert not app.editing  # tab on the help screen is the help screen's


async def test_the_input_boxes_are_made_after_the_first_frame(monkeypatch):
    """Their six widgets and the inputs' styles cost the first frame about 30 ms: they are mounted after it."""
    made = []

    async def recording(self):
        made.append(len(self.query(ParamInput)))

    monkeypatch.setattr(FitplayApp, "_make_boxes", recording)
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert made == [0] and not app.query(ParamInput)


async def test_apps_closed_at_once_end_without_an_error():
    """The boxes are made just after the first frame: an app closed meanwhile (q at once, or a test's end) must
    not fail on the rows it was mounting (it did once in a loaded CI run)."""
    for model in ("linear", "mlp", "linear", "mlp"):
        app = new_app(model=model)
        async with app.run_test(size=(80, 24)):
            pass
        assert app.return_code in (0, None)


async def test_the_gradient_values_split_at_the_panels_own_width():
    from fitplay.tui.panel import PANEL_TEXT_WIDTH, gradient_text

    app = new_app()
    async with app.run_test(size=(120, 40)):
        assert app.query_one(Readout).content_size.width == PANEL_TEXT_WIDTH
    grad = {"w": -1.972e-05, "b": -5.686}  # "∂L/∂w -1.972e-05  ∂L/∂b -5.686" is 30 cells
    assert [line.plain for line in gradient_text(grad, PANEL_TEXT_WIDTH)] == ["∂L/∂w -1.972e-05", "∂L/∂b -5.686"]
    assert [line.plain for line in gradient_text(grad, 30)] == ["∂L/∂w -1.972e-05  ∂L/∂b -5.686"]


async def test_enter_on_an_untouched_box_changes_nothing_even_after_a_run_moved_on():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("shift+tab")
        assert app.focused is app.query_one("#param-1")
        app.session.set_param(1, "20.0811")  # what a run does while the box is open
        app.refresh_all()
        await pilot.press("enter")
        assert float(app.session.params["b"]) == 20.0811


async def test_a_value_typed_but_not_applied_is_dropped_and_a_click_elsewhere_closes_the_boxes():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab", "9", "tab")
        assert app.query_one("#param-0", Input).value == "-5.0000"
        await pilot.press("8", "enter")
        assert float(app.session.params["w"]) == -5.0 and float(app.session.params["b"]) == 8.0
        await pilot.press("tab")
        await pilot.click("#chart")
        await pilot.pause()
        assert app.focused is None and not app.editing
