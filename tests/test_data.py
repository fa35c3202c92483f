"""Simulated data and CSV loading, with every bad-input kind of design.md."""

from __future__ import annotations

import io

import numpy as np
import pytest

from fitplay.core.data import DataError, load_csv, simulate, simulate_logistic


def test_simulate_defaults_follow_the_lesson():
    d = simulate()
    assert d.n == 100
    assert d.x[0] == -5.0 and d.x[-1] == 5.0
    np.testing.assert_allclose(np.diff(d.x), 10 / 99)
    assert d.true_params == {"w": 2.0, "b": 20.0}
    noise = d.y - (2 * d.x + 20)
    assert abs(noise.mean()) < 0.3 and 0.7 < noise.std() < 1.3
    np.testing.assert_array_equal(simulate().y, d.y)  # seeded: every run the same
    assert not np.array_equal(simulate(seed=1).y, d.y)


def test_simulate_options():
    d = simulate(n=7, w_true=-1.0, b_true=4.0, noise=0.0, seed=3)
    np.testing.assert_allclose(d.y, -d.x + 4.0)


def test_simulate_logistic_is_zero_one():
    d = simulate_logistic()
    assert set(np.unique(d.y)) == {0.0, 1.0}
    assert d.y[0] == 0.0 and d.y[-1] == 1.0


def test_simulate_rejects_too_few_points():
    with pytest.raises(DataError, match="at least 2"):
        simulate(n=1)


def write(tmp_path, content: bytes | str, name: str = "d.csv") -> str:
    p = tmp_path / name
    p.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(p)


def test_header_detected_and_values_read(tmp_path):
    d = load_csv(write(tmp_path, "a,b\n1,2\n3,4.5\n"))
    np.testing.assert_array_equal(d.x, [1, 3])
    np.testing.assert_array_equal(d.y, [2, 4.5])
    assert d.columns == ("a", "b")


def test_no_header_needed(tmp_path):
    d = load_csv(write(tmp_path, "1,2\n3,4\n\n5,6\n"))
    np.testing.assert_array_equal(d.y, [2, 4, 6])


def test_columns_by_name_and_index(tmp_path):
    path = write(tmp_path, "id,h,w\n1,170,60\n2,180,80\n3,160,50\n")
    d = load_csv(path, "h", "w")
    np.testing.assert_array_equal(d.x, [170, 180, 160])
    d = load_csv(path, "2", "0")
    np.testing.assert_array_equal(d.x, [60, 80, 50])
    np.testing.assert_array_equal(d.y, [1, 2, 3])


def test_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"x,y\n1,2\n2,4\n")))
    d = load_csv("-")
    np.testing.assert_array_equal(d.y, [2, 4])


BAD = [
    ("empty", "", "empty file"),
    ("blank", "\n\n", "empty file"),
    ("header only", "x,y\n", "only a header"),
    ("one row", "x,y\n1,2\n", "line 2: only one data row"),
    ("non-numeric", "x,y\n1,2\n3,abc\n", "line 3: column y: 'abc' is not a number"),
    ("nan", "x,y\n1,2\nnan,3\n", "line 3: column x: 'nan' is not a finite number (a missing value: rows with one"),
    ("NA", "x,y\n1,2\n2,NA\n3,4\n", "line 3: column y: 'NA' is not a number (a missing value: rows with one are not "
                                      "skipped; remove them from the file first)"),
    ("empty cell", "x,y\n1,2\n2,\n3,4\n", "line 3: column y: '' is not a number (a missing value"),
    ("Excel's N/A", "x,y\n1,2\n2,#N/A\n3,4\n", "line 3: column y: '#N/A' is not a number (a missing value"),
    ("UCI's ?", "x,y\n1,2\n?,3\n3,4\n", "line 3: column x: '?' is not a number (a missing value"),
    ("inf", "1,2\n3,inf\n", "line 2: column 1: 'inf' is not a finite number"),
    ("wrong count", "x,y\n1,2\n3,4,5\n", "line 3: 3 fields, expected 2"),
    ("one column", "x\n1\n2\n", "one column"),
    ("long quoted cell", 'x,y\n1,2\n"' + "a" * 200_000 + '",3\n', "line 3: field larger than field limit"),
    ("subnormal", "x,y\n1,1e-320\n2,0\n3,0\n", "line 2: column y: '1e-320' is too small (under 1e-300"),
    ("one-column title", "title\nx,y\n1,2\n3,4\n", "line 1: one column"),
    ("long cell", "x,y\n1,2\n2," + "9" * 200_000 + "\n", "line 3: column y: '99999999999999999999…' is not a finite"),
    ("three columns", "a,b,c\n1,2,3\n4,5,6\n", "3 columns (a, b, c); choose two with --x COL and --y COL"),
]


@pytest.mark.parametrize("kind,content,message", BAD, ids=[b[0] for b in BAD])
def test_bad_csv_names_file_line_and_problem(tmp_path, kind, content, message):
    path = write(tmp_path, content)
    with pytest.raises(DataError) as err:
        load_csv(path)
    text = str(err.value)
    assert text.startswith(path + ": ")
    assert message in text
    assert "\n" not in text and len(text) < 300


def test_binary_junk(tmp_path):
    path = write(tmp_path, b"x,y\n1,2\n\x00\x01\x02\x89PNG")
    with pytest.raises(DataError, match=r"line 3: binary data"):
        load_csv(path)


def test_not_utf8(tmp_path):
    path = write(tmp_path, b"x,y\n1,2\n3,\xe9\n")
    with pytest.raises(DataError, match=r"line 3: not UTF-8"):
        load_csv(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_csv(str(tmp_path / "nope.csv"))
    with pytest.raises(DataError, match="is a directory"):
        load_csv(str(tmp_path))


def test_unknown_column(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
    with pytest.raises(DataError, match=r"--x 'z' is not a column \(columns: a, b, c\)"):
        load_csv(path, "z", "b")
    with pytest.raises(DataError, match="--y 7 is out of range"):
        load_csv(path, "a", "7")
