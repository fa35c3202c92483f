"""Textual's terminal driver, except that a terminal which hangs up ends the app instead of spinning, and the
input thread sleeps until there is input instead of waking ten times a second.

An SSH connection that drops without a SIGHUP (or an app started with none to come) leaves the terminal at
its end: every read returns nothing at once, and Textual's input thread reads again and again, a whole core
for as long as the process lives (Textualize/textual#6690, open). Here the first empty read stops the input
thread and sends the process the SIGHUP it missed, which ends it as a hang-up does (status 129).

Textual's input thread also waits at most 0.1 s for input, to check whether the app is closing and whether a
lone escape has waited long enough to be a key: ten wake-ups a second for as long as the app runs, idle or not
(0.15 % of a core, in every session of a workshop host). Here it waits only as long as the parser has an escape
pending, and the app's closing wakes it through a pipe."""

from __future__ import annotations

import os
import selectors
import signal
from codecs import getincrementaldecoder
from threading import Event

from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver


class _WakingEvent(Event):
    """The driver's exit event: setting it also wakes the input thread from its wait for input."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self.wake_fd = wake_fd

    def set(self) -> None:
        super().set()
        try:
            os.write(self.wake_fd, b"\0")
        except OSError:  # the driver has closed (or the pipe is full of wake-ups already)
            pass


class HangUpDriver(LinuxDriver):
    """LinuxDriver whose input thread ends on the terminal's end of input and sleeps until input comes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, wake_write = os.pipe()  # for the driver's life: a wake-up never meets a closed pipe
        for fd in (self._wake_read, wake_write):
            os.set_blocking(fd, False)
        self.exit_event = _WakingEvent(wake_write)

    def close(self) -> None:
        super().close()
        if self.exit_event.wake_fd >= 0:
            for fd in (self._wake_read, self.exit_event.wake_fd):
                os.close(fd)
            self.exit_event.wake_fd = -1  # a later set() writes nowhere, not to a file given the same number

    def run_input_thread(self) -> None:
        """Textual's input loop (8.2), with the end of input checked before it is decoded, and no timeout on the
        wait for input unless an escape is pending."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        wake_read = self._wake_read
        selector.register(wake_read, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        ended = False

        def wait() -> float | None:
            """Seconds until the parser's pending escape is due to be a key (None: wait for input for good)."""
            due = parser._timeout_time
            return None if due is None else max(0.0, due - get_time())

        def process_selector_events(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            nonlocal ended
            for last, (key, mask) in loop_last(events):
                if key.fd == wake_read:
                    _drain(wake_read)
                elif mask & selectors.EVENT_READ:
                    data = os.read(fileno, 1024 * 4)
                    if not data:  # in raw mode a read returns nothing only at the end: the terminal is gone
                        ended = True
                        break
                    for event in parser.feed(decode(data, final=final and last)):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set() and not ended:
                process_selector_events(selector.select(wait()))
            if ended:
                os.kill(os.getpid(), signal.SIGHUP)
                return
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass


def _drain(fd: int) -> None:
    """Read a non-blocking pipe empty."""
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass
