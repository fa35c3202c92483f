"""Textual's terminal driver, except that input is read in the app's event loop instead of a thread of its own,
and a terminal which hangs up ends the app instead of spinning.

Textual's input thread waits at most 0.1 s for input, to check whether the app is closing and whether a lone
escape has waited long enough to be a key: ten wake-ups a second for as long as the app runs, idle or not
(0.15 % of a core, in every session of a workshop host). And each key woke two threads, the input thread and
then the event loop, handed over through the loop's wake-up pipe. Here the event loop itself waits on the
terminal with everything else, and a lone escape is timed by the loop: no wake-up while idle, one thread woken
a key (4 % less CPU a hand key than with the thread, through a terminal as `fitplay bench` measures it).

An SSH connection that drops without a SIGHUP (or an app started with none to come) leaves the terminal at
its end: every read returns nothing at once, and Textual's input thread reads again and again, a whole core
for as long as the process lives (Textualize/textual#6690, open). Here the first empty read stops reading and
sends the process the SIGHUP it missed, which ends it as a hang-up does (status 129)."""

from __future__ import annotations

import asyncio
import os
import signal
from codecs import getincrementaldecoder
from collections.abc import Callable

from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message


class HangUpDriver(LinuxDriver):
    """LinuxDriver that reads the terminal in the event loop and ends the app on the terminal's end of input."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._input_wanted = False  # between start_application_mode and disable_input
        self._reading = False  # the loop watches the terminal
        self._parser: XTermParser | None = None  # made anew each time reading starts (after a suspend too)
        self._decode: Callable[[bytes], str] | None = None
        self._escape_timer: asyncio.TimerHandle | None = None

    def run_input_thread(self) -> None:
        """Textual runs this in a thread of its own; here the thread hands reading over to the event loop and
        ends."""
        self._input_wanted = True
        self._loop.call_soon_threadsafe(self._start_reading)

    def _start_reading(self) -> None:
        if self._input_wanted and not self._reading:
            self._parser = XTermParser(self._debug)
            self._decode = getincrementaldecoder("utf-8")().decode
            self._loop.add_reader(self.fileno, self._read_input)
            self._reading = True

    def _stop_reading(self) -> None:
        self._cancel_escape_timer()
        if self._reading:
            self._reading = False
            self._loop.remove_reader(self.fileno)

    def _read_input(self) -> None:
        try:
            data = os.read(self.fileno, 1024 * 4)
        except BlockingIOError:
            return
        except OSError:  # a terminal whose other end has closed (EIO): as its end of input
            data = b""
        if not data:  # in raw mode a read returns nothing only at the end: the terminal is gone
            self._stop_reading()
            os.kill(os.getpid(), signal.SIGHUP)
            return
        for event in self._parser.feed(self._decode(data)):
            self.process_message(event)
        self._tick()

    def _tick(self) -> None:
        """Let the parser give up on an escape that has waited long enough (a lone escape key), and time the next
        check while one is pending."""
        self._cancel_escape_timer()
        for event in self._parser.tick():
            self.process_message(event)
        due = self._parser._timeout_time
        if due is not None and self._reading:
            self._escape_timer = self._loop.call_later(max(0.0, due - get_time()), self._tick)

    def _cancel_escape_timer(self) -> None:
        if self._escape_timer is not None:
            self._escape_timer.cancel()
            self._escape_timer = None

    def send_message(self, message: Message) -> None:
        """Post an input event to the app: this runs in the app's own loop, with no thread to hop from."""
        self._app.post_message(message)

    def disable_input(self) -> None:
        super().disable_input()  # joins the input thread, which has ended
        self._input_wanted = False
        self._stop_reading()

    def close(self) -> None:
        self._stop_reading()
        super().close()
