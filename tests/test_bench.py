"""`fitplay bench` runs and reports every figure (a smoke test: budgets are checked by the command)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from fitplay.bench import BUDGETS, table, within


@pytest.mark.slow
def test_bench_json_has_every_figure():
    r = subprocess.run([sys.executable, "-m", "fitplay", "bench", "--json", "--quick"], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    doc = json.loads(r.stdout)
    expected = set(BUDGETS) | {"frame_baseline_ms_median", "animation_frames_measured", "key_ms_p90"}
    assert expected <= set(doc)
    assert all(isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in doc.values())
    assert doc["animation_frames_measured"] >= 10
    assert "6/" not in r.stderr and "5/5" in r.stderr


def test_table_marks_each_budget():
    text = table({"frame_ms_median": 20.0, "gd_steps_per_s": 5e5, "frame_baseline_ms_median": 9.0})
    rows = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert rows["frame_ms_median"].endswith("NO")
    assert rows["gd_steps_per_s"].endswith("yes")
    assert not within("peak_rss_mb", 351.0) and within("peak_rss_mb", 349.0)
