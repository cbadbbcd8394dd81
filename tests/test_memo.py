"""The dataset's memo: what pages aggregate over the whole graph is computed once per
dataset version, even when many requests ask for it at the same moment."""

from __future__ import annotations

import threading
import time

import pytest

from cop_graph.store.dataset import Memo


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
