"""Python's cyclic garbage collector at start-up: held while the modules load and the first frame is drawn.

Loading numpy, Textual and fitplay makes a few hundred thousand objects that live as long as the process. The
collector walks them again and again while they are made (about 130 collections) and frees almost nothing (a few
hundred objects): about 40 ms of a 0.4 s start, measured through a terminal."""

from __future__ import annotations

import gc


def hold_collections() -> None:
    """No collections until `collect_from_now` (the start-up makes long-lived objects, not garbage)."""
    gc.disable()


def collect_from_now() -> None:
    """Collect as usual from now on, when collections were held; what the start-up made is set aside for good
    (gc.freeze), so the collector does not walk it again."""
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()
