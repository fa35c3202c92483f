"""Theme files: parsing, validation, user themes, the wheel, live switching and monochrome."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import new_app, screen_text
from textual.color import Color

from fitplay.charts.grid import Kind
from fitplay.tui.app import AppOptions, make_app
from fitplay.tui.chart_view import ChartView
from fitplay.tui.palette import heat_colours
from fitplay.tui.themes import ThemeError, bundled_theme_files, load_themes, parse_theme

ROOT = Path(__file__).resolve().parent.parent
GOOD = """primary = "#112233"
secondary = "#445566"
dark = true

[variables]
chart-line = "#FF0000"
"""


def test_every_bundled_theme_parses_and_is_named_by_its_file():
    files = bundled_theme_files()
    assert {p.stem for p in files} >= {"dark", "light", "projector", "ansi16"}
    for path in files:
        theme = parse_theme(path)
        assert theme.name == path.stem
        assert "chart-line" in theme.variables and len(theme.variables["chart-map"].split()) >= 5


@pytest.mark.parametrize("text,message", [
    ('primary = "#112233"\nsparkle = "#000000"\n', "unknown key 'sparkle'"),
    ('primary = "not-a-colour"\n', "primary = 'not-a-colour' is not a colour"),
    ('primary = "#112233"\n[variables]\nchart-wobble = "#000000"\n', "unknown variable 'chart-wobble'"),
    ('primary = "#112233"\n[variables]\nchart-map = "#000000 nope"\n', "chart-map = 'nope' is not a colour"),
    ('primary = "#112233"\nname = "other"\n', "differs from the file name"),
    ('secondary = "#112233"\n', "primary colour missing"),
    ('primary = "#112233"\ndark = "yes"\n', "dark must be true or false"),
    ("primary = [\n", "not valid TOML"),
])
def test_broken_theme_files_are_named_and_refused(tmp_path, text, message):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(ThemeError) as err:
        parse_theme(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_user_themes_load_and_broken_ones_are_skipped(tmp_path):
    (tmp_path / "mine.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text('primary = "#zzzzzz"\n')
    entries, errors = load_themes(tmp_path)
    names = {e.theme.name: e.source for e in entries}
    assert names["mine"] == str(tmp_path / "mine.toml") and names["dark"] == "bundled"
    assert "broken" not in names
    assert len(errors) == 1 and "broken.toml" in errors[0]


async def test_app_starts_with_a_broken_user_theme_and_says_so(tmp_path):
    (tmp_path / "broken.toml").write_text("primary = \n")
    (tmp_path / "mine.toml").write_text(GOOD)
    app = make_app(AppOptions(fps=1e-6, warm_up=False, user_theme_dir=tmp_path, theme="mine"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "mine"
        assert any("broken.toml" in n.message for n in app._notifications)


@pytest.mark.parametrize("path", bundled_theme_files(), ids=lambda p: p.stem)
async def test_the_app_starts_and_draws_in_every_bundled_theme(path):
    app = make_app(AppOptions(fps=1e-6, warm_up=False, theme=path.stem))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("v", "v")
        await pilot.pause()
        assert app.theme == path.stem
        assert "MSE" in screen_text(app) and "log loss" in screen_text(app)


def test_ansi_themes_get_textuals_ansi_variables(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text('ansi = true\nprimary = "ansi_blue"\n[variables]\nansi-background = "ansi_blue"\n')
    theme = parse_theme(path)
    assert theme.variables["ansi-background"] == "ansi_blue"
    assert "input-cursor-background" in theme.variables


def test_unknown_theme_is_a_usage_error():
    r = subprocess.run([sys.executable, "-m", "fitplay", "--theme", "nope"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "unknown theme 'nope'" in r.stderr and "projector" in r.stderr


def test_themes_command_lists_every_bundled_theme():
    r = subprocess.run([sys.executable, "-m", "fitplay", "themes"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    for path in bundled_theme_files():
        assert re.search(rf"^{path.stem}\s+bundled", r.stdout, flags=re.M)


@pytest.mark.slow
def test_the_wheel_contains_the_theme_files(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("fitplay-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for theme in ("dark", "light", "projector", "ansi16"):
        assert f"fitplay/themes/{theme}.toml" in names
    lessons = sorted(p.name for p in (ROOT / "lessons").glob("*.md"))
    assert len(lessons) == 9 and all(f"fitplay/lessons/{name}" in names for name in lessons)
    assert "fitplay/tui/app.tcss" in names
    sources = {str(p.relative_to(ROOT / "src")) for p in (ROOT / "src" / "fitplay").rglob("*.py")}
    assert sources <= set(names), sorted(sources - set(names))  # every module ships, model files included


async def test_the_command_palette_switches_theme_and_the_chart_recolours():
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        chart = app.query_one("#chart")
        before = chart.painter.styles[Kind.LINE].color
        await pilot.press("ctrl+p", *"theme")
        await pilot.pause()
        await pilot.press("enter", *"light")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "light"
        after = chart.painter.styles[Kind.LINE].color
        assert before != after
        assert any(seg.style and seg.style.color == after for strip in chart._strips for seg in strip)


@pytest.mark.parametrize("theme", ["dark", "light"])
async def test_charts_paint_the_themes_background_on_every_cell(theme):
    app = make_app(AppOptions(fps=1e-6, warm_up=False, theme=theme))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        background = Color.parse(app.get_css_variables()["background"]).rich_color
        for view in (v for v in app.query(ChartView) if v.display):
            segments = [seg for strip in view._strips for seg in strip if seg.text.strip()]
            assert segments and all(seg.style.bgcolor == background for seg in segments
                                    if seg.style.bgcolor not in heat_colours(app.get_css_variables())), view.id


def test_monochrome_snapshot(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = new_app()
    assert snap_compare(app, press=["t", "e", *["shift+right"] * 6, *["shift+up"] * 15], terminal_size=(100, 30))


def test_monochrome_sends_no_hue(monkeypatch):
    import asyncio

    monkeypatch.setenv("NO_COLOR", "1")

    async def shot() -> str:
        app = new_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("t", "e", "v", "v")
            return app.export_screenshot()

    svg = asyncio.run(shot())
    chrome = {"#ff5f57", "#febc2e", "#28c840", "#c5c8c6"}  # the SVG's window buttons and default text colour
    colours = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", svg)} - chrome
    assert colours
    for c in colours:
        r, g, b = (int(c[i:i + 2], 16) for i in (1, 3, 5))
        assert max(r, g, b) - min(r, g, b) <= 2, c


async def test_textual_theme_variable_picks_the_theme(monkeypatch):
    monkeypatch.setenv("TEXTUAL_THEME", "projector")
    app = make_app(AppOptions(fps=1e-6, warm_up=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "projector"


async def test_monochrome_landscape_uses_shades(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("v", "v")
        text = screen_text(app)
        assert "▀" not in text
        assert "@" in text and "." in text  # the highest and a low shade level are both on the grid
