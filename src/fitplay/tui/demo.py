"""The self-playing tour in the real app: captions, hand moves and optimize runs, paced for reading."""

from __future__ import annotations

import asyncio
import math
import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import Static

from fitplay.core.files import write_new
from fitplay.core.session import Session
from fitplay.errors import printable
from fitplay.tour import Beat, tour
from fitplay.tui.app import AppOptions, FitplayApp, make_app


@dataclass
class DemoOptions:
    speed: float = 1.0
    loop: bool = False
    record: Path | None = None


class DemoApp(FitplayApp, inherit_bindings=False):
    """Plays the tour by itself; q quits at once, any other key pauses or resumes."""

    BINDINGS = [Binding("q,ctrl+q", "quit", "quit", key_display="q"),
                Binding("ctrl+c", "quit", "quit", show=False, priority=True),
                Binding("space", "toggle_demo", "pause / resume (any key)")]

    def __init__(self, session, options, demo: DemoOptions):
        super().__init__(session, options)
        self.notify_runs = False  # the captions tell the story
        self.demo = demo
        self.demo_paused = False
        self.typing = False  # the tour plays the values: nothing is typed into the boxes
        self.beats_done = 0
        self.statuses: list[str] = []
        self._shots = 0
        self.recording_failed = ""
        self._caption_text = ""

    def on_mount(self) -> None:
        self.query_one("#caption").display = True
        self.run_worker(self._play(), group="tour", exclusive=True)

    async def on_key(self, event: events.Key) -> None:
        if event.key not in ("q", "ctrl+q", "ctrl+c", "space"):
            event.stop()
            self.action_toggle_demo()

    def action_toggle_demo(self) -> None:
        self.demo_paused = not self.demo_paused
        self.session.toggle_pause()
        self.caption(self._caption_text)
        self.refresh_all()  # the status line says paused (or running again), and the frame timer stops or goes on

    async def _hold(self, seconds: float) -> None:
        """Wait seconds / speed of unpaused time."""
        left = seconds / self.demo.speed
        while left > 0 or self.demo_paused:
            await asyncio.sleep(0.05)
            if not self.demo_paused:
                left -= 0.05

    async def _play(self) -> None:
        while True:
            for beat in tour(self.session):
                await self._beat(beat)
            if not self.demo.loop:
                break
            self.session.reset()
        self.caption("The tour is over: q quits.")

    async def _beat(self, beat: Beat) -> None:
        for _ in range(beat.repeat):
            if beat.action is not None:
                beat.action(self.session)
                self.session.message = ""
            if beat.optimize:
                self.session.scale_speed(2.0 ** round(math.log2(self.demo.speed)))
                self.session.toggle_run()
            self.caption(beat.caption(self.session))
            self.refresh_all()
            while beat.optimize and (self.session.status.active or self.busy):
                await asyncio.sleep(0.02)
                self.caption(beat.caption(self.session))
            await self._hold(beat.seconds)
        self.beats_done += 1
        self.statuses.append(self.session.status)
        self._record(beat)

    def caption(self, text: str) -> None:
        self._caption_text = text
        suffix = "   [paused: any key resumes]" if self.demo_paused else ""
        self.query_one("#caption", Static).update(Text(text + suffix))

    def _record(self, beat: Beat) -> None:
        if self.demo.record is None:
            return
        self._shots += 1
        path = self.demo.record / f"tour-{self._shots:02d}.svg"
        try:
            self.demo.record.mkdir(parents=True, exist_ok=True)
            if not os.path.lexists(path):
                write_new(path, self.export_screenshot(title=f"fitplay demo: {self._caption_text}"))
        except OSError as exc:  # the tour goes on; the recording stops, saying why (and the exit status says so)
            self.recording_failed = f"the recording stopped at {path}: {exc.strerror or exc}"
            self.say(self.recording_failed, "error")
            self.demo.record = None

    def exit(self, result=None, return_code: int = 0, message=None) -> None:
        """A tour whose recording failed ends with status 1 and says why, however it is quit."""
        if self.recording_failed and return_code == 0:
            return_code, message = 1, Text(f"fitplay: {printable(self.recording_failed)}")
        super().exit(result, return_code, message)


def make_demo_app(options: AppOptions, session: Session | None = None, demo: DemoOptions | None = None) -> DemoApp:
    """The demo app, built by the same factory as the playground."""
    return make_app(options, session, app_class=DemoApp, demo=demo or DemoOptions())
