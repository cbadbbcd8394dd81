"""The dataset's memo: what is derived from one version of the data and asked for more
than once (the query library, network drawings, the search index, the home page's glance)
is computed once and kept.

At 10^6 triples a page's aggregate takes seconds to a minute. A request that asks with a
``wait`` does not compute in its own thread: the computation runs on one of the memo's
background builders and the request waits at most ``wait`` seconds, then learns the value
is still being prepared (:class:`~cop_graph.errors.Preparing`). A request that gives up or
whose client has gone holds no thread past its limit, the computation is finished once for
every later request, and nothing else (``/status``, pages already computed) waits for it.
"""

from __future__ import annotations

import gc
import math
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from cop_graph.errors import Preparing

T = TypeVar("T")
BUILDERS = 2  # background threads; the machine's cores are shared with the query workers


class _Builders:
    """A few daemon threads computing memo values in the order asked (daemon: a process
    that exits does not wait for a page nobody will see)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if len(self._threads) < self._size:
                thread = threading.Thread(target=self._run, name=f"cop-graph-memo-{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        self._jobs.put(job)

    def _run(self) -> None:
        while True:
            self._jobs.get()()


_BUILDERS = _Builders(BUILDERS)


class _Pending:
    """A value being computed: its future and when it was asked for."""

    def __init__(self) -> None:
        self.future: Future = Future()
        self.since = time.monotonic()
        self.claimed = False  # someone computes it; set under the memo's lock

    def claim(self) -> bool:
        """Whether the caller is the one to compute it (the first to ask)."""
        first, self.claimed = not self.claimed, True
        return first


class Memo:
    """Values derived from a loaded dataset, each computed once per dataset (loaded data
    never changes); a kind may keep only its latest ``keep`` values (the neighbourhood
    drawings, one per resource). Callers asking while a value is computed wait for that
    computation rather than start another."""

    def __init__(self) -> None:
        self._kinds: dict[str, OrderedDict[tuple, Any]] = {}
        self._lock = threading.Lock()
        self._building: dict[tuple, _Pending] = {}

    def get(self, kind: str, key: tuple, build: Callable[[], T], keep: int | None = None,
            wait: float | None = None) -> T:
        """The value, computed by ``build`` if it is not kept. Without ``wait`` it is computed
        in this thread (the API, the CLI); with ``wait`` in the background, and
        :class:`Preparing` is raised if it is not ready within ``wait`` seconds."""
        with self._lock:
            kept = self._kinds.setdefault(kind, OrderedDict())
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
            pending = self._building.get((kind, key))
            if pending is None:
                pending = self._building[(kind, key)] = _Pending()
                if wait is not None:
                    _BUILDERS.submit(lambda: self._claimed_build(kind, key, build, keep, pending))
            # A caller without a limit computes a value nobody has started yet itself: a
            # value computed within another one (the search index within a search) never
            # waits for a builder that may be busy with the outer one.
            mine = wait is None and pending.claim()
        if mine:
            self._build(kind, key, build, keep, pending)
        try:
            return pending.future.result(timeout=wait)
        except FutureTimeout:
            started = time.monotonic() - pending.since
            raise Preparing(f"this page's data is still being computed for this version of the data "
                            f"(started {started:.0f} s ago); it goes on in the background: ask again "
                            f"in a few seconds", retry_after=max(1, math.ceil(wait or 1))) from None

    def _claimed_build(self, kind: str, key: tuple, build: Callable[[], T], keep: int | None,
                       pending: _Pending) -> None:
        with self._lock:
            if not pending.claim():  # computed meanwhile by a caller without a limit
                return
        self._build(kind, key, build, keep, pending)
        # A server's pages: what is kept lives as long as the data, so it is put out of the
        # collector's sight and a full collection (which would walk a 10^6-triple search
        # index each time) stays short. Only here: a command's own builds may still hold
        # objects that must be collected (a failed store build's files).
        gc.freeze()

    def _build(self, kind: str, key: tuple, build: Callable[[], T], keep: int | None, pending: _Pending) -> None:
        """Compute one value and hand it to everyone waiting; a failure is not kept, so the
        next request tries again."""
        try:
            value = build()
        except BaseException as exc:
            with self._lock:
                self._building.pop((kind, key), None)
            pending.future.set_exception(exc)
            return
        with self._lock:
            kept = self._kinds.setdefault(kind, OrderedDict())
            value = kept.setdefault(key, value)
            while keep is not None and len(kept) > keep:
                kept.popitem(last=False)
            self._building.pop((kind, key), None)
        pending.future.set_result(value)
