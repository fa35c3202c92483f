"""Architecture rules that a refactor could silently break."""

from __future__ import annotations

import json
import subprocess
import sys


def imported_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_imports_no_ui_libraries():
    mods = imported_after(
        "import fitplay.core.data, fitplay.core.models, fitplay.core.losses, fitplay.core.optim, "
        "fitplay.core.session, fitplay.core.files, fitplay.core.landscape\n"
        "from fitplay.core.session import Session, Options\n"
        "s = Session(Options()); s.apply(s.chunk_job(1)()); s.next_model(); s.apply(s.chunk_job(1)())"
    )
    for banned in ("textual", "plotext", "rich"):
        assert not any(m == banned or m.startswith(banned + ".") for m in mods), banned


def test_app_module_does_not_import_jax():
    mods = imported_after("import fitplay.cli, fitplay.tui.app")
    assert "jax" not in mods and "optax" not in mods
