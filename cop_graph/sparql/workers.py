"""Query worker processes for the server.

Queries run in separate processes, not in the web server's threads: a Python thread
cannot be stopped, a process can. Each worker loads the dataset once and answers queries
with :func:`cop_graph.engine.answer` (which stops itself at the time limit); a worker that
does not answer in time is killed and replaced, so a runaway query never holds a thread
and other requests keep being served.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import logging
import multiprocessing
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from cop_graph import errors
from cop_graph.config import Config
from cop_graph.errors import Busy, CopGraphError, QueryError, QueryTimeout, StoreUnavailable, TooManyQueries
from cop_graph.sparql.engine import Answer, QueryRequest, answer
from cop_graph.store.dataset import load_dataset

log = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("spawn")  # no fork: the server has threads
_GRACE = 2.0  # seconds past the time limit before a silent worker is killed
_STARTUP = 300.0


def _serve(conn: Connection, config: Config, data: list[str], version: str | None) -> None:
    """A worker's life: load the data the server loaded, then answer requests until the
    pipe closes."""
    try:
        loaded = load_dataset(data, config=config, expect_version=version)
    except CopGraphError as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", answer(loaded, request, config)))
        except CopGraphError as exc:
            where = (getattr(exc, "line", None), getattr(exc, "column", None))
            conn.send(("error", (type(exc).__name__, str(exc), *where)))
        except Exception as exc:  # a bug must not take the worker down with it
            conn.send(("error", ("QueryError", f"the query failed: {exc}", None, None)))
        _give_back_memory()


def _give_back_memory() -> None:
    """Return the memory a large answer freed to the system (glibc keeps it otherwise, and
    each worker would stay at the size of the largest answer it ever gave); a few
    milliseconds, spent after the answer has been sent."""
    if _TRIM is not None:
        _TRIM(0)


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim among the symbols the process already has (find_library would
    start a subprocess on every import)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None


_TRIM = _malloc_trim()


def _rebuild(name: str, message: str, line: int | None, column: int | None) -> CopGraphError:
    cls = getattr(errors, name, QueryError)
    if issubclass(cls, QueryError):
        exc = cls.__new__(cls)
        Exception.__init__(exc, message)
        exc.line, exc.column = line, column
        return exc
    return cls(message)


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


class WorkerPool:
    """A fixed number of query workers; requests wait a little for a free one, then get
    :class:`Busy` (an HTTP 503 with Retry-After). At most ``queue_length`` requests wait at
    once: in a flood the rest are turned away at once instead of holding every request
    thread, so pages and cached answers are still served.

    A fair share, not a hard cap: while other clients have queries running or waiting, one
    client (an address) may have at most ``client_queries`` queries running or waiting (by
    default one fewer than the workers, so a client flooding the endpoint leaves a worker to
    everyone else); a client alone may use every worker, so a researcher's light query is
    answered while their own heavy one runs."""

    def __init__(self, config: Config, data: tuple[str | Path, ...] | list[str | Path] = (),
                 version: str | None = None) -> None:
        self.config = config
        self.data = [str(Path(p).resolve()) for p in data]
        self.version = version
        self._processes: set[multiprocessing.process.BaseProcess] = set()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._waiting = threading.BoundedSemaphore(config.workers + config.queue_length)
        self._ready = threading.Event()
        self._per_client = config.client_queries or max(1, config.workers - 1)
        self._clients: collections.Counter[str] = collections.Counter()
        self._clients_lock = threading.Lock()
        self._lock = threading.Lock()  # the processes, and whether the pool is closed
        self._closed = False
        self._settled = threading.Event()  # a worker is ready, or every one has failed
        self.failure: str | None = None  # why the last worker that failed to start did
        for _ in range(config.workers):
            self._start()

    def _start(self) -> None:
        with self._lock:
            if self._closed:
                return
            parent, child = _CONTEXT.Pipe()
            process = _CONTEXT.Process(target=_serve, args=(child, self.config, self.data, self.version),
                                       daemon=True, name="cop-graph-query-worker")
            process.start()
            self._processes.add(process)
        child.close()
        threading.Thread(target=self._await_ready, args=(_Worker(process, parent),), daemon=True).start()

    def _await_ready(self, worker: _Worker) -> None:
        try:
            if worker.conn.poll(_STARTUP):
                status, detail = worker.conn.recv()
            else:
                status, detail = "failed", f"it did not load the data in {_STARTUP:g} s"
        except (EOFError, OSError):
            status, detail = "failed", "it stopped while loading the data"
        if status == "ready" and not self._closed:
            self._idle.put(worker)
            self._ready.set()
            self._settled.set()
            return
        if not self._closed:
            log.error("a query worker could not start: %s", detail)
            self.failure = detail
        self._stop(worker.process)
        worker.conn.close()
        if not self._processes:
            self._settled.set()

    def wait_ready(self, timeout: float = _STARTUP) -> bool:
        """Block until at least one worker can take queries; False when none could start
        (:attr:`failure` says why)."""
        self._settled.wait(timeout)
        return self._ready.is_set()

    def answer(self, request: QueryRequest, client: str | None = None) -> Answer:
        with self._share(client):
            if not self._waiting.acquire(blocking=False):
                raise Busy(f"every query worker is busy and {self.config.queue_length} more queries are waiting; "
                           "try again in a few seconds")
            try:
                return self._answer(request)
            finally:
                self._waiting.release()

    @contextlib.contextmanager
    def _share(self, client: str | None) -> Iterator[None]:
        """Count the query against its client's share while it runs or waits."""
        if client is None:
            yield
            return
        with self._clients_lock:
            mine = self._clients[client]
            others = any(other != client for other in self._clients)
            if mine >= self.config.workers or (mine >= self._per_client and others):
                raise TooManyQueries(f"this client already has {mine} {'query' if mine == 1 else 'queries'} "
                                     "running or waiting, as many as one client may"
                                     + (" while others wait" if others else "")
                                     + "; send the next when one has been answered")
            self._clients[client] += 1
        try:
            yield
        finally:
            with self._clients_lock:
                self._clients[client] -= 1
                if not self._clients[client]:
                    del self._clients[client]

    def _answer(self, request: QueryRequest) -> Answer:
        if not self._processes and self.failure:  # none left, and a new one could not start
            raise StoreUnavailable(f"no query worker is running: {self.failure}")
        try:
            worker = self._idle.get(timeout=self.config.queue_timeout)
        except queue.Empty:
            raise Busy("every query worker is busy; try again in a few seconds") from None
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.config.query_timeout + _GRACE):
                self._replace(worker)
                raise QueryTimeout(f"the query was stopped at the time limit of {self.config.query_timeout:g} s")
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise StoreUnavailable("the query worker stopped unexpectedly (a new one is starting); the query "
                                   "was not answered") from None
        self._idle.put(worker)
        if status == "ok":
            return payload
        raise _rebuild(*payload)

    def _replace(self, worker: _Worker) -> None:
        self._stop(worker.process)
        worker.conn.close()
        self._start()

    def _stop(self, process: multiprocessing.process.BaseProcess) -> None:
        process.kill()
        with self._lock:
            self._processes.discard(process)

    def close(self) -> None:
        """Stop every worker: idle, busy and still starting (one left loading would go on
        reading the data files after the server has gone)."""
        with self._lock:
            self._closed = True
            processes = list(self._processes)
        for process in processes:
            self._stop(process)
            process.join(5)
