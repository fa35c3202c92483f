"""The pool that parses a large CSV's pieces: results in order, a worker's error raised where its result is
taken, and a worker that dies costing speed, not the result."""

from __future__ import annotations

import os

import pytest

from fitplay.core.piece_pool import Pool


def _double(value: int) -> int:
    if value < 0:
        raise ValueError(f"negative: {value}")
    return 2 * value


def _dies_in_a_worker(parent: int, value: int) -> int:
    if os.getpid() != parent:
        os._exit(1)
    return 2 * value


@pytest.mark.parametrize("workers", [False, True])
def test_results_come_in_order_and_an_error_where_its_result_is_taken(workers):
    pool = Pool(workers)
    try:
        jobs = [pool.submit(_double, value) for value in (3, 1, -4, 2)]
        assert [job.result() for job in jobs[:2]] == [6, 2]
        with pytest.raises(ValueError, match="negative: -4"):
            jobs[2].result()
        assert jobs[3].result() == 4
    finally:
        pool.close()


def test_a_worker_that_dies_costs_speed_not_the_result():
    pool = Pool(workers=True)
    try:
        jobs = [pool.submit(_dies_in_a_worker, os.getpid(), value) for value in range(5)]
        assert [job.result() for job in jobs] == [0, 2, 4, 6, 8]
        assert pool.submit(_dies_in_a_worker, os.getpid(), 7).result() == 14  # after the pool broke
    finally:
        pool.close()
