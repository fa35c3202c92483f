"""The signal an app gives `fitplay bench` that its start-up work is done (fitplay: JAX warmed up)."""

from __future__ import annotations

import os
from pathlib import Path

READY_FILE = "FITPLAY_READY_FILE"


def signal_ready() -> None:
    """Write the file named by FITPLAY_READY_FILE, when set."""
    path = os.environ.get(READY_FILE)
    if path:
        Path(path).write_text("ready")
