"""Scoring holds the BLAS libraries to one thread while it computes, and gives them back
(services/scoring/_threads.py): overlapping users share the limit until the last leaves."""

from __future__ import annotations

import threading

import scipy.optimize  # noqa: F401  (loads scipy's own BLAS, as scoring does)
from threadpoolctl import threadpool_info

from services.scoring._threads import one_blas_thread


def _blas_threads() -> list[int]:
    return [int(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]


def test_one_blas_thread_inside_and_the_original_counts_after() -> None:
    before = _blas_threads()
    assert before, "no BLAS library is loaded: the test checks nothing"
    with one_blas_thread():
        assert _blas_threads() == [1] * len(before)
    assert _blas_threads() == before


def test_the_limit_holds_until_the_last_overlapping_user_leaves() -> None:
    before = _blas_threads()
    entered, leave_first = threading.Event(), threading.Event()
    seen_after_first_left: list[list[int]] = []

    def first() -> None:
        with one_blas_thread():
            entered.set()
            leave_first.wait(5)

    worker = threading.Thread(target=first)
    with one_blas_thread():
        worker.start()
        assert entered.wait(5)
        leave_first.set()
        worker.join(5)
        seen_after_first_left.append(_blas_threads())
    assert seen_after_first_left == [[1] * len(before)]
    assert _blas_threads() == before
