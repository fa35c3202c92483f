"""Python's cyclic garbage collector at start-up: held while the modules load and the first frame is drawn.

Loading numpy, Textual and fitplay makes a few hundred thousand objects that live as long as the process. The
collector walks them again and again while they are made (about 130 collections) and frees almost nothing (a few
hundred objects): about 40 ms of a 0.4 s start, measured through a terminal.

From then on the youngest generation is collected after 7,000 new objects rather than Python's 700: a hand key
makes and drops a few hundred (rows, strips and their caches), so at 700 one key in four paid a collection of
about 0.35 ms. Timed with gc.callbacks over 600 keys through a terminal: 175 collections, 59 ms at 700; 17,
35 ms at 7,000."""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 7000  # new objects between collections of the youngest generation


def hold_collections() -> None:
    """No collections until `collect_from_now` (the start-up makes long-lived objects, not garbage)."""
    gc.disable()


def collect_from_now() -> None:
    """Collect as usual from now on, when collections were held; what the start-up made is set aside for good
    (gc.freeze), so the collector does not walk it again."""
    if gc.isenabled():
        return
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    gc.enable()
