"""`python -m fitplay` and the `fitplay` command. ctrl+c while the modules load (numpy, then the rest: about
half a second) ends quietly with status 130, not a traceback from inside an import."""

import os
import signal
import sys


def _interrupted(_signum: int, _frame: object) -> None:
    """Leave at once: a KeyboardInterrupt raised inside an import can come out as another error (numpy's
    compiled module turns it into an ImportError)."""
    os._exit(128 + signal.SIGINT)


def run() -> None:
    signal.signal(signal.SIGINT, _interrupted)
    from fitplay.cli import main

    sys.exit(main())


if __name__ == "__main__":
    run()
