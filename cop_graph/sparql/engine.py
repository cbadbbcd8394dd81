"""The one function that answers a query: parse, check it against the limits, evaluate it
with a time limit, cap the rows, serialise it.

The CLI calls :func:`answer` directly; the server calls it inside worker processes
(``workers.py``), where a query that outlives its time limit can be stopped for good.
"""

from __future__ import annotations

import re
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from rdflib import Graph
from rdflib.query import Result
from rdflib.term import Node

from cop_graph.config import Config
from cop_graph.errors import NotAcceptable, OutputError, ParameterError, QueryError, QueryTimeout
from cop_graph.rdf.formats import (
    GRAPH_RESULT_FORMATS,
    SOURCES,
    TABULAR,
    Solutions,
    media_type_of,
    refuse_xml_forbidden,
    write_result,
)
from cop_graph.sparql.evaluate import evaluate, evaluate_written
from cop_graph.sparql.prepare import Prepared, prepare
from cop_graph.sparql.sources import row_sources
from cop_graph.store.dataset import CopDataset

T = TypeVar("T")
_SURROGATE_REFERENCE = re.compile(r"&#(?:x[dD][89a-fA-F][0-9a-fA-F]{2}|"
                                  r"5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]);")


@dataclass(frozen=True)
class QueryRequest:
    """What to run and how to write it; plain data, so it can cross to a worker process."""

    text: str
    bindings: dict[str, Node] = field(default_factory=dict)
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None
    # Formats negotiated by the web layer before the query form is known: one for
    # SELECT/ASK results, one for CONSTRUCT/DESCRIBE graphs; None where nothing fits.
    negotiated: tuple[str | None, str | None] | None = None
    # Each row of a SELECT answer with the supports of its statements (--sources, ?sources=1).
    sources: bool = False


@dataclass(frozen=True)
class Answer:
    body: str
    format: str
    media_type: str
    form: str
    rows: int
    truncated: bool


class Engine(Protocol):
    """What answers queries for the server: in this process, or in worker processes."""

    def answer(self, request: QueryRequest, client: str | None = None) -> Answer: ...

    def close(self) -> None: ...


class LocalEngine:
    """Answers in the calling process: for the CLI and for tests; in a server thread it
    cannot stop a query at the time limit (use :class:`cop_graph.workers.WorkerPool`)."""

    def __init__(self, loaded: CopDataset, config: Config) -> None:
        self.loaded = loaded
        self.config = config

    def answer(self, request: QueryRequest, client: str | None = None) -> Answer:
        return answer(self.loaded, request, self.config)

    def close(self) -> None:
        """Nothing to release."""


class CachedAnswers:
    """Answers kept by dataset version and request: the data does not change while it is
    served, so the same query in the same format has the same answer. Errors are never
    kept, and the cache holds at most ``max_bytes`` of answers, least recently used first out."""

    def __init__(self, engine: LocalEngine | object, version: str, max_bytes: int = 64 << 20) -> None:
        self.engine = engine
        self.version = version
        self.max_bytes = max_bytes
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0

    def answer(self, request: QueryRequest, client: str | None = None) -> Answer:
        key = (self.version, request.text, tuple(sorted((k, v.n3()) for k, v in request.bindings.items())),
               request.default_graphs, request.named_graphs, request.format, request.negotiated, request.sources)
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None:
                self._answers.move_to_end(key)
                self.hits += 1
                return kept
        found = self.engine.answer(request, client=client)
        size = len(found.body)
        if size <= self.max_bytes // 8:
            with self._lock:
                if key not in self._answers:
                    self._answers[key] = found
                    self._size += size
                while self._size > self.max_bytes:
                    _, dropped = self._answers.popitem(last=False)
                    self._size -= len(dropped.body)
        return found

    def __getattr__(self, name: str) -> object:  # wait_ready, close: the engine's own
        return getattr(self.engine, name)


def formats_for(form: str) -> tuple[str, ...]:
    return tuple(TABULAR) if form in ("SELECT", "ASK") else GRAPH_RESULT_FORMATS


def default_format(form: str) -> str:
    return "table" if form in ("SELECT", "ASK") else "turtle"


@dataclass(frozen=True)
class Asked:
    """A query's result, cut at the row cap."""

    form: str
    result: Result
    rows: int
    truncated: bool


def ask(loaded: CopDataset, request: QueryRequest, config: Config,
        on_form: Callable[[str], object] | None = None, prepared: Prepared | None = None) -> Asked:
    """The one way a query from outside (endpoint, CLI, explorer forms, Python API) is asked:
    checked (size, nesting, read-only, SERVICE allowlist), parsed once and evaluated by the
    store's engine, its rows cut at ``max_rows``. ``on_form`` sees the query form before
    evaluation where the text shows it (to refuse a format that cannot carry it without
    running the query); ``prepared`` is the request's text already checked. The caller
    bounds the time (:func:`within`)."""
    query = prepared or prepare(request.text, config.service_allowlist, config.max_query_bytes)
    if on_form is not None and query.form is not None:
        on_form(query.form)
    result = evaluate(loaded, query, request.bindings, request.default_graphs, request.named_graphs,
                      rows=config.max_rows)
    form = query.form or str(result.type)
    if on_form is not None and query.form is None:
        on_form(form)
    result, rows, truncated = cap_rows(result, config.max_rows)
    return Asked(form, result, rows, truncated)


def answer(loaded: CopDataset, request: QueryRequest, config: Config) -> Answer:
    """Answer one query within the configured limits, written in the requested format, or
    raise a :class:`CopGraphError`.

    Parsing counts against the time limit too: some queries are slow just to parse."""

    def check(form: str) -> None:
        if request.sources:
            refuse_sources(form)
        fmt = _format(request, form)
        if fmt not in formats_for(form):
            raise OutputError(f"format {fmt!r} does not fit a {form} result; "
                              f"choose one of: {', '.join(formats_for(form))}")

    def work() -> Answer:
        query = prepare(request.text, config.service_allowlist, config.max_query_bytes)
        if query.form == "SELECT" and not request.sources:  # the store's own writer, where it has one
            check("SELECT")
            fmt = _format(request, "SELECT")
            written = evaluate_written(loaded, query, fmt, request.bindings, request.default_graphs,
                                       request.named_graphs, rows=config.max_rows)
            if written is not None:
                if fmt == "xml":
                    refuse_xml_forbidden(written.body)
                return Answer(written.body, fmt, media_type_of(fmt, "SELECT"), "SELECT", written.rows, False)
        asked = ask(loaded, request, config, check, query)
        form, result, rows, truncated = asked.form, asked.result, asked.rows, asked.truncated
        fmt = _format(request, form)
        sources = answer_sources(loaded, asked) if request.sources else None
        try:
            body = write_result(result, fmt, config.base, sources)
            body.encode("utf-8")
            if _SURROGATE_REFERENCE.search(body):  # XML writers escape them instead of failing
                raise UnicodeEncodeError("utf-8", "", 0, 1, "surrogate")
        except UnicodeEncodeError:  # a lone surrogate (e.g. from "\uD800" in the query) is not Unicode text
            raise QueryError("the result holds a lone surrogate code point (such as \\uD800), which is not "
                             "Unicode text and cannot be written in any format") from None
        media_type = media_type_of(fmt, form)
        return Answer(body, fmt, media_type, form, rows, truncated)

    return within(config.query_timeout, work)


def refuse_sources(form: str, variables: list[str] | None = None) -> None:
    """Sources are given per row: an ASK, CONSTRUCT or DESCRIBE answer has no rows to give
    them to, and a SELECT answer with its own ``sources`` column would clash with them."""
    if form != "SELECT":
        raise ParameterError(f"--sources (sources=1 over HTTP, sources=True in Python) gives the sources of a "
                             f"SELECT answer's rows, and {form} answers have none: leave it out")
    if variables is not None and SOURCES in variables:
        raise ParameterError(f"--sources (sources=1 over HTTP, sources=True in Python) adds a column "
                             f"{SOURCES!r}, which the query already has: rename its ?{SOURCES}")


def answer_sources(loaded: CopDataset, asked: Asked) -> list[list[dict[str, str]]]:
    """The supports of each row of an answer (``sources.row_sources``), computed after the
    query, in the process and within the time limit of the answer; each resource's
    statements are read once per version of the data (``sources.statement_sources``),
    whatever number of rows or answers name it."""
    refuse_sources(asked.form, [str(v) for v in asked.result.vars or []])
    return [row_sources(loaded, {str(name): term for name, term in row.items()}) for row in asked.result.bindings]


def _format(request: QueryRequest, form: str) -> str:
    if request.negotiated is None:
        return request.format or default_format(form)
    chosen = request.negotiated[0 if form in ("SELECT", "ASK") else 1]
    if chosen is None:
        raise NotAcceptable(f"none of the accepted media types can carry the result of {form}; "
                            f"available: {', '.join(media_type_of(f, form) for f in formats_for(form))}")
    return chosen


def cap_rows(result: Result, limit: int) -> tuple[Result, int, bool]:
    """Keep at most ``limit`` rows (or triples), saying whether any were cut."""
    if isinstance(result, Solutions):
        if len(result.rows) <= limit:
            return result, len(result.rows), False
        return result.head(limit), limit, True
    if result.type == "SELECT":
        rows = result.bindings
        if len(rows) <= limit:
            return result, len(rows), False
        capped = Result("SELECT")
        capped.vars = result.vars
        capped.bindings = rows[:limit]
        return capped, limit, True
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        if len(graph) <= limit:
            return result, len(graph), False
        capped_graph = Graph(namespace_manager=graph.namespace_manager)
        for index, triple in enumerate(graph):
            if index >= limit:
                break
            capped_graph.add(triple)
        capped = Result(result.type)
        capped.graph = capped_graph
        return capped, limit, True
    return result, 1, False


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run ``work``, stopping it after ``seconds`` when this is a main thread (a worker
    process or the CLI); elsewhere the caller must bound the time itself."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return work()
    with _alarm(seconds):
        return work()


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise QueryTimeout(f"the query was stopped at the time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
