"""`python -m fitplay`."""

import sys

from fitplay.cli import main

sys.exit(main())
