"""The dataset's memo: what pages aggregate over the whole graph is computed once per
dataset version, even when many requests ask for it at the same moment."""

from __future__ import annotations

import threading
import time

import pytest

from cop_graph.errors import Preparing
from cop_graph.store.memo import BUILDERS, Memo


def test_requests_arriving_together_wait_for_one_computation():
    memo, calls, results = Memo(), [], []

    def build() -> object:
        calls.append(threading.get_ident())
        time.sleep(0.3)  # a slow aggregate: the others arrive while it is computed
        return object()

    threads = [threading.Thread(target=lambda: results.append(memo.get("page", ("home",), build)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == 8 and len({id(r) for r in results}) == 1


def test_a_failed_computation_is_not_kept_and_the_next_request_tries_again():
    memo, attempts = Memo(), []

    def build() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the store went away")
        return "built"

    with pytest.raises(RuntimeError):
        memo.get("page", ("timeline",), build)
    assert memo.get("page", ("timeline",), build) == "built" and len(attempts) == 2
    assert memo.get("page", ("timeline",), build) == "built" and len(attempts) == 2


def test_a_kind_keeps_its_latest_values_only():
    memo = Memo()
    for n in range(5):
        memo.get("drawing", (n,), lambda n=n: n, keep=2)
    rebuilt = []
    assert memo.get("drawing", (0,), lambda: rebuilt.append(0) or 0, keep=2) == 0 and rebuilt == [0]
    assert memo.get("drawing", (4,), lambda: rebuilt.append(4) or 4, keep=2) == 4 and rebuilt == [0]


def test_a_request_with_a_limit_learns_the_value_is_being_prepared_and_the_work_goes_on():
    memo, calls, release = Memo(), [], threading.Event()

    def build() -> str:
        calls.append(threading.get_ident())
        release.wait(30)  # an aggregate that takes longer than the page may wait
        return "glance"

    with pytest.raises(Preparing) as raised:
        memo.get("page", ("home",), build, wait=0.1)
    assert raised.value.retry_after >= 1 and "still being computed" in str(raised.value)
    with pytest.raises(Preparing):  # asked again meanwhile: the same computation, not a second
        memo.get("page", ("home",), build, wait=0.1)
    release.set()
    assert memo.get("page", ("home",), build, wait=30) == "glance"
    assert len(calls) == 1 and calls[0] != threading.get_ident()  # never in the request's thread


def test_a_value_needed_inside_another_is_computed_by_whoever_needs_it_first():
    memo, release, built = Memo(), threading.Event(), []

    def inner() -> int:
        built.append(threading.get_ident())
        return 42

    def outer() -> int:
        release.wait(30)
        return memo.get("index", (), inner) + 1  # no limit: computes the inner value itself

    def other() -> int:
        release.wait(30)
        return 0

    with pytest.raises(Preparing):  # every builder busy from here on
        memo.get("page", ("search",), outer, wait=0.05)
    for n in range(BUILDERS - 1):
        with pytest.raises(Preparing):
            memo.get("page", ("other", n), other, wait=0.05)
    with pytest.raises(Preparing):  # queued behind them
        memo.get("index", (), inner, wait=0.05)
    release.set()
    assert memo.get("page", ("search",), outer, wait=30) == 43
    assert memo.get("index", (), inner, wait=30) == 42 and len(built) == 1


def test_a_failure_in_the_background_reaches_the_waiting_request_and_is_not_kept():
    memo, attempts = Memo(), []

    def build() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the store went away")
        return "built"

    with pytest.raises(RuntimeError, match="went away"):
        memo.get("page", ("timeline",), build, wait=30)
    assert memo.get("page", ("timeline",), build, wait=30) == "built" and len(attempts) == 2
