"""`python -m fitplay` and the `fitplay` command. ctrl+c while the modules load (numpy, then the rest: about
half a second) ends quietly with status 130, not a traceback from inside an import."""

import os
import signal
import sys

from fitplay.collector import hold_collections


def _interrupted(_signum: int, _frame: object) -> None:
    """Leave at once: a KeyboardInterrupt raised inside an import can come out as another error (numpy's
    compiled module turns it into an ImportError)."""
    os._exit(128 + signal.SIGINT)


def run() -> None:
    signal.signal(signal.SIGINT, _interrupted)
    hold_collections()  # the playground collects from its first frame on, any other command from its start
    # fitplay's numpy work is on small arrays or memory-bound; OpenBLAS's helper threads would busy-wait about
    # 0.13 s of CPU after numpy's import, beside the first frame (and on a shared host, for every session)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from fitplay.cli import main

    sys.exit(main())


if __name__ == "__main__":
    run()
