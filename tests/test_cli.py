"""The command line contract: fit --json, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fitplay.cli import main

KEYS = {"model", "optimizer", "lr", "steps", "params", "loss", "initial_loss", "status", "converged", "diverged",
        "seconds", "steps_per_second"}


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fitplay", *args], capture_output=True, text=True, input=stdin,
                          timeout=120)


def test_fit_json_on_the_lesson_data():
    ended = run_cli("fit", "--json")  # a new process: its seconds hold JAX's import and compile
    assert ended.returncode == 0
    out = ended.stdout
    doc = json.loads(out)
    assert set(doc) == KEYS
    assert out.count("\n") == 1
    assert doc["params"]["w"] == pytest.approx(2.0, abs=0.05)
    assert doc["params"]["b"] == pytest.approx(20.0, abs=0.2)
    assert doc["loss"] == pytest.approx(1.0, abs=0.15)
    assert doc["converged"] is True and doc["diverged"] is False
    assert doc["initial_loss"] > doc["loss"]
    # the rate counts the training alone: far above steps / seconds, whose seconds hold the JAX compile
    assert doc["steps_per_second"] > 10 * doc["steps"] / doc["seconds"]


def test_fit_diverges_with_exit_3_and_finite_params():
    r = run_cli("fit", "--lr", "100", "--json")
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    assert doc["diverged"] is True
    assert all(abs(v) < float("inf") for v in doc["params"].values())
    assert len(r.stderr.strip().splitlines()) == 1 and "learning rate" in r.stderr


def test_fit_readable_summary(capsys):
    assert main(["fit", "--steps", "50"]) == 0
    out = capsys.readouterr().out
    assert "w = " in out and "b = " in out and "50 steps" in out


def test_bad_csv_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,oops\n")
    r = run_cli(str(bad))
    assert r.returncode == 2
    assert r.stderr.strip() == f"fitplay: {bad}: line 3: column y: 'oops' is not a number"
    assert r.stdout == ""


@pytest.mark.slow  # a whole run end to end
def test_fit_reads_stdin():
    r = run_cli("fit", "-", "--json", stdin="x,y\n0,1\n1,3\n2,5\n3,7\n")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["params"]["w"] == pytest.approx(2.0, rel=1e-3)
    assert doc["params"]["b"] == pytest.approx(1.0, rel=1e-2)


@pytest.mark.parametrize("args", [["fit", "--lr", "0"], ["fit", "--lr", "nan"], ["fit", "--n", "1"],
                                  ["fit", "--init", "1"], ["fit", "--fps", "-3"]])
def test_bad_options_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2


def test_an_unknown_model_exits_2_naming_the_choices(capsys):
    assert main(["fit", "--model", "cubic"]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'cubic'" in err and "linear, logistic, mlp" in err and ".py file" in err


def test_fit_columns_from_a_wider_file(tmp_path, capsys):
    wide = tmp_path / "wide.csv"
    wide.write_text("id,x,y\n1,0,1\n2,1,3\n3,2,5\n")
    assert main(["fit", str(wide), "--x", "x", "--y", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"]["w"] == pytest.approx(2.0, rel=1e-3)
    assert main(["fit", str(wide)]) == 2
    assert "--x COL and --y COL" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == "fitplay 0.1.0"


def test_the_playground_without_a_terminal_says_what_to_use():
    r = run_cli(stdin="")
    assert r.returncode == 2
    assert "needs a terminal" in r.stderr and "fitplay demo" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


_THREADS_AFTER_START = """
import atexit, os, sys
atexit.register(lambda: print("numpy" in sys.modules, len(os.listdir("/proc/self/task")), file=sys.stderr))
sys.argv = ["fitplay", "--version"]
from fitplay.__main__ import run
run()
"""


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not Path("/proc/self/task").is_dir(),
                    reason="OpenBLAS starts helper threads only with two cores or more, and /proc lists them")
@pytest.mark.parametrize("env, threads", [({}, 1), ({"OPENBLAS_NUM_THREADS": "2"}, 2)])
def test_numpy_loads_without_blas_helper_threads(env, threads):
    """OpenBLAS's helper threads busy-wait about 0.13 s of CPU after numpy's import, beside the first frame:
    fitplay starts none, unless the user asks for them."""
    environ = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    r = subprocess.run([sys.executable, "-c", _THREADS_AFTER_START], env={**environ, **env}, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and r.stderr.split() == ["True", str(threads)], r.stderr
