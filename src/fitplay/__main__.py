"""`python -m fitplay` and the `fitplay` command. ctrl+c while the modules load (numpy, then the rest: about
half a second) ends quietly with status 130, not a traceback from inside an import."""

import os
import signal
import sys


def run() -> None:
    try:
        from fitplay.cli import main

        code = main()
    except KeyboardInterrupt:
        os._exit(128 + signal.SIGINT)
    sys.exit(code)


if __name__ == "__main__":
    run()
