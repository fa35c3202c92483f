"""Textual's terminal driver, except that a terminal which hangs up ends the app instead of spinning.

An SSH connection that drops without a SIGHUP (or an app started with none to come) leaves the terminal at
its end: every read returns nothing at once, and Textual's input thread reads again and again, a whole core
for as long as the process lives (Textualize/textual#6690, open). Here the first empty read stops the input
thread and sends the process the SIGHUP it missed, which ends it as a hang-up does (status 129)."""

from __future__ import annotations

import os
import selectors
import signal
from codecs import getincrementaldecoder

from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver


class HangUpDriver(LinuxDriver):
    """LinuxDriver whose input thread ends on the terminal's end of input."""

    def run_input_thread(self) -> None:
        """Textual's input loop (8.2), with the end of input checked before it is decoded."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        ended = False

        def process_selector_events(events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            nonlocal ended
            for last, (_key, mask) in loop_last(events):
                if mask & selectors.EVENT_READ:
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
                process_selector_events(selector.select(0.1))
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
