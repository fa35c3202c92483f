"""Shared test helpers: data files, a session factory and a Pilot-driven app."""

from __future__ import annotations

import html
import os
import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pytest

from fitplay.core.session import Options, Session
from fitplay.tui.app import AppOptions, FitplayApp, make_app

DATA = Path(__file__).parent / "data"

# One on-disk cache of JAX's compiled steps for every test process (xdist workers and the fitplay processes
# the tests start): each step variant compiles once per machine instead of once per process. Speed only.
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(Path(tempfile.gettempdir()) / "fitplay-tests-jax-cache"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")


@pytest.fixture(autouse=True)
def hermetic_environment(monkeypatch, tmp_path_factory) -> None:
    """No user themes, lessons, lesson progress, colour or theme settings from the machine running the tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    for name in ("NO_COLOR", "TEXTUAL_THEME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def data_dir() -> Path:
    return DATA


def new_app(tmp_path: Path | None = None, **session_options) -> FitplayApp:
    """An app on seeded data; no warm-up thread, and a frame timer too slow to fire: tests step frames."""
    options = AppOptions(session=Options(**session_options), fps=1e-6, warm_up=False,
                         save_dir=tmp_path or Path.cwd())
    return make_app(options)


async def settle(app: FitplayApp, pilot, rounds: int = 2000) -> None:
    """Step frames until no optimizer chunk is in flight and the app is not running (bounded)."""
    for _ in range(rounds):
        app.advance_frame()
        await chunk_taken(app, pilot)
        if not app.session.running:
            return
    raise AssertionError(f"optimizer still {app.session.status} after {rounds} rounds")


async def chunk_taken(app: FitplayApp, pilot, timeout: float = 120) -> None:
    """Wait (bounded) until the training chunk in flight, if any, has been taken by the app."""
    deadline = time.monotonic() + timeout
    while app.busy:
        assert time.monotonic() < deadline, "a training chunk is still in flight"
        await pilot.pause(0.002)


async def finish_workers(app: FitplayApp, pilot, rounds: int = 500) -> None:
    """Wait (bounded) until no worker is running and what they reported has been handled (the training thread,
    which lives as long as the app, once it has no chunk in flight)."""
    for _ in range(rounds):
        await pilot.pause()
        if not app.busy and not any(w.is_running for w in app.workers if w is not app._trainer):
            await pilot.pause()
            return
    raise AssertionError("workers still running")


_TEXT = re.compile(r'<text[^>]*\bx="([0-9.]+)"[^>]*clip-path="url\(#[^)]*-line-(\d+)\)"[^>]*>(.*?)</text>')


def screen_lines(app: FitplayApp) -> list[str]:
    """The screen as plain text lines, read back from Textual's own SVG screenshot."""
    rows: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for x, line, text in _TEXT.findall(app.export_screenshot()):
        rows[int(line)].append((float(x), html.unescape(text).replace("\xa0", " ")))
    return ["".join(t for _, t in sorted(rows[i])) for i in range(max(rows) + 1)] if rows else []


def screen_text(app: FitplayApp) -> str:
    return "\n".join(screen_lines(app))


@pytest.fixture
def lesson() -> Session:
    return Session(Options())
